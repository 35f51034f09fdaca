// The batched trading vector env (EnvPool style): N sub-envs over one shared MarketData and feature matrix, accounts
// as struct-of-arrays in the execution kernel's book, outputs in preallocated typed arrays. What the server and the
// agents use. Sub-env i behaves exactly like TradingEnv / PortfolioEnv reset with seed + i (same code path: TradingCore).
// Per-step infos are EMPTY_INFO (no allocation); finished sub-envs carry `metrics` (and, in same-step mode,
// `final_observation`/`final_info`). Live per-sub-env numbers are in `state` (typed arrays, read-only).
import type { AutoresetMode, EnvSpec, Info, Space, VectorResetResult, VectorStepResult } from '../../src/core/types.ts';
import { ClosedEnvError, InvalidActionError, InvalidArgumentError, ResetNeededError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import type { Box } from '../../src/core/spaces/box.ts';
import { dtypeOfArray } from '../../src/core/spaces/dtype.ts';
import { describeValue } from '../../src/core/spaces/space.ts';
import { subEnvSeeds } from '../../src/core/vector/sync-vector-env.ts';
import {
  EMPTY_INFO,
  type VectorActions,
  type VectorEnv,
  type VectorResetArgs,
} from '../../src/core/vector/vector-env.ts';
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

export class TradingVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box<Float32Array>;
  readonly singleActionSpace: Space;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly autoresetMode: AutoresetMode;
  spec: EnvSpec | null = null;
  readonly core: TradingCore;
  /** Discrete/continuous scheme of Trading-v0; null for Portfolio-v0 (Box of target weights). */
  readonly scheme: ActionScheme | null;
  private readonly maxGross: number;
  private readonly rngs: Rng[];
  private readonly pendingReset: Uint8Array;
  private readonly infos: Info[];
  private readonly result: VectorStepResult;
  private readonly masks: Uint8Array;
  private dirtyInfos = false;
  private started = false;
  private closed = false;

  constructor(options: TradingVectorEnvOptions) {
    const n = options.numEnvs;
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new InvalidArgumentError(`numEnvs must be a positive integer (got ${String(n)})`);
    const mode = options.autoresetMode ?? 'next-step';
    if (mode !== 'next-step' && mode !== 'same-step')
      throw new InvalidArgumentError(`autoresetMode must be 'next-step' or 'same-step' (got ${String(mode)})`);
    this.numEnvs = n;
    this.autoresetMode = mode;
    const kwargs = options.kwargs ?? {};
    if ((options.kind ?? 'trading') === 'portfolio') {
      const setup = portfolioSetup(kwargs);
      this.core = new TradingCore(setup.data, { ...setup.core, numEnvs: n, windowArena: true });
      this.scheme = null;
      this.maxGross = setup.config.maxGrossExposure;
      this.singleActionSpace = portfolioActionSpace(setup.data.symbols.length);
      this.actionDim = setup.data.symbols.length;
    } else {
      const setup = tradingSetup(kwargs);
      this.core = new TradingCore(setup.data, { ...setup.core, numEnvs: n, windowArena: true });
      this.scheme = setup.scheme;
      this.maxGross = Infinity;
      this.singleActionSpace = setup.scheme.space;
      this.actionDim = 1;
    }
    this.obsDim = this.core.obsDim;
    this.singleObservationSpace = observationSpace(
      this.core.windowSize,
      this.core.data.numFeatures,
      this.core.portfolioDim,
    );
    this.rngs = Array.from({ length: n }, () => new Rng());
    this.pendingReset = new Uint8Array(n);
    this.infos = new Array<Info>(n).fill(EMPTY_INFO);
    this.result = {
      observations: this.core.observations,
      rewards: this.core.rewards,
      terminated: this.core.terminated,
      truncated: this.core.truncated,
      infos: this.infos,
    };
    this.masks = new Uint8Array(n * (this.scheme?.levels?.length ?? 0));
    this.core.deferWindows = true;
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

  reset(args: VectorResetArgs = {}): VectorResetResult {
    if (this.closed) throw new ClosedEnvError();
    const seeds = subEnvSeeds(args.seed, this.numEnvs);
    const start = startFromOptions(args.options ?? {}, this.core.data);
    for (let i = 0; i < this.numEnvs; i++) {
      if (seeds !== null) this.rngs[i] = new Rng(seeds[i]!);
      this.core.resetOne(i, this.rngs[i]!, start);
      this.infos[i] = EMPTY_INFO;
    }
    for (let i = 0; i < this.numEnvs; i++) this.core.copyWindow(i);
    this.pendingReset.fill(0);
    this.dirtyInfos = false;
    this.started = true;
    return { observations: this.core.observations, infos: this.infos };
  }

  step(actions: VectorActions): VectorStepResult {
    if (this.closed) throw new ClosedEnvError();
    if (!this.started)
      throw new ResetNeededError('step() was called before reset(): call reset() on the vector env first');
    this.loadTargets(actions);
    const n = this.numEnvs;
    const core = this.core;
    const pending = this.pendingReset;
    if (this.dirtyInfos) {
      this.infos.fill(EMPTY_INFO);
      this.dirtyInfos = false;
    }
    for (let i = 0; i < n; i++) {
      if (pending[i] === 1) {
        // next-step autoreset: this step's action is ignored; the new episode's first observation, reward 0.
        core.resetOne(i, this.rngs[i]!);
        pending[i] = 0;
        continue;
      }
      core.stepOne(i);
      if (core.terminated[i] === 1 || core.truncated[i] === 1) this.finish(i);
    }
    // The feature windows of all sub-envs in one pass (core.deferWindows).
    for (let i = 0; i < n; i++) core.copyWindow(i);
    return this.result;
  }

  private finish(i: number): void {
    const core = this.core;
    const info: Info = { metrics: core.metrics(i) };
    this.dirtyInfos = true;
    if (this.autoresetMode === 'next-step') {
      this.pendingReset[i] = 1;
      this.infos[i] = info;
      return;
    }
    const o = i * core.obsDim;
    core.copyWindow(i);
    const finalObservation = core.observations.slice(o, o + core.obsDim);
    const term = core.terminated[i]!;
    const trunc = core.truncated[i]!;
    const reward = core.rewards[i]!;
    core.resetOne(i, this.rngs[i]!);
    core.terminated[i] = term;
    core.truncated[i] = trunc;
    core.rewards[i] = reward;
    this.infos[i] = { final_observation: finalObservation, final_info: info };
  }

  /** Validates the whole batch (shape, dtype, range, NaN) before any sub-env moves, then writes the targets. */
  private loadTargets(actions: VectorActions): void {
    const n = this.numEnvs;
    const d = this.actionDim;
    const dt = dtypeOfArray(actions);
    if (dt === null && !Array.isArray(actions)) {
      throw new InvalidActionError(
        `actions must be a typed array of ${n * d} values (${n} sub-envs × ${d}), got ${describeValue(actions)}`,
      );
    }
    const arr = actions as ArrayLike<unknown>;
    // A plain array of per-sub-env actions ([[0.5], [−1]] or [0, 2, 1]) is flattened on the fly.
    const nested = Array.isArray(actions) && arr.length === n && d > 1;
    if (!nested && arr.length !== n * d) {
      throw new InvalidActionError(
        `expected ${n * d} action values (${n} sub-envs × ${d} for ${String(this.singleActionSpace)}), got ${arr.length}`,
      );
    }
    const scheme = this.scheme;
    const pending = this.pendingReset;
    const targets = this.core.targets;
    const levels = scheme?.levels ?? null;
    if (levels !== null && actions instanceof Int32Array) {
      // Fast path (what agents send): a discrete batch as an Int32Array.
      const K = levels.length;
      for (let i = 0; i < n; i++) {
        const a = actions[i]!;
        if (a >= 0 && a < K) targets[i] = levels[a]!;
        else if (pending[i] === 0)
          throw new InvalidActionError(
            `action ${a} for sub-env ${i} is not in ${String(scheme!.space)}: no sub-env was stepped`,
          );
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      if (pending[i] === 1) continue;
      if (scheme !== null) {
        let a = arr[i];
        if (Array.isArray(a) || ArrayBuffer.isView(a)) a = (a as ArrayLike<unknown>)[0];
        if (typeof a !== 'number')
          throw new InvalidActionError(
            `action ${describeValue(a)} for sub-env ${i} is not in ${String(this.singleActionSpace)}: no sub-env was stepped`,
          );
        if (scheme.discrete && (dt === 'float32' || dt === 'float64')) {
          throw new InvalidActionError(
            `${String(this.singleActionSpace)} actions must be integers: pass an Int32Array, not a ${dt} array`,
          );
        }
        targets[i] = checkedTarget(scheme, a, i);
      } else {
        const row = nested ? (arr[i] as ArrayLike<unknown>) : null;
        portfolioTargets((k) => (row !== null ? row[k] : arr[i * d + k]), d, this.maxGross, targets, i * d, i);
      }
    }
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

  close(): void {
    this.closed = true;
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
