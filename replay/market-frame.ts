// MarketFrame: one symbol/timeframe of bars as columnar typed arrays, loaded once and shared by every consumer
// (features, trading envs, the server). Prices and volumes are Float64 so that fills are right to the cent.

/** One bar: open time (ms since the Unix epoch, UTC), prices and volume; the bar types of replay, features, live extend it. */
export interface OhlcvBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface MarketFrame {
  readonly symbol: string;
  /** e.g. '1m', '5m', '1h'. */
  readonly timeframe: string;
  /** Bar length in milliseconds. */
  readonly timeframeMs: number;
  /** Number of bars. */
  readonly length: number;
  /** Bar open time, ms since the Unix epoch, UTC, strictly ascending. */
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Trade count per bar, when the source has it. */
  readonly trades?: Float64Array;
  /** Volume-weighted average price per bar, when the source has it. */
  readonly vwap?: Float64Array;
  /** 1 where the bar was synthesised to fill a gap (see the gap policy), else 0. */
  readonly filled?: Uint8Array;
  /** Optional extra columns (e.g. 'sentiment', 'buy_volume', 'sell_volume', book aggregates), same length. */
  readonly extra?: Readonly<Record<string, Float64Array>>;
}
