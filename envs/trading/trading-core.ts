// (~720 lines on purpose: a step reads ~40 typed-array fields of this one object; split up, each costs a load.)
// The stepping loop shared by every trading env: N sub-envs × S symbols as struct-of-arrays over one MarketData, with
// accounts in the execution kernel's AccountBook (src/execution/kernel.ts), so a sub-env's numbers are exactly the
// executor's. TradingEnv is this core with N = 1; TradingVectorEnv and PortfolioEnv use it as it is. Nothing here
// allocates per step.
//
// One step of sub-env i, decision at the close of bar t (stepOne):
//   1. placeOrders: rollover due at bar t+1's open, then the agent's target exposures (set in `targets`) become market
//      orders at that open (+ slippage, fees, caps; none on a gap-filled bar; flips under a cooldown only close); a
//      position opened here gets its ATR stop / target (ATR of bar t) and max-hold deadline. Skipped when the step holds;
//   2. exitsAndMark: stops, targets, max-hold and liquidation inside bar t+1 (the kernel's pessimistic intrabar rule);
//   3. settle, the one end of every step: the account marked at bar t+1's close; reward from the step's account
//      numbers; termination on ruin/drawdown; truncation at the episode length or when no bar t+2 is left to fill at;
//      the observation for the decision at bar t+1's close: feature rows ≤ t+1 and the portfolio state.
// With decisionInterval k > 1 one step spans bars t+1 … t+k: the orders of step 1 at bar t+1's open only, then for
// each later bar exitsAndMark and the per-bar part of settle (mark, reward, termination) again, no order placed; the
// step's reward is the sum of the k per-bar rewards, and it ends early on termination or at the end of the data.
// The rules in trader's terms: docs/trading-env.md, "Trading rules".
import * as K from '../../src/execution/kernel.ts';
import { accountMetrics, MS_PER_YEAR, type AccountMetrics } from '../../src/execution/metrics.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import type { Rng } from '../../src/core/rng.ts';
import { type ExecutorConfig, symbolParamsOf } from './config.ts';
import { firstDecisionBar, type MarketData } from './market-data.ts';
import type { WindowCopier } from './observation.ts';
import { createReward, RewardInputs, type RewardScheme, type RewardSpec } from './rewards/index.ts';
import { maskLevels } from './action-mask.ts';

// Kernel entry points bound once at load: under tsx the modules are linked through CommonJS interop, where every `K.x`
// read in the step loop is a getter call (two for a namespace import) that V8 does not inline (~10% of a step).
const ORDER_OK = K.ORDER_OK;
const REASON_NONE = K.REASON_NONE;
const REASON_TAKE_PROFIT = K.REASON_TAKE_PROFIT;
const orderToTarget = K.orderToTarget;
const accrueRollover = K.accrueRollover;
const processPackedBar = K.processPackedBar;
const markAccount = K.markAccount;
const resetAccount = K.resetAccount;

export interface CoreOptions {
  numEnvs: number;
  windowSize: number;
  executor: ExecutorConfig;
  reward: RewardSpec;
  episodeLength: number | null;
  start: 'random' | 'first' | number;
  ruinFraction: number;
  maxDrawdown: number | null;
  cooldownBars: number;
  /** Bars per decision step (1: every bar). */
  decisionInterval: number;
  timeScale: number;
  /** Discrete schemes hold a position while the same level is chosen again; continuous ones use the threshold. */
  discrete: boolean;
  rebalanceThreshold: number;
  /**
   * Vector envs: keep a private copy of the feature matrix in the same buffer as the observations and copy windows with
   * copyWithin (no per-bar view object to load: ~40 ns less per sub-env step). Costs one matrix of memory per core;
   * skipped above MAX_ARENA_FLOATS. `observations` is then a view at offset 0 of that larger buffer.
   */
  windowArena?: boolean;
}

/** Largest feature matrix (floats) copied into a window arena: 16 M floats = 64 MB. */
const MAX_ARENA_FLOATS = 16 * 1024 * 1024;

