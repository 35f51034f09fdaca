// Batched CartPole-v1 (EnvPool style): N cart states in one N × 4 Float64Array, each reset and stepped in place (the
// single env's eulerStep), writing straight into the preallocated output rows; autoreset, seeding and subsets are the core's
// (BatchedVectorEnv). Behaves exactly like a SyncVectorEnv of N TimeLimit(CartPoleEnv, 500) with the same seeds: same
// per-sub-env random streams, same floats, same autoreset.
import type { AutoresetMode, Info } from '../../src/core/types.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { Discrete } from '../../src/core/spaces/discrete.ts';
import { BatchedVectorEnv, FlatSlots, type FlatSubEnvs } from '../../src/core/vector/batched-vector-env.ts';
import type { RowSteps } from '../../src/core/vector/sub-envs.ts';
import { EMPTY_INFO, type EnvIds, type VectorActions } from '../../src/core/vector/vector-env.ts';
import { cartPoleObservationSpace } from './cartpole.ts';
import { MAX_EPISODE_STEPS, eulerStep, parseResetBounds } from './cartpole-physics.ts';

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
class Carts extends FlatSlots implements FlatSubEnvs<ResetBounds> {
  readonly maxEpisodeSteps: number;
  readonly suttonBartoReward: boolean;
  /** Cart i's x, x_dot, theta, theta_dot at [4i … 4i+3], float64 like Gymnasium's state. */
  private readonly state: Float64Array;
  private readonly elapsed: Int32Array;
  private readonly rngs: (Rng | null)[];
  /** The step's actions by sub-env: the caller's Int32Array when it is a whole valid batch, else actionSlots. */
  private act: Int32Array;
  private readonly actionSlots: Int32Array;

  constructor(options: CartPoleVectorOptions) {
    super(options.numEnvs, cartPoleObservationSpace(), new Discrete(2), 4);
    const n = options.numEnvs;
    const maxSteps = options.maxEpisodeSteps ?? MAX_EPISODE_STEPS;
    if (!Number.isSafeInteger(maxSteps) || maxSteps <= 0)
      throw new InvalidArgumentError(`maxEpisodeSteps must be a positive integer (got ${String(maxSteps)})`);
    if (options.suttonBartoReward !== undefined && typeof options.suttonBartoReward !== 'boolean') {
      throw new InvalidArgumentError(
        `suttonBartoReward must be true or false (got ${String(options.suttonBartoReward)})`,
      );
    }
    this.maxEpisodeSteps = maxSteps;
    this.suttonBartoReward = options.suttonBartoReward ?? false;
    this.state = new Float64Array(n * 4);
    this.elapsed = new Int32Array(n);
    this.rngs = new Array<Rng | null>(n).fill(null);
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
    const o = i * 4;
    for (let k = o; k < o + 4; k++) {
      const v = rng.uniform(bounds.low, bounds.high);
      this.state[k] = v;
      this.observations[k] = v;
    }
    this.elapsed[i] = 0;
    return EMPTY_INFO;
  }

  // Small enough for V8 to inline into the pool's loop (under 460 bytes of bytecode, eulerStep apart).
  stepOne(i: number): Info {
    const s = this.state;
    const o = i * 4;
    const t = eulerStep(s, o, this.act[i] === 1, this.observations);
    this.rewards[i] = this.suttonBartoReward ? (t ? -1 : 0) : 1;
    this.terminated[i] = t ? 1 : 0;
    this.truncated[i] = ++this.elapsed[i]! >= this.maxEpisodeSteps ? 1 : 0;
    return EMPTY_INFO;
  }

  /** The whole-batch loop here, so that V8 sees only Carts at the stepOne call site (see SubEnvs.stepAll). */
  stepAll(rows: RowSteps): void {
    for (let i = 0; i < this.numEnvs; i++) {
      if (rows.beginRow(i)) rows.endRow(i, this.stepOne(i), (this.terminated[i]! | this.truncated[i]!) !== 0);
    }
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
