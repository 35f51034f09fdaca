// Batched CartPole-v1 (EnvPool style): N carts held as struct-of-arrays in Float64Arrays, each reset and stepped in
// place, writing straight into the preallocated output rows; autoreset, seeding and subsets are the core's
// (BatchedVectorEnv). Behaves exactly like a SyncVectorEnv of N TimeLimit(CartPoleEnv, 500) with the same seeds: same
// per-sub-env random streams, same floats, same autoreset.
import type { AutoresetMode, Info } from '../../src/core/types.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { Discrete } from '../../src/core/spaces/discrete.ts';
import { ActionBatch } from '../../src/core/vector/action-batch.ts';
import { BatchedVectorEnv, checkNumEnvs, type FlatSubEnvs } from '../../src/core/vector/batched-vector-env.ts';
import { EMPTY_INFO, type EnvIds, type VectorActions } from '../../src/core/vector/vector-env.ts';
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
  parseResetBounds,
} from './cartpole-physics.ts';

export interface CartPoleVectorOptions {
  numEnvs: number;
  autoresetMode?: AutoresetMode;
  maxEpisodeSteps?: number;
  /** As CartPoleEnv's option: reward 0 per surviving step, -1 on the failing step. */
  suttonBartoReward?: boolean;
}

/** Reset bounds of the four state variables (CartPoleEnv's options.low / options.high). */
interface ResetBounds {
  low: number;
  high: number;
}

/** N carts as sub-envs: reset-one draws a state from the cart's own stream, step-one integrates one Euler step. */
class Carts implements FlatSubEnvs<ResetBounds> {
  readonly numEnvs: number;
  readonly singleObservationSpace = cartPoleObservationSpace();
  readonly singleActionSpace = new Discrete(2);
  readonly obsDim = 4;
  readonly actionDim = 1;
  readonly maxEpisodeSteps: number;
  readonly suttonBartoReward: boolean;
  readonly observations: Float32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  // Struct of arrays, float64 like Gymnasium's state.
  private readonly x: Float64Array;
  private readonly xDot: Float64Array;
  private readonly theta: Float64Array;
  private readonly thetaDot: Float64Array;
  private readonly elapsed: Int32Array;
  private readonly rngs: (Rng | null)[];
  private readonly batch: ActionBatch;
  /** The step's actions by sub-env: the caller's Int32Array when it is a whole valid batch, else actionSlots. */
  private act: Int32Array;
  private readonly actionSlots: Int32Array;

  constructor(options: CartPoleVectorOptions) {
    const n = options.numEnvs;
    checkNumEnvs(n);
    const maxSteps = options.maxEpisodeSteps ?? MAX_EPISODE_STEPS;
    if (!Number.isSafeInteger(maxSteps) || maxSteps <= 0)
      throw new InvalidArgumentError(`maxEpisodeSteps must be a positive integer (got ${String(maxSteps)})`);
    if (options.suttonBartoReward !== undefined && typeof options.suttonBartoReward !== 'boolean') {
      throw new InvalidArgumentError(
        `suttonBartoReward must be true or false (got ${String(options.suttonBartoReward)})`,
      );
    }
    this.numEnvs = n;
    this.maxEpisodeSteps = maxSteps;
    this.suttonBartoReward = options.suttonBartoReward ?? false;
    this.x = new Float64Array(n);
    this.xDot = new Float64Array(n);
    this.theta = new Float64Array(n);
    this.thetaDot = new Float64Array(n);
    this.elapsed = new Int32Array(n);
    this.rngs = new Array<Rng | null>(n).fill(null);
    this.observations = new Float32Array(n * 4);
    this.rewards = new Float32Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.batch = new ActionBatch(this.singleActionSpace, n);
    this.actionSlots = new Int32Array(n);
    this.act = this.actionSlots;
  }

  resetOptions(options: Record<string, unknown> | undefined): ResetBounds {
    const [low, high] = parseResetBounds(options ?? {}, (m) => new InvalidArgumentError(m));
    return { low, high };
  }

  loadActions(actions: VectorActions, ids: EnvIds | null, skip: Uint8Array): void {
    // The hot path reads an Int32Array only (one element kind for V8); other forms are checked and copied into one.
    if (ids === null && actions instanceof Int32Array && actions.length === this.numEnvs && allBinary(actions)) {
      this.act = actions;
      return;
    }
    this.batch.load(actions, ids === null ? this.numEnvs : ids.length);
    this.batch.discreteInto(this.actionSlots, ids, skip);
    this.act = this.actionSlots;
  }

  /** Draws x, x_dot, theta, theta_dot from cart i's own stream, in that order, as CartPoleEnv.reset does. */
  resetOne(i: number, seed: number | undefined, bounds: ResetBounds): Info {
    let rng = this.rngs[i];
    if (seed !== undefined) rng = this.rngs[i] = new Rng(seed);
    else if (rng === null || rng === undefined) rng = this.rngs[i] = new Rng();
    const { low, high } = bounds;
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
    return EMPTY_INFO;
  }

  stepOne(i: number): Info {
    const xi = this.x[i]!,
      vi = this.xDot[i]!,
      th = this.theta[i]!,
      w = this.thetaDot[i]!;
    const force = this.act[i] === 1 ? FORCE_MAG : -FORCE_MAG;
    const c = Math.cos(th);
    const s = Math.sin(th);
    const temp = (force + POLE_MASS_LENGTH * (w * w) * s) / TOTAL_MASS;
    const thetaAcc = (GRAVITY * s - c * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * (c * c)) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * c) / TOTAL_MASS;
    const nx = xi + TAU * vi;
    const nv = vi + TAU * xAcc;
    const nth = th + TAU * w;
    const nw = w + TAU * thetaAcc;
    this.x[i] = nx;
    this.xDot[i] = nv;
    this.theta[i] = nth;
    this.thetaDot[i] = nw;
    const obs = this.observations;
    const o = i * 4;
    obs[o] = nx;
    obs[o + 1] = nv;
    obs[o + 2] = nth;
    obs[o + 3] = nw;
    const t = nx < -X_THRESHOLD || nx > X_THRESHOLD || nth < -THETA_THRESHOLD_RADIANS || nth > THETA_THRESHOLD_RADIANS;
    this.rewards[i] = this.suttonBartoReward ? (t ? -1 : 0) : 1;
    this.terminated[i] = t ? 1 : 0;
    this.truncated[i] = ++this.elapsed[i]! >= this.maxEpisodeSteps ? 1 : 0;
    return EMPTY_INFO;
  }

  finalObservation(i: number): Float32Array {
    return this.observations.slice(i * 4, i * 4 + 4);
  }

  close(): void {}
}

export class CartPoleVectorEnv extends BatchedVectorEnv<Carts> {
  readonly maxEpisodeSteps: number;
  readonly suttonBartoReward: boolean;

  constructor(options: CartPoleVectorOptions) {
    const carts = new Carts(options);
    super(carts, options.autoresetMode ?? 'next-step');
    this.maxEpisodeSteps = carts.maxEpisodeSteps;
    this.suttonBartoReward = carts.suttonBartoReward;
  }
}

function allBinary(a: Int32Array): boolean {
  let bits = 0;
  for (let i = 0; i < a.length; i++) bits |= a[i]!;
  return (bits & ~1) === 0;
}