/** Gap-fill flags of every symbol, bar-major (t·S + s), or null when no bar of the data is a gap fill. */
function gapFlags(d: MarketData): Uint8Array | null {
  const S = d.symbols.length;
  let out: Uint8Array | null = null;
  d.frames.forEach((f, s) => {
    const filled = f.filled;
    if (filled === undefined || filled.length !== d.length || filled.indexOf(1) < 0) return;
    out ??= new Uint8Array(d.length * S);
    for (let t = 0; t < d.length; t++) out[t * S + s] = filled[t]!;
  });
  return out;
}

/** What an episode's end reports (info.metrics): the account's metrics at the mark, and what closing would leave. */
export interface EpisodeMetrics extends AccountMetrics {
  /** Equity if every open position were closed at the last close by a market order (slippage and fee paid). */
  liquidationValue: number;
  /** Decision steps taken. */
  steps: number;
  /** Bars the episode ran over (steps × decisionInterval, the last step possibly cut short). */
  bars: number;
  startTime: string;
  endTime: string;
}

/** Per-symbol observation fields, then one account field. */
export const SYMBOL_STATE_FIELDS = ['exposure', 'unrealized_pnl', 'time_in_trade'] as const;

export class TradingCore extends RewardInputs {
  readonly n: number;
  readonly S: number;
  readonly data: MarketData;
  readonly windowSize: number;
  readonly obsDim: number;
  readonly portfolioDim: number;
  readonly book: K.AccountBook;
  readonly params: K.KernelParams;
  readonly reward: RewardScheme;
  readonly periodsPerYear: number;
  readonly minStart: number;

  // ---- per sub-env (and, from RewardInputs, the current decision bar and the account numbers a reward reads)
  readonly startBar: Int32Array;
  readonly steps: Int32Array;
  readonly episodeSteps: Int32Array;

  // ---- per slot (i·S + s)
  /** Target exposures for the next step, set by the env from the actions. */
  readonly targets: Float64Array;
  /** Last target exposure acted on (discrete hold rule). */
  readonly level: Float64Array;
  /** Bar the open trade started at, −1 when flat. */
  readonly entryBar: Int32Array;
  /** First fill bar at which a new entry is allowed again. */
  readonly cooldownUntil: Int32Array;
  /** This step's order fill (qty 0 = none) and exit (reason 0 = none; with decisionInterval > 1, the step's one exit). */
  readonly orderQty: Float64Array;
  readonly orderPrice: Float64Array;
  readonly orderFee: Float64Array;
  readonly orderStatus: Uint8Array;
  readonly exitReason: Uint8Array;
  readonly exitQty: Float64Array;
  readonly exitPrice: Float64Array;
  readonly exitFee: Float64Array;
  /** The bar this step's exit filled in (a held bar with decisionInterval > 1). */
  readonly exitBar: Int32Array;
  /** 1 when this step's entry was refused by the cooldown. */
  readonly blocked: Uint8Array;
  // ---- per sub-env, within a step: fees and traded notional before it, slippage paid in it (no doubles cross calls)
  private readonly feesBefore: Float64Array;
  private readonly tradedBefore: Float64Array;
  private readonly slippagePaid: Float64Array;

  // ---- outputs
  /**
   * decisionInterval > 1 only: equity at the close of each bar of sub-env i's last step, at [i·k, i·k + barsInStep[i]),
   * the last one equal to equity[i] (the single envs' per-bar equity curve).
   */
  readonly stepEquity: Float64Array;
  readonly barsInStep: Int32Array;
  readonly observations: Float32Array;
  readonly rewards: Float32Array;
  /** The rewards in full precision (the single envs return these; the vector env's Float32 rows are rounded). */
  readonly rewards64: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;

