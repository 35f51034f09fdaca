// Batched CartPole-v1 (EnvPool style): N carts held as struct-of-arrays in Float64Arrays and stepped in one tight
// loop that writes straight into the preallocated output arrays. Behaves exactly like a SyncVectorEnv of N
// TimeLimit(CartPoleEnv, 500) with the same seeds: same per-sub-env random streams, same floats, same autoreset.
import type { AutoresetMode, EnvSpec, Info, VectorResetResult, VectorStepResult } from '../../src/core/types.ts';
import { ClosedEnvError, InvalidActionError, InvalidArgumentError, ResetNeededError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import type { Box } from '../../src/core/spaces/box.ts';
import { Discrete } from '../../src/core/spaces/discrete.ts';
import { dtypeOfArray } from '../../src/core/spaces/dtype.ts';
import { describeValue } from '../../src/core/spaces/space.ts';
import { subEnvSeeds } from '../../src/core/vector/sync-vector-env.ts';
import {
  EMPTY_INFO,
  type VectorActions,
  type VectorEnv,
  type VectorResetArgs,
} from '../../src/core/vector/vector-env.ts';
import { cartPoleObservationSpace } from './cartpole.ts';
import {
  FORCE_MAG,
  GRAVITY,
  LENGTH,
  MASS_POLE,
  MAX_EPISODE_STEPS,
  POLE_MASS_LENGTH,
  TAU,
  THETA_THRESHOLD_RADIANS,
  TOTAL_MASS,
  X_THRESHOLD,
  RESET_HIGH,
  RESET_LOW,
  parseResetBounds,
} from './cartpole-physics.ts';

export interface CartPoleVectorOptions {
  numEnvs: number;
  autoresetMode?: AutoresetMode;
  maxEpisodeSteps?: number;
  /** As CartPoleEnv's option: reward 0 per surviving step, -1 on the failing step. */
  suttonBartoReward?: boolean;
}

export class CartPoleVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box<Float32Array> = cartPoleObservationSpace();
  readonly singleActionSpace = new Discrete(2);
  readonly obsDim = 4;
  readonly actionDim = 1;
  readonly autoresetMode: AutoresetMode;
  readonly maxEpisodeSteps: number;
  readonly suttonBartoReward: boolean;
  spec: EnvSpec | null = null;
  // Struct of arrays, float64 like Gymnasium's state.
  private readonly x: Float64Array;
  private readonly xDot: Float64Array;
  private readonly theta: Float64Array;
  private readonly thetaDot: Float64Array;
  private readonly elapsed: Int32Array;
  private readonly pendingReset: Uint8Array;
  private readonly rngs: (Rng | null)[];
  private readonly observations: Float32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly infos: Info[];
  private readonly actionScratch: Int32Array;
  private readonly stepResult: VectorStepResult;
  /** Sub-envs whose infos entry is not EMPTY_INFO, to clear on the next step. */
  private dirtyInfos = false;
  private started = false;
  private closed = false;

  constructor(options: CartPoleVectorOptions) {
    const n = options.numEnvs;
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new InvalidArgumentError(`numEnvs must be a positive integer (got ${String(n)})`);
    const mode = options.autoresetMode ?? 'next-step';
    if (mode !== 'next-step' && mode !== 'same-step')
      throw new InvalidArgumentError(`autoresetMode must be 'next-step' or 'same-step' (got ${String(mode)})`);
    const maxSteps = options.maxEpisodeSteps ?? MAX_EPISODE_STEPS;
    if (!Number.isSafeInteger(maxSteps) || maxSteps <= 0)
      throw new InvalidArgumentError(`maxEpisodeSteps must be a positive integer (got ${String(maxSteps)})`);
    this.numEnvs = n;
    this.autoresetMode = mode;
    this.maxEpisodeSteps = maxSteps;
    if (options.suttonBartoReward !== undefined && typeof options.suttonBartoReward !== 'boolean') {
      throw new InvalidArgumentError(
        `suttonBartoReward must be true or false (got ${String(options.suttonBartoReward)})`,
      );
    }
    this.suttonBartoReward = options.suttonBartoReward ?? false;
    this.x = new Float64Array(n);
    this.xDot = new Float64Array(n);
    this.theta = new Float64Array(n);
    this.thetaDot = new Float64Array(n);
    this.elapsed = new Int32Array(n);
    this.pendingReset = new Uint8Array(n);
    this.rngs = new Array<Rng | null>(n).fill(null);
    this.observations = new Float32Array(n * 4);
    this.rewards = new Float32Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.infos = new Array<Info>(n).fill(EMPTY_INFO);
    this.actionScratch = new Int32Array(n);
    this.stepResult = {
      observations: this.observations,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      infos: this.infos,
    };
  }

  reset(args: VectorResetArgs = {}): VectorResetResult {
    if (this.closed) throw new ClosedEnvError();
    const seeds = subEnvSeeds(args.seed, this.numEnvs);
    const [low, high] = parseResetBounds(args.options ?? {}, (m) => new InvalidArgumentError(m));
    for (let i = 0; i < this.numEnvs; i++) {
      if (seeds !== null) this.rngs[i] = new Rng(seeds[i]!);
      this.resetOne(i, low, high);
      this.infos[i] = EMPTY_INFO;
    }
    this.pendingReset.fill(0);
    this.dirtyInfos = false;
    this.started = true;
    return { observations: this.observations, infos: this.infos };
  }

  step(actions: VectorActions): VectorStepResult {
    if (this.closed) throw new ClosedEnvError();
    if (!this.started)
      throw new ResetNeededError('step() was called before reset(): call reset() on the vector env first');
    const n = this.numEnvs;
    // The hot loop reads an Int32Array only (one element kind for V8); other forms are checked and copied into one.
    const act =
      actions instanceof Int32Array && actions.length === n && allBinary(actions) ? actions : this.toInt32(actions, n);
    const x = this.x,
      xDot = this.xDot,
      theta = this.theta,
      thetaDot = this.thetaDot;
    const obs = this.observations,
      rewards = this.rewards,
      term = this.terminated,
      trunc = this.truncated;
    const elapsed = this.elapsed,
      pending = this.pendingReset,
      maxSteps = this.maxEpisodeSteps,
      sbReward = this.suttonBartoReward;
    if (this.dirtyInfos) {
      this.infos.fill(EMPTY_INFO);
      this.dirtyInfos = false;
    }
    for (let i = 0; i < n; i++) {
      if (pending[i] === 1) {
        // next-step autoreset: the action is ignored, the reset observation comes back with reward 0.
        this.resetOne(i, RESET_LOW, RESET_HIGH);
        rewards[i] = 0;
        term[i] = 0;
        trunc[i] = 0;
        pending[i] = 0;
        continue;
      }
      const xi = x[i]!,
        vi = xDot[i]!,
        th = theta[i]!,
        w = thetaDot[i]!;
      const force = act[i] === 1 ? FORCE_MAG : -FORCE_MAG;
      const c = Math.cos(th);
      const s = Math.sin(th);
      const temp = (force + POLE_MASS_LENGTH * (w * w) * s) / TOTAL_MASS;
      const thetaAcc = (GRAVITY * s - c * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * (c * c)) / TOTAL_MASS));
      const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * c) / TOTAL_MASS;
      const nx = xi + TAU * vi;
      const nv = vi + TAU * xAcc;
      const nth = th + TAU * w;
      const nw = w + TAU * thetaAcc;
      x[i] = nx;
      xDot[i] = nv;
      theta[i] = nth;
      thetaDot[i] = nw;
      const o = i * 4;
      obs[o] = nx;
      obs[o + 1] = nv;
      obs[o + 2] = nth;
      obs[o + 3] = nw;
      const t =
        nx < -X_THRESHOLD || nx > X_THRESHOLD || nth < -THETA_THRESHOLD_RADIANS || nth > THETA_THRESHOLD_RADIANS;
      rewards[i] = sbReward ? (t ? -1 : 0) : 1;
      const steps = ++elapsed[i]!;
      const tr = steps >= maxSteps;
      term[i] = t ? 1 : 0;
      trunc[i] = tr ? 1 : 0;
      if (t || tr) this.finishEpisode(i);
    }
    return this.stepResult;
  }

  close(): void {
    this.closed = true;
  }

  private finishEpisode(i: number): void {
    if (this.autoresetMode === 'next-step') {
      this.pendingReset[i] = 1;
      return;
    }
    const o = i * 4;
    const finalObservation = this.observations.slice(o, o + 4);
    this.resetOne(i, RESET_LOW, RESET_HIGH);
    this.infos[i] = { final_observation: finalObservation, final_info: {} };
    this.dirtyInfos = true;
  }

  /** Draws x, x_dot, theta, theta_dot from sub-env i's own stream, in that order, as CartPoleEnv.reset does. */
  private resetOne(i: number, low: number, high: number): void {
    let rng = this.rngs[i];
    if (rng === null || rng === undefined) rng = this.rngs[i] = new Rng();
    const a = rng.uniform(low, high),
      b = rng.uniform(low, high),
      c = rng.uniform(low, high),
      d = rng.uniform(low, high);
    this.x[i] = a;
    this.xDot[i] = b;
    this.theta[i] = c;
    this.thetaDot[i] = d;
    const o = i * 4;
    this.observations[o] = a;
    this.observations[o + 1] = b;
    this.observations[o + 2] = c;
    this.observations[o + 3] = d;
    this.elapsed[i] = 0;
  }

  /** Validates the whole batch before any cart moves (integers 0 or 1, length N) and returns it as an Int32Array. */
  private toInt32(actions: VectorActions, n: number): Int32Array {
    const d = dtypeOfArray(actions);
    if (d === null && !Array.isArray(actions)) {
      throw new InvalidActionError(
        `actions must be an Int32Array (or number[]) of ${n} values in Discrete(2), got ${describeValue(actions)}`,
      );
    }
    if (d === 'float32' || d === 'float64') {
      throw new InvalidActionError(
        `CartPole-v1 actions are Discrete(2): pass an Int32Array of ${n} zeros and ones, not a ${d} array`,
      );
    }
    const arr = actions as ArrayLike<unknown>;
    if (arr.length !== n)
      throw new InvalidActionError(`expected ${n} actions (one Discrete(2) value per sub-env), got ${arr.length}`);
    const pending = this.pendingReset;
    for (let i = 0; i < n; i++) {
      const a = arr[i];
      if (a !== 0 && a !== 1 && pending[i] === 0) {
        throw new InvalidActionError(
          `action ${describeValue(a)} for sub-env ${i} is not in the action space Discrete(2): no sub-env was stepped`,
        );
      }
      // A sub-env about to autoreset ignores its action (as SyncVectorEnv does), whatever it is.
      this.actionScratch[i] = a === 1 ? 1 : 0;
    }
    return this.actionScratch;
  }
}

function allBinary(a: Int32Array): boolean {
  let bits = 0;
  for (let i = 0; i < a.length; i++) bits |= a[i]!;
  return (bits & ~1) === 0;
}
