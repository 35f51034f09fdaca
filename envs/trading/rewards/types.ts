// The contract between the trading env and a reward scheme. The env keeps its accounts as struct-of-arrays (one slot per
// sub-env) and hands a scheme the same arrays every step; a scheme reads slot `i` and may keep its own state in typed
// arrays sized for N sub-envs, so that computing a reward allocates nothing.

/**
 * Per-sub-env quantities of one step (decision at close t → fills at open t+1 → mark at close t+1). Read-only. The
 * trading core's own columns: TradingCore extends this class and hands itself to the scheme.
 */
export class RewardInputs {
  /** Equity at close t (before this step's fills). */
  readonly prevEquity: Float64Array;
  /** Equity at close t+1, net of this step's fees and slippage. */
  readonly equity: Float64Array;
  /** Highest equity seen this episode, including `equity`. */
  readonly peakEquity: Float64Array;
  /** Highest equity seen up to close t (the peak before this step). */
  readonly prevPeakEquity: Float64Array;
  /** Equity at the start of the episode. */
  readonly initialEquity: Float64Array;
  /** Trading costs paid this step, in quote currency: fees plus slippage against the bar's open. */
  readonly costs: Float64Array;
  /** Absolute notional traded this step, in quote currency (entries, exits, stops). */
  readonly turnover: Float64Array;
  /** Signed position notional / equity at close t+1 (after this step). */
  readonly exposure: Float64Array;
  /** Bars the current position has been held through, its entry bar included (0 when flat). */
  readonly timeInTrade: Float64Array;
  /** The decision bar t (index into the frame) of this step: a reward may use bars ≤ t + 1 only (`tg4 check lookahead`). */
  readonly bar: Int32Array;

  constructor(n: number) {
    this.prevEquity = new Float64Array(n);
    this.equity = new Float64Array(n);
    this.peakEquity = new Float64Array(n);
    this.prevPeakEquity = new Float64Array(n);
    this.initialEquity = new Float64Array(n);
    this.costs = new Float64Array(n);
    this.turnover = new Float64Array(n);
    this.exposure = new Float64Array(n);
    this.timeInTrade = new Float64Array(n);
    this.bar = new Int32Array(n);
  }
}

/**
 * A reward scheme bound to N sub-envs. `reset(i)` clears slot i's state at the start of an episode; `compute(x, i)` returns
 * slot i's reward for the step just taken and updates slot i's state. Must not allocate.
 */
export interface RewardScheme {
  readonly name: string;
  reset(i: number): void;
  compute(x: RewardInputs, i: number): number;
}

/** A user reward: a plain function of the step's inputs for sub-env i (stateless, or keeping its own state). */
export type RewardFunction = (x: RewardInputs, i: number) => number;

/** Builds a scheme for N sub-envs from its (already validated) parameters. */
export type RewardFactory = (n: number, params: Readonly<Record<string, number>>) => RewardScheme;