  private readonly copier: WindowCopier;
  /** [observations | copy of the feature matrix] when windowArena is on, else null. */
  private readonly arena: Float32Array | null;
  private readonly arenaBase: number;
  /** Prices packed by bar: row t = [time, then open, high, low, close per symbol] (one cache line per bar and symbol). */
  private readonly bars: Float64Array;
  private readonly stride: number;
  private readonly o: CoreOptions;
  // Hot-loop options as plain fields (cheaper than reading through the options object every step).
  private readonly discrete: boolean;
  private readonly threshold: number;
  private readonly cooldownBars: number;
  private readonly interval: number;
  private readonly ruinFraction: number;
  /** NaN when off. */
  private readonly maxDrawdown: number;
  private readonly invTimeScale: number;
  private readonly capital: number;
  private readonly slip: Float64Array;
  private readonly rangeEnd: number;
  /** gapFill[t·S + s] = 1 where bar t of symbol s was synthesised to fill a gap (no trading); null when none is. */
  private readonly gapFill: Uint8Array | null;
  /** Single-symbol steps that hold skip placeOrders (tests turn it off to compare both ways). */
  fastPath = true;
  /**
   * When set, steps and resets leave the feature window of the observation to copyWindow(i): the vector env copies all
   * windows after stepping every sub-env, so that the 3 KB copies do not evict the account columns from L1 between
   * sub-envs (same observations, fewer cache misses).
   */
  deferWindows = false;

  constructor(data: MarketData, o: CoreOptions) {
    const n = o.numEnvs;
    super(n);
    const S = data.symbols.length;
    this.n = n;
    this.S = S;
    this.data = data;
    this.o = o;
    this.discrete = o.discrete;
    this.threshold = o.rebalanceThreshold;
    this.cooldownBars = o.cooldownBars;
    if (!Number.isInteger(o.decisionInterval) || o.decisionInterval < 1)
      throw new InvalidArgumentError(
        `decisionInterval must be a whole number of bars ≥ 1 (got ${o.decisionInterval}): 1 acts every bar`,
      );
    this.interval = o.decisionInterval;
    this.ruinFraction = o.ruinFraction;
    this.maxDrawdown = o.maxDrawdown ?? NaN;
    this.invTimeScale = 1 / o.timeScale;
    this.windowSize = o.windowSize;
    this.portfolioDim = S * SYMBOL_STATE_FIELDS.length + 1;
    this.obsDim = o.windowSize * data.numFeatures + this.portfolioDim;
    const ex = o.executor;
    this.capital = ex.initialCapital;
    this.params = K.createParams(data.symbols.map(() => symbolParamsOf(ex)));
    this.slip = this.params.slippage;
    this.book = K.createBook(n, S, ex.initialCapital);
    this.reward = createReward(o.reward, n);
    this.periodsPerYear = MS_PER_YEAR / data.timeframeMs;
    this.minStart = firstDecisionBar(data, o.windowSize);
    const f64 = (): Float64Array => new Float64Array(n);
    this.startBar = new Int32Array(n);
    this.steps = new Int32Array(n);
    this.episodeSteps = new Int32Array(n);
    this.feesBefore = f64();
    this.tradedBefore = f64();
    this.slippagePaid = f64();
    const nS = n * S;
    this.targets = new Float64Array(nS);
    this.level = new Float64Array(nS);
    this.entryBar = new Int32Array(nS).fill(-1);
    this.cooldownUntil = new Int32Array(nS);
    this.orderQty = new Float64Array(nS);
    this.orderPrice = new Float64Array(nS);
    this.orderFee = new Float64Array(nS);
    this.orderStatus = new Uint8Array(nS);
    this.exitReason = new Uint8Array(nS);
    this.exitQty = new Float64Array(nS);
    this.exitPrice = new Float64Array(nS);
    this.exitFee = new Float64Array(nS);
    this.exitBar = new Int32Array(nS);
    this.blocked = new Uint8Array(nS);
    const obsLen = n * this.obsDim;
    const feats = data.features;
    if (o.windowArena === true && feats.length <= MAX_ARENA_FLOATS) {
      const arena = new Float32Array(obsLen + feats.length);
      arena.set(feats, obsLen);
      this.arena = arena;
      this.observations = arena.subarray(0, obsLen);
    } else {
      this.arena = null;
      this.observations = new Float32Array(obsLen);
    }
    this.arenaBase = obsLen;
    this.stepEquity = new Float64Array(o.decisionInterval > 1 ? n * o.decisionInterval : 0);
    this.barsInStep = new Int32Array(n);
    this.rewards = new Float32Array(n);
    this.rewards64 = new Float64Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.copier = data.windowCopier(o.windowSize);
    this.stride = 1 + 4 * S;
    this.bars = data.packedBars();
    this.rangeEnd = data.rangeEnd;
    this.gapFill = gapFlags(data);
  }

