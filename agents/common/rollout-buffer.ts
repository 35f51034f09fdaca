// PPO's rollout storage: preallocated (steps × envs) typed arrays, as CleanRL's; GAE(λ) as SB3 computes it; shuffled
// minibatches copied into preallocated arrays. Row t×N+i is sub-env i at step t.
import type { Rng } from '../../src/core/rng.ts';

export interface RolloutMinibatch {
  readonly size: number;
  readonly obs: Float32Array;
  readonly actions: Float32Array;
  readonly oldValues: Float32Array;
  readonly oldLogProbs: Float32Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
  /** size × nActions action masks (1 = allowed), or null when the buffer stores none. */
  readonly actionMasks: Uint8Array | null;
}

export class RolloutBuffer {
  readonly nSteps: number;
  readonly nEnvs: number;
  readonly obsSize: number;
  readonly actionWidth: number;
  readonly obs: Float32Array;
  readonly actions: Float32Array;
  readonly rewards: Float32Array;
  /** 1 where the observation at this row is the first of an episode (the previous step ended one). */
  readonly episodeStarts: Uint8Array;
  readonly values: Float32Array;
  readonly logProbs: Float32Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
  /** Actions per row of `actionMasks`; 0 = no masks stored. */
  readonly maskWidth: number;
  /** rows × maskWidth, 1 = the action was allowed when it was chosen (maskable PPO). */
  readonly actionMasks: Uint8Array;
  pos = 0;
  private readonly order: Int32Array;

  constructor(nSteps: number, nEnvs: number, obsSize: number, actionWidth: number, maskWidth = 0) {
    this.nSteps = nSteps;
    this.nEnvs = nEnvs;
    this.obsSize = obsSize;
    this.actionWidth = actionWidth;
    const rows = nSteps * nEnvs;
    this.obs = new Float32Array(rows * obsSize);
    this.actions = new Float32Array(rows * actionWidth);
    this.rewards = new Float32Array(rows);
    this.episodeStarts = new Uint8Array(rows);
    this.values = new Float32Array(rows);
    this.logProbs = new Float32Array(rows);
    this.advantages = new Float32Array(rows);
    this.returns = new Float32Array(rows);
    this.order = new Int32Array(rows);
    this.maskWidth = maskWidth;
    this.actionMasks = new Uint8Array(rows * maskWidth);
  }

  get size(): number {
    return this.nSteps * this.nEnvs;
  }

  get full(): boolean {
    return this.pos === this.nSteps;
  }

  reset(): void {
    this.pos = 0;
  }

  /** Stores one step for all envs. `obs` is the observation the actions were chosen on, `actionMasks` what it allowed. */
  add(
    obs: Float32Array,
    actions: Float32Array,
    rewards: Float32Array,
    episodeStarts: Uint8Array,
    values: Float32Array,
    logProbs: Float32Array,
    actionMasks: Uint8Array | null = null,
  ): void {
    if (this.pos >= this.nSteps)
      throw new Error('rollout buffer is full: call computeReturnsAndAdvantages() then reset()');
    if (this.maskWidth > 0 !== (actionMasks !== null))
      throw new Error(
        `rollout buffer built with maskWidth ${this.maskWidth}: pass action masks exactly when it is > 0`,
      );
    const n = this.nEnvs;
    const r = this.pos * n;
    this.obs.set(obs.subarray(0, n * this.obsSize), r * this.obsSize);
    this.actions.set(actions.subarray(0, n * this.actionWidth), r * this.actionWidth);
    this.rewards.set(rewards.subarray(0, n), r);
    this.episodeStarts.set(episodeStarts.subarray(0, n), r);
    this.values.set(values.subarray(0, n), r);
    this.logProbs.set(logProbs.subarray(0, n), r);
    if (actionMasks) this.actionMasks.set(actionMasks.subarray(0, n * this.maskWidth), r * this.maskWidth);
    this.pos++;
  }

  /**
   * GAE(λ): `lastValues` = V(obs after the last step), `dones` = whether the last step ended each sub-env's episode.
   * Truncations must already be folded into the rewards (r += γ·V(final obs)), as SB3 does, so `dones` covers both.
   */
  computeReturnsAndAdvantages(lastValues: Float32Array, dones: Uint8Array, gamma: number, gaeLambda: number): void {
    const n = this.nEnvs;
    for (let i = 0; i < n; i++) {
      let lastGae = 0;
      for (let t = this.nSteps - 1; t >= 0; t--) {
        const row = t * n + i;
        let nextNonTerminal: number;
        let nextValue: number;
        if (t === this.nSteps - 1) {
          nextNonTerminal = 1 - dones[i]!;
          nextValue = lastValues[i]!;
        } else {
          nextNonTerminal = 1 - this.episodeStarts[row + n]!;
          nextValue = this.values[row + n]!;
        }
        const delta = this.rewards[row]! + gamma * nextValue * nextNonTerminal - this.values[row]!;
        lastGae = delta + gamma * gaeLambda * nextNonTerminal * lastGae;
        this.advantages[row] = lastGae;
        this.returns[row] = lastGae + this.values[row]!;
      }
    }
  }

  /** A fresh random order of the rows (Fisher–Yates with the seeded Rng) for one epoch of minibatches. */
  shuffle(rng: Rng): Int32Array {
    const o = this.order;
    for (let k = 0; k < o.length; k++) o[k] = k;
    for (let k = o.length - 1; k > 0; k--) {
      const j = rng.integer(k + 1);
      const t = o[k]!;
      o[k] = o[j]!;
      o[j] = t;
    }
    return o;
  }

  /** Copies rows order[start .. start+size) into `mb` (preallocated with makeMinibatch). */
  gather(order: Int32Array, start: number, mb: RolloutMinibatch): RolloutMinibatch {
    const d = this.obsSize;
    const a = this.actionWidth;
    for (let k = 0; k < mb.size; k++) {
      const row = order[start + k]!;
      mb.obs.set(this.obs.subarray(row * d, row * d + d), k * d);
      if (a === 1) mb.actions[k] = this.actions[row]!;
      else mb.actions.set(this.actions.subarray(row * a, row * a + a), k * a);
      mb.oldValues[k] = this.values[row]!;
      mb.oldLogProbs[k] = this.logProbs[row]!;
      mb.advantages[k] = this.advantages[row]!;
      mb.returns[k] = this.returns[row]!;
      if (mb.actionMasks)
        mb.actionMasks.set(
          this.actionMasks.subarray(row * this.maskWidth, (row + 1) * this.maskWidth),
          k * this.maskWidth,
        );
    }
    return mb;
  }

  makeMinibatch(size: number): RolloutMinibatch {
    return {
      size,
      obs: new Float32Array(size * this.obsSize),
      actions: new Float32Array(size * this.actionWidth),
      oldValues: new Float32Array(size),
      oldLogProbs: new Float32Array(size),
      advantages: new Float32Array(size),
      returns: new Float32Array(size),
      actionMasks: this.maskWidth > 0 ? new Uint8Array(size * this.maskWidth) : null,
    };
  }
}

/** Standardises `x` in place (mean 0, std 1; SB3 uses the unbiased std and ε = 1e-8). */
export function normalizeInPlace(x: Float32Array): void {
  const n = x.length;
  if (n < 2) return;
  let m = 0;
  for (let k = 0; k < n; k++) m += x[k]!;
  m /= n;
  let v = 0;
  for (let k = 0; k < n; k++) v += (x[k]! - m) ** 2;
  const std = Math.sqrt(v / (n - 1));
  for (let k = 0; k < n; k++) x[k] = (x[k]! - m) / (std + 1e-8);
}
