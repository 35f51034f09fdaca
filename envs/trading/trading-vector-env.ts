// The batched trading vector env (EnvPool style): N sub-envs over one shared MarketData and feature matrix, accounts
// as struct-of-arrays in the execution kernel's book, outputs in preallocated typed arrays. What the server and the
// agents use. Sub-env i behaves exactly like TradingEnv / PortfolioEnv reset with seed + i (same code path: TradingCore).
// Autoreset, seeding and subsets are the core's (BatchedVectorEnv); this file supplies reset-one / step-one over
// TradingCore. Per-step infos are EMPTY_INFO (no allocation); finished sub-envs carry `metrics` (and, in same-step mode,
// `final_observation`/`final_info`). Live per-sub-env numbers are in `state` (typed arrays, read-only).
import type { AutoresetMode, Info, Space } from '../../src/core/types.ts';
import { InvalidActionError, InvalidArgumentError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import type { Box } from '../../src/core/spaces/box.ts';
import { describeValue } from '../../src/core/spaces/space.ts';
import {
  BatchedVectorEnv,
  checkNumEnvs,
  FlatSlots,
  type FlatSubEnvs,
} from '../../src/core/vector/batched-vector-env.ts';
import {
  EMPTY_INFO,
  type EnvIds,
  type ObservationWindow,
  type VectorActions,
} from '../../src/core/vector/vector-env.ts';
import type { RowSteps } from '../../src/core/vector/sub-envs.ts';
import type { ActionScheme } from './actions.ts';
import { observationSpace } from './observation.ts';
import { portfolioActionSpace, portfolioTargets } from './portfolio-actions.ts';
import { portfolioSetup, tradingSetup } from './setup.ts';
import { startFromOptions } from './start-option.ts';
import { TradingCore } from './trading-core.ts';

export interface TradingVectorEnvOptions {
  numEnvs: number;
  autoresetMode?: AutoresetMode;
  kwargs?: Record<string, unknown>;
  /** 'trading' (tg4/Trading-v0, default) or 'portfolio' (tg4/Portfolio-v0). */
  kind?: 'trading' | 'portfolio';
}

type Start = ReturnType<typeof startFromOptions>;

/** What the sub-envs of one kind are built on: the core of N sub-envs and the action rule over it. */
interface CoreSetup {
  core: TradingCore;
  actionSpace: Space;
  scheme: ActionScheme | null;
  maxGross: number;
  windowStride: number;
}

function coreSetup(options: TradingVectorEnvOptions): CoreSetup {
  const n = options.numEnvs;
  checkNumEnvs(n); // before the core allocates N sub-envs
  const kwargs = options.kwargs ?? {};
  const setup = (options.kind ?? 'trading') === 'portfolio' ? portfolioSetup(kwargs) : tradingSetup(kwargs);
  const core = new TradingCore(setup.data, { ...setup.core, numEnvs: n, windowArena: true });
  const windowStride = setup.core.decisionInterval;
  if ('scheme' in setup)
    return { core, windowStride, actionSpace: setup.scheme.space, scheme: setup.scheme, maxGross: Infinity };
  const actionSpace = portfolioActionSpace(setup.data.symbols.length);
  return { core, windowStride, actionSpace, scheme: null, maxGross: setup.config.maxGrossExposure };
}

/**
 * The sub-envs of one TradingCore: the step's actions become target exposures, then the core resets or steps one. The
 * observation, reward and end-flag slots are the core's own arrays.
 */
class TradingSubEnvs extends FlatSlots<Box<Float32Array>> implements FlatSubEnvs<Start> {
  readonly core: TradingCore;
  /** Discrete/continuous scheme of Trading-v0; null for Portfolio-v0 (Box of target weights). */
  readonly scheme: ActionScheme | null;
  /** Bars one step moves the observation's feature window: the decision interval. */
  readonly windowStride: number;
  private readonly maxGross: number;
  private readonly rngs: Rng[];
  /** Discrete action index per sub-env for the step being loaded. */
  private readonly actionIndex: Int32Array;
  /** Row read by weightOf (one closure for every portfolio row, not one per row and step). */
  private row = 0;
  private readonly weightOf = (k: number): unknown => this.batch.value(this.row, k);

  constructor(options: TradingVectorEnvOptions) {
    const setup = coreSetup(options);
    const core = setup.core;
    const space = observationSpace(core.windowSize, core.data.numFeatures, core.portfolioDim);
    super(options.numEnvs, space, setup.actionSpace, core.obsDim, core);
    this.core = core;
    this.scheme = setup.scheme;
    this.maxGross = setup.maxGross;
    this.windowStride = setup.windowStride;
    this.rngs = Array.from({ length: this.numEnvs }, () => new Rng());
    this.actionIndex = new Int32Array(this.numEnvs);
    // Feature windows are copied for the whole batch in flush(), so that the 3 KB copies do not evict the account
    // columns from L1 between sub-envs.
    core.deferWindows = true;
  }

  resetOptions(options: Record<string, unknown> | undefined): Start {
    return startFromOptions(options ?? {}, this.core.data);
  }

  /** Validates the whole batch (shape, dtype, range, NaN) before any sub-env moves, then writes the targets. */
  loadActions(actions: VectorActions, ids: EnvIds | null, skip: Uint8Array): void {
    const scheme = this.scheme;
    const targets = this.core.targets;
    const levels = scheme?.levels ?? null;
    // Fast path (what agents send): a whole discrete batch as an Int32Array of valid indices. Anything else, or an
    // invalid index, takes the shared validation below (which names the sub-env and the space).
    if (levels !== null && ids === null && actions instanceof Int32Array && actions.length === this.numEnvs) {
      let i = 0;
      for (; i < this.numEnvs; i++) {
        const a = actions[i]!;
        if (a >= 0 && a < levels.length) targets[i] = levels[a]!;
        else if (skip[i] === 0) break;
      }
      if (i === this.numEnvs) return;
    }
    const rows = ids === null ? this.numEnvs : ids.length;
    const batch = this.batch;
    batch.load(actions, rows);
    if (levels !== null) {
      batch.discreteInto(this.actionIndex, ids, skip);
      for (let r = 0; r < rows; r++) {
        const i = ids === null ? r : ids[r]!;
        targets[i] = levels[this.actionIndex[i]!]!;
      }
      return;
    }
    const d = this.actionDim;
    for (let r = 0; r < rows; r++) {
      const i = ids === null ? r : ids[r]!;
      if (skip[i] === 1) continue;
      if (scheme !== null) {
        const a = batch.value(r, 0);
        if (typeof a !== 'number') {
          throw new InvalidActionError(
            `action ${describeValue(a)} for sub-env ${i} is not in ${String(this.singleActionSpace)}: no sub-env was stepped`,
          );
        }
        targets[i] = checkedTarget(scheme, a, i);
      } else {
        this.row = r;
        portfolioTargets(this.weightOf, d, this.maxGross, targets, i * d, i);
      }
    }
  }

  resetOne(i: number, seed: number | undefined, start: Start): Info {
    if (seed !== undefined) this.rngs[i] = new Rng(seed);
    this.core.resetOne(i, this.rngs[i]!, start);
    return EMPTY_INFO;
  }

  stepOne(i: number): Info {
    const core = this.core;
    core.stepOne(i);
    return core.terminated[i] === 1 || core.truncated[i] === 1 ? { metrics: core.metrics(i) } : EMPTY_INFO;
  }

  /** The whole-batch loop here, so that V8 sees only this class at the stepOne call site (see SubEnvs.stepAll). */
  stepAll(rows: RowSteps): void {
    for (let i = 0; i < this.numEnvs; i++) {
      if (rows.beginRow(i)) rows.endRow(i, this.stepOne(i), (this.terminated[i]! | this.truncated[i]!) !== 0);
    }
  }

  finalObservation(i: number): Float32Array {
    const o = i * this.obsDim;
    this.core.copyWindow(i);
    return this.observations.slice(o, o + this.obsDim);
  }

  /** The feature windows of every reset or stepped sub-env in one pass (core.deferWindows). */
  flush(ids: EnvIds | null): void {
    const core = this.core;
    if (ids === null) for (let i = 0; i < this.numEnvs; i++) core.copyWindow(i);
    else for (const i of ids) core.copyWindow(i);
  }

  close(): void {}
}

export class TradingVectorEnv extends BatchedVectorEnv<TradingSubEnvs> {
  declare readonly singleObservationSpace: Box<Float32Array>;
  readonly core: TradingCore;
  /** Discrete/continuous scheme of Trading-v0; null for Portfolio-v0 (Box of target weights). */
  readonly scheme: ActionScheme | null;
  private readonly masks: Uint8Array;
  private readonly windowStride: number;

  constructor(options: TradingVectorEnvOptions) {
    const subEnvs = new TradingSubEnvs(options);
    super(subEnvs, options.autoresetMode ?? 'next-step');
    this.core = subEnvs.core;
    this.scheme = subEnvs.scheme;
    this.windowStride = subEnvs.windowStride;
    this.masks = new Uint8Array(this.numEnvs * (this.scheme?.levels?.length ?? 0));
  }

  get featureSpecHash(): string | null {
    return this.core.data.specHash ?? null;
  }

  /** Observations start with windowSize rows of the feature matrix, one bar per row (observation.ts); a step moves k bars. */
  get observationWindow(): ObservationWindow {
    return { rows: this.core.windowSize, cols: this.core.data.numFeatures, stride: this.windowStride };
  }

  /** Live per-sub-env numbers (typed arrays owned by the env, updated in place every step). */
  get state(): {
    bar: Int32Array;
    equity: Float64Array;
    exposure: Float64Array;
    costs: Float64Array;
    cash: Float64Array;
    position: Float64Array;
    feesPaid: Float64Array;
  } {
    const c = this.core;
    return {
      bar: c.bar,
      equity: c.equity,
      exposure: c.exposure,
      costs: c.costs,
      cash: c.book.cash,
      position: c.book.size,
      feesPaid: c.book.feesPaid,
    };
  }

  /** Masks of all sub-envs, N × actions (1 = allowed); only for discrete schemes. */
  actionMasks(): Uint8Array {
    const levels = this.scheme?.levels ?? null;
    if (levels === null)
      throw new InvalidArgumentError(
        'actionMasks(): only the discrete trading schemes (discrete3, discrete-sized) have action masks',
      );
    for (let i = 0; i < this.numEnvs; i++) this.core.actionMask(i, levels, this.masks, i * levels.length);
    return this.masks;
  }

  /** SB3 / sb3-contrib name (env_method('action_masks')): one boolean row per sub-env. */
  action_masks(): boolean[][] {
    const m = this.actionMasks();
    const k = this.scheme!.levels!.length;
    return Array.from({ length: this.numEnvs }, (_, i) => Array.from(m.subarray(i * k, i * k + k), (v) => v === 1));
  }
}

function checkedTarget(scheme: ActionScheme, a: number, i: number): number {
  const levels = scheme.levels;
  if (levels !== null) {
    if (!(a >= 0 && a < levels.length) || Math.floor(a) !== a) {
      throw new InvalidActionError(
        `action ${a} for sub-env ${i} is not in ${String(scheme.space)}: no sub-env was stepped`,
      );
    }
    return levels[a]!;
  }
  if (!(a >= -1 && a <= 1))
    throw new InvalidActionError(
      `action ${a} for sub-env ${i} is not in Box(-1.0, 1.0, (1,)) (NaN included): no sub-env was stepped`,
    );
  return a * scheme.exposure;
}