  /** Last bar an episode of the configured length may start at. */
  get maxStart(): number {
    const L = this.o.episodeLength;
    return L === null ? this.data.rangeEnd - 2 : this.data.rangeEnd - 1 - L * this.interval;
  }

  /** Starts a new episode in sub-env i; `start` (a bar index) overrides the configured start rule. */
  resetOne(i: number, rng: Rng, start?: number | 'random' | 'first'): void {
    const rule = start ?? this.o.start;
    const lo = this.minStart;
    const hi = this.maxStart;
    let s: number;
    if (rule === 'random') s = lo + rng.integer(hi - lo + 1);
    else if (rule === 'first') s = lo;
    else {
      if (!Number.isInteger(rule) || rule < lo || rule > hi) {
        throw new InvalidArgumentError(
          `start: bar ${rule} is outside [${lo}, ${hi}], the bars where an episode of ${this.o.episodeLength ?? 'any'} step(s) fits after the features' warm-up and the window`,
        );
      }
      s = rule;
    }
    resetAccount(this.book, i, this.capital);
    const S = this.S;
    for (let p = i * S; p < i * S + S; p++) {
      this.level[p] = 0;
      this.entryBar[p] = -1;
      this.cooldownUntil[p] = 0;
      this.targets[p] = 0;
      this.orderQty[p] = 0;
      this.exitReason[p] = 0;
      this.blocked[p] = 0;
      this.orderStatus[p] = 0;
    }
    this.bar[i] = s;
    this.startBar[i] = s;
    this.steps[i] = 0;
    // Without an episode length the end of the data truncates (that many steps is never reached with k > 1).
    this.episodeSteps[i] = this.o.episodeLength ?? this.data.rangeEnd - 1 - s;
    const e = markAccount(this.book, i, this.data.time[s]!);
    this.prevEquity[i] = e;
    this.equity[i] = e;
    this.peakEquity[i] = e;
    this.prevPeakEquity[i] = e;
    this.initialEquity[i] = e;
    this.costs[i] = 0;
    this.turnover[i] = 0;
    this.exposure[i] = 0;
    this.timeInTrade[i] = 0;
    this.rewards[i] = 0;
    this.rewards64[i] = 0;
    this.barsInStep[i] = 0;
    this.terminated[i] = 0;
    this.truncated[i] = 0;
    this.reward.reset(i);
    this.writeObservation(i);
  }

  /**
   * One step of sub-env i with the target exposures in targets[i·S …]: orders at the next open (skipped when a
   * single-symbol step holds, i.e. places no order: most steps of most policies), exits inside the bar and the mark,
   * then the one settle path (reward, termination, observation) every step takes; with decisionInterval > 1 the bars
   * after the first are held (holdBars).
   */
  stepOne(i: number): void {
    const b = this.book;
    const nx = this.bar[i]! + 1;
    const row = nx * this.stride;
    this.feesBefore[i] = b.feesPaid[i]!;
    this.tradedBefore[i] = b.tradedNotional[i]!;
    this.slippagePaid[i] = 0;
    this.clearFills(i);
    if (!(this.S === 1 && this.fastPath && this.holds(i))) this.placeOrders(i, nx, row);
    this.exitsAndMark(i, nx, row);
    if (this.interval === 1) this.settle(i, nx, row);
    else this.holdBars(i, nx, row);
  }

