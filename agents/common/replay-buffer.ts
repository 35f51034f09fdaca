// DQN's replay memory: a ring of typed arrays holding (obs, action, reward, next obs, done) rows. `done` is set only on
// termination: a truncated transition keeps bootstrapping from its real final observation (SB3's handle_timeout_termination).
import type { Rng } from '../../src/core/rng.ts';

export interface ReplaySample {
  readonly size: number;
  readonly obs: Float32Array;
  readonly actions: Float32Array;
  readonly rewards: Float32Array;
  readonly nextObs: Float32Array;
  readonly dones: Float32Array;
}

export class ReplayBuffer {
  readonly capacity: number;
  readonly obsSize: number;
  readonly actionWidth: number;
  private readonly obs: Float32Array;
  private readonly nextObs: Float32Array;
  private readonly actions: Float32Array;
  private readonly rewards: Float32Array;
  private readonly dones: Uint8Array;
  private pos = 0;
  private filled = 0;

  constructor(capacity: number, obsSize: number, actionWidth: number) {
    this.capacity = capacity;
    this.obsSize = obsSize;
    this.actionWidth = actionWidth;
    this.obs = new Float32Array(capacity * obsSize);
    this.nextObs = new Float32Array(capacity * obsSize);
    this.actions = new Float32Array(capacity * actionWidth);
    this.rewards = new Float32Array(capacity);
    this.dones = new Uint8Array(capacity);
  }

  get size(): number {
    return this.filled;
  }

  /** Adds one transition: row `row` of `obs` and `action`, row `nextRow` of `nextObs`. */
  add(
    obs: Float32Array,
    action: Float32Array,
    row: number,
    nextObs: Float32Array,
    nextRow: number,
    reward: number,
    terminated: boolean,
  ): void {
    const d = this.obsSize;
    const a = this.actionWidth;
    const p = this.pos;
    this.obs.set(obs.subarray(row * d, row * d + d), p * d);
    this.nextObs.set(nextObs.subarray(nextRow * d, nextRow * d + d), p * d);
    for (let k = 0; k < a; k++) this.actions[p * a + k] = action[row * a + k]!;
    this.rewards[p] = reward;
    this.dones[p] = terminated ? 1 : 0;
    this.pos = (p + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  /** Uniform sample with replacement into `out` (preallocated with makeSample). */
  sample(rng: Rng, out: ReplaySample): ReplaySample {
    if (this.filled === 0) throw new Error('replay buffer is empty');
    const d = this.obsSize;
    const a = this.actionWidth;
    for (let k = 0; k < out.size; k++) {
      const i = rng.integer(this.filled);
      out.obs.set(this.obs.subarray(i * d, i * d + d), k * d);
      out.nextObs.set(this.nextObs.subarray(i * d, i * d + d), k * d);
      for (let j = 0; j < a; j++) out.actions[k * a + j] = this.actions[i * a + j]!;
      out.rewards[k] = this.rewards[i]!;
      out.dones[k] = this.dones[i]!;
    }
    return out;
  }

  makeSample(size: number): ReplaySample {
    return {
      size,
      obs: new Float32Array(size * this.obsSize),
      actions: new Float32Array(size * this.actionWidth),
      rewards: new Float32Array(size),
      nextObs: new Float32Array(size * this.obsSize),
      dones: new Float32Array(size),
    };
  }
}