  /**
   * decisionInterval k > 1: bar nx (its orders placed, exits run) settled, then bars nx+1 … nx+k−1 with no order: exits
   * and the mark, each bar's reward computed by the reward scheme in bar order and summed. Stops after a terminating
   * bar or when no bar is left to fill at. The step's costs and turnover are the sums over its bars.
   */
  private holdBars(i: number, nx: number, row: number): void {
    const b = this.book;
    const k = this.interval;
    const curve = i * k;
    const feesAtStart = this.feesBefore[i]!;
    const tradedAtStart = this.tradedBefore[i]!;
    let slippage = 0;
    let sum = 0;
    let j = 0;
    for (;;) {
      sum += this.settleBar(i, nx, row);
      slippage += this.slippagePaid[i]!;
      this.stepEquity[curve + j] = this.equity[i]!;
      j++;
      if (j === k || this.terminated[i] === 1 || nx + 1 >= this.rangeEnd) break;
      this.bar[i] = nx; // the reward inputs' bar: the one before the bar being marked, as in a one-bar step
      nx++;
      row += this.stride;
      this.feesBefore[i] = b.feesPaid[i]!;
      this.tradedBefore[i] = b.tradedNotional[i]!;
      this.slippagePaid[i] = 0;
      this.exitsAndMark(i, nx, row);
    }
    this.barsInStep[i] = j;
    this.costs[i] = b.feesPaid[i]! - feesAtStart + slippage;
    this.turnover[i] = b.tradedNotional[i]! - tradedAtStart;
    this.rewards64[i] = sum;
    this.rewards[i] = sum;
    this.endStep(i, nx);
  }

  /**
   * Single symbol: true when this step places no order (placeOrders would skip the slot), so that it may be skipped.
   * Same conditions, same arithmetic as placeOrders (test/envs/trading/fast-path.test.ts compares both bit for bit).
   */
  private holds(i: number): boolean {
    const target = this.targets[i]!;
    const cur = this.book.size[i]!;
    if (this.discrete)
      return target === this.level[i]! && (cur === 0 ? target === 0 : target !== 0 && cur > 0 === target > 0);
    if (target === 0) return cur === 0;
    const b = this.book;
    const px = this.bars[(this.bar[i]! + 1) * 5 + 1]!;
    let eOpen = b.cash[i]!;
    if (cur !== 0) eOpen += cur * (px - b.entryPrice[i]!);
    return Math.abs(target - (eOpen > 0 ? (cur * px) / eOpen : 0)) <= this.threshold;
  }

  /** Clears the step's fill and exit columns of sub-env i. */
  private clearFills(i: number): void {
    for (let p = i * this.S, end = p + this.S; p < end; p++) {
      this.orderQty[p] = 0;
      this.exitReason[p] = 0;
      this.blocked[p] = 0;
      this.orderStatus[p] = 0;
    }
  }

  /** The targets of sub-env i as market orders at bar nx's open (packed row `row`); slippage into slippagePaid[i]. */
  private placeOrders(i: number, nx: number, row: number): void {
    const b = this.book;
    const params = this.params;
    const S = this.S;
    const t = nx - 1;
    const bars = this.bars;
    const timeNx = bars[row]!;
    const size = b.size;
    const targets = this.targets,
      level = this.level,
      cooldownUntil = this.cooldownUntil,
      entryBar = this.entryBar;
    const orderQty = this.orderQty,
      blocked = this.blocked,
      orderStatus = this.orderStatus;
    const discrete = this.discrete;
    let slippageCost = 0;

    const gapFill = this.gapFill;
    // Rollover up to the open comes before any fill there (as in PaperExecutor.onBar); then the equity at the open,
    // for sizing every target on the same base.
    let eOpen = b.cash[i]!;
    for (let s = 0; s < S; s++) {
      const p = i * S + s;
      if (size[p] !== 0 && params.rolloverRate[s] !== 0) accrueRollover(b, params, i, s, timeNx);
    }
    for (let s = 0; s < S; s++) {
      const p = i * S + s;
      const sz = size[p]!;
      if (sz !== 0) eOpen += sz * (bars[row + 1 + 4 * s]! - b.entryPrice[p]!);
    }

    // With several symbols, reductions go first so that freed margin counts for the increases.
    const passes = S === 1 ? 1 : 2;
    for (let pass = 0; pass < passes; pass++) {
      for (let s = 0; s < S; s++) {
        const p = i * S + s;
        let target = targets[p]!;
        const cur = size[p]!;
        if (gapFill !== null && gapFill[nx * S + s] === 1) continue; // nothing trades in a gap: wait for a real bar
        if (discrete) {
          if (target === level[p]! && (cur === 0 ? target === 0 : target !== 0 && cur > 0 === target > 0)) continue;
        } else if (
          target === 0
            ? cur === 0
            : Math.abs(target - (eOpen > 0 ? (cur * bars[row + 1 + 4 * s]!) / eOpen : 0)) <= this.threshold
        ) {
          continue;
        }
        if (cur !== 0 && target !== 0 && target > 0 !== cur > 0 && this.cooldownBars > 0) {
          target = 0; // a flip closes a position, so the cooldown holds back its new side
          blocked[p] = 1;
        }
        const px = bars[row + 1 + 4 * s]!;
        if (passes === 2) {
          const curExp = eOpen > 0 ? (cur * px) / eOpen : 0;
          const reduces = (target === 0 || target > 0 === cur > 0) && Math.abs(target) < Math.abs(curExp);
          if ((pass === 0) !== reduces) continue;
        }
        if (cur === 0 && target !== 0 && nx < cooldownUntil[p]!) {
          blocked[p] = 1;
          continue;
        }
        const before = b.tradedNotional[i]!;
        const st = orderToTarget(b, params, i, s, eOpen > 0 ? (target * eOpen) / px : 0, px, timeNx, true);
        orderStatus[p] = st;
        if (st === ORDER_OK) level[p] = target;
        if (b.tradedNotional[i]! === before) continue;
        const q = b.lastFillQty[p]!;
        const fp = b.lastFillPrice[p]!;
        orderQty[p] = q;
        this.orderPrice[p] = fp;
        this.orderFee[p] = b.lastFillFee[p]!;
        slippageCost += Math.abs(q) * Math.abs(fp - px);
        const now = size[p]!;
        if (cur !== 0 && (now === 0 || now > 0 !== cur > 0)) {
          entryBar[p] = -1;
          if (now === 0) cooldownUntil[p] = nx + 1 + this.cooldownBars;
        }
        if (now !== 0 && (cur === 0 || now > 0 !== cur > 0)) this.openedTrade(i, s, p, t, nx, row);
      }
    }
    this.slippagePaid[i] = slippageCost;
  }

  /** Stops, targets, max-hold and liquidation inside bar nx for every open slot of sub-env i, then the marks at its close. */
  private exitsAndMark(i: number, nx: number, row: number): void {
    const b = this.book;
    for (let s = 0, p = i * this.S; s < this.S; s++, p++) {
      const q = row + 1 + 4 * s;
      // Flat slot: processPackedBar would only mark it at the close (done here, saving the call).
      if (b.size[p] === 0) b.markPrice[p] = this.bars[q + 3]!;
      else if (this.gapFill !== null && this.gapFill[nx * this.S + s] === 1) {
        // A gap fill is a flat bar at the last close where nothing traded: no exit fills in it; rollover still runs.
        if (this.params.rolloverRate[s] !== 0) accrueRollover(b, this.params, i, s, this.bars[row]!);
        b.markPrice[p] = this.bars[q + 3]!;
      } else {
        const reason = processPackedBar(b, this.params, i, s, this.bars, row, q);
        if (reason !== REASON_NONE) this.recordExit(i, s, p, reason, nx);
      }
    }
  }

  /** Books an exit of this step on slot p (the info columns, cooldown) and adds the slippage it paid to slippagePaid[i]. */
  private recordExit(i: number, s: number, p: number, reason: number, nx: number): void {
    const b = this.book;
    const q = b.lastFillQty[p]!;
    const fp = b.lastFillPrice[p]!;
    this.exitReason[p] = reason;
    this.exitQty[p] = q;
    this.exitPrice[p] = fp;
    this.exitFee[p] = b.lastFillFee[p]!;
    this.exitBar[p] = nx;
    this.entryBar[p] = -1;
    this.cooldownUntil[p] = nx + 1 + this.cooldownBars;
    // Market exits pay slippage: a sell filled at ref·(1−k), a buy at ref·(1+k). Take-profits are limit fills.
    if (reason === REASON_TAKE_PROFIT) return;
    const k = this.slip[s]!;
    this.slippagePaid[i] = this.slippagePaid[i]! + (q < 0 ? (-q * fp * k) / (1 - k) : (q * fp * k) / (1 + k));
  }

  /**
   * The end of every step: the account marked at bar nx's close, the reward from the step's account numbers, ruin /
   * drawdown termination, truncation at the episode length or the end of the data, and the observation at bar nx.
   */
  private settle(i: number, nx: number, row: number): void {
    const reward = this.settleBar(i, nx, row);
    this.rewards64[i] = reward;
    this.rewards[i] = reward;
    this.endStep(i, nx);
  }

  /** Bar nx of sub-env i settled: the mark at its close, the reward inputs, the reward (returned) and termination. */
  private settleBar(i: number, nx: number, row: number): number {
    const b = this.book;
    const S = this.S;
    const bars = this.bars;
    const size = b.size;
    const e = markAccount(b, i, bars[row]!);

    const prevE = this.equity[i]!;
    this.prevEquity[i] = prevE;
    this.equity[i] = e;
    const peak = this.peakEquity[i]!;
    this.prevPeakEquity[i] = peak;
    const newPeak = e > peak ? e : peak;
    this.peakEquity[i] = newPeak;
    this.costs[i] = b.feesPaid[i]! - this.feesBefore[i]! + this.slippagePaid[i]!;
    this.turnover[i] = b.tradedNotional[i]! - this.tradedBefore[i]!;
    let expo = 0;
    let held = 0;
    for (let s = 0, p = i * S; s < S; s++, p++) {
      const sz = size[p]!;
      if (sz !== 0) {
        const v = (sz * bars[row + 4 + 4 * s]!) / e;
        expo += S === 1 ? v : Math.abs(v);
        const h = nx - this.entryBar[p]! + 1; // bars held through, the entry bar included
        if (h > held) held = h;
      }
    }
    this.exposure[i] = e > 0 ? expo : 0;
    this.timeInTrade[i] = held;
    const reward = this.reward.compute(this, i);
    const dd = 1 - e / newPeak;
    this.terminated[i] = e <= this.ruinFraction * this.initialEquity[i]! || dd >= this.maxDrawdown ? 1 : 0;
    return reward;
  }

  /** Step count, truncation at the episode length or the end of the data, and the observation at bar nx. */
  private endStep(i: number, nx: number): void {
    const k = this.steps[i]! + 1;
    this.steps[i] = k;
    this.truncated[i] = k >= this.episodeSteps[i]! || nx + 1 >= this.rangeEnd ? 1 : 0;
    this.bar[i] = nx;
    this.writeObservation(i);
  }

  /** Sets the ATR stop/target (ATR of the decision bar t) and the max-hold deadline of a trade opened at bar nx. */
  private openedTrade(_i: number, s: number, p: number, t: number, nx: number, row: number): void {
    this.entryBar[p] = nx;
    const ex = this.o.executor;
    if (ex.stopLossAtr === null && ex.takeProfitAtr === null && ex.maxHoldBars === null) return;
    const b = this.book;
    const side = b.size[p]! > 0 ? 1 : -1;
    const entry = b.entryPrice[p]!;
    const atr = ex.stopLossAtr !== null || ex.takeProfitAtr !== null ? this.data.atr[s]![t]! : NaN;
    const sl = ex.stopLossAtr !== null && atr > 0 ? entry - side * ex.stopLossAtr * atr : NaN;
    const tp = ex.takeProfitAtr !== null && atr > 0 ? entry + side * ex.takeProfitAtr * atr : NaN;
    // The bar's time read here (not passed in): no double crosses this call. Same columns setExits writes.
    const mh = ex.maxHoldBars !== null ? this.bars[row]! + ex.maxHoldBars * this.data.timeframeMs : NaN;
    b.stopLoss[p] = sl > 0 ? sl : NaN;
    b.takeProfit[p] = tp;
    b.maxHoldUntil[p] = mh;
  }

  /** Copies sub-env i's feature window (rows ≤ its current bar) into its observation (see deferWindows). */
  copyWindow(i: number): void {
    const arena = this.arena;
    if (arena !== null) {
      const F = this.data.numFeatures;
      const end = this.arenaBase + (this.bar[i]! + 1) * F;
      arena.copyWithin(i * this.obsDim, end - this.windowSize * F, end);
    } else {
      this.copier.copy(this.bar[i]!, this.observations, i * this.obsDim);
    }
  }

  /** Window of feature rows ≤ bar (unless deferWindows), then per symbol exposure, unrealized PnL, time in trade, then drawdown. */
  writeObservation(i: number): void {
    const t = this.bar[i]!;
    const obs = this.observations;
    const base = i * this.obsDim;
    if (!this.deferWindows) this.copier.copy(t, obs, base);
    const size = this.book.size;
    const entryPrice = this.book.entryPrice;
    const entryBar = this.entryBar;
    const bars = this.bars;
    const S = this.S;
    const e = this.equity[i]!;
    const inv = e > 0 ? 1 / e : 0;
    const closeAt = t * this.stride + 4;
    let k = base + this.windowSize * this.data.numFeatures;
    for (let s = 0; s < S; s++) {
      const p = i * S + s;
      const sz = size[p]!;
      const c = bars[closeAt + 4 * s]!;
      obs[k] = sz * c * inv;
      obs[k + 1] = sz === 0 ? 0 : sz * (c - entryPrice[p]!) * inv;
      const eb = entryBar[p]!;
      obs[k + 2] = eb >= 0 ? (t - eb + 1) * this.invTimeScale : 0;
      k += 3;
    }
    const peak = this.peakEquity[i]!;
    obs[k] = peak > 0 && e > 0 ? 1 - e / peak : e > 0 ? 0 : 1;
  }

  /** Action mask of a discrete scheme for sub-env i (1 = allowed): the rule in action-mask.ts. */
  actionMask(i: number, levels: Float64Array, out: Uint8Array, offset: number): void {
    const ex = this.o.executor;
    const p = i * this.S;
    const cur = this.book.size[p]!;
    const cooling = this.bar[i]! + 1 < this.cooldownUntil[p]!;
    maskLevels(levels, cur, cooling, this.cooldownBars, ex.maxLongLeverage, ex.maxShortLeverage, out, offset);
  }

  /** Portfolio metrics of sub-env i's episode so far (allocates: call at episode end). */
  metrics(i: number): EpisodeMetrics {
    const m = accountMetrics(this.book, i, this.periodsPerYear);
    return {
      ...m,
      liquidationValue: K.liquidationValue(this.book, this.params, i),
      steps: this.steps[i]!,
      bars: this.bar[i]! - this.startBar[i]!,
      startTime: new Date(this.data.time[this.startBar[i]!]!).toISOString(),
      endTime: new Date(this.data.time[this.bar[i]!]!).toISOString(),
    };
  }

  /** The fills of sub-env i's last step, each with the bar it filled in (allocates: for single-env infos and render). */
  fills(i: number): { symbol: string; qty: number; price: number; fee: number; reason: string; bar: number }[] {
    const out: { symbol: string; qty: number; price: number; fee: number; reason: string; bar: number }[] = [];
    // Orders fill at the open of the step's first bar (with decisionInterval > 1, barsInStep bars end at bar[i]).
    const orderBar = this.bar[i]! - (this.barsInStep[i]! > 0 ? this.barsInStep[i]! - 1 : 0);
    for (let s = 0; s < this.S; s++) {
      const p = i * this.S + s;
      const sym = this.data.symbols[s]!;
      if (this.orderQty[p] !== 0)
        out.push({
          symbol: sym,
          qty: this.orderQty[p]!,
          price: this.orderPrice[p]!,
          fee: this.orderFee[p]!,
          reason: 'order',
          bar: orderBar,
        });
      const r = this.exitReason[p]!;
      if (r !== 0)
        out.push({
          symbol: sym,
          qty: this.exitQty[p]!,
          price: this.exitPrice[p]!,
          fee: this.exitFee[p]!,
          reason: K.REASON_NAMES[r]!,
          bar: this.exitBar[p]!,
        });
    }
    return out;
  }
}
