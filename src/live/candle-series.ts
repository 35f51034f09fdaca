// Closed bars of one symbol and timeframe, appended as they close, in growable columns. `frame()` hands out a MarketFrame
// view of them (subarrays: no copy), so that baselines, features and the database writer read live history exactly as
// they read replayed history.
import type { MarketFrame } from '../../replay/market-frame.ts';
import { timeframeMs } from '../../replay/timeframe.ts';

/** One closed bar; `filled` marks a bar synthesised for an interval with no trade (replay's gap policy 'fill'). */
export interface ClosedBar {
  symbol: string;
  timeframe: string;
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
  vwap: number;
  filled: boolean;
}

const COLS = ['time', 'open', 'high', 'low', 'close', 'volume', 'trades', 'vwap'] as const;

export class CandleSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly timeframeMs: number;
  length = 0;
  private cols: Record<(typeof COLS)[number], Float64Array>;
  private filledCol: Uint8Array;

  constructor(symbol: string, timeframe: string, capacity = 1024) {
    this.symbol = symbol;
    this.timeframe = timeframe;
    this.timeframeMs = timeframeMs(timeframe);
    const cap = Math.max(16, capacity);
    this.cols = Object.fromEntries(COLS.map((k) => [k, new Float64Array(cap)])) as CandleSeries['cols'];
    this.filledCol = new Uint8Array(cap);
  }

  get lastTime(): number {
    return this.length === 0 ? Number.NaN : this.cols.time[this.length - 1]!;
  }
  get lastClose(): number {
    return this.length === 0 ? Number.NaN : this.cols.close[this.length - 1]!;
  }

  push(b: ClosedBar): void {
    if (this.length === this.cols.time.length) this.grow();
    const k = this.length;
    const c = this.cols;
    c.time[k] = b.time;
    c.open[k] = b.open;
    c.high[k] = b.high;
    c.low[k] = b.low;
    c.close[k] = b.close;
    c.volume[k] = b.volume;
    c.trades[k] = b.trades;
    c.vwap[k] = b.vwap;
    this.filledCol[k] = b.filled ? 1 : 0;
    this.length = k + 1;
  }

  /** Appends every bar of a replay frame (warm-up history). */
  pushFrame(f: MarketFrame): void {
    for (let t = 0; t < f.length; t++) {
      this.push({
        symbol: this.symbol,
        timeframe: this.timeframe,
        time: f.time[t]!,
        open: f.open[t]!,
        high: f.high[t]!,
        low: f.low[t]!,
        close: f.close[t]!,
        volume: f.volume[t]!,
        trades: f.trades?.[t] ?? Number.NaN,
        vwap: f.vwap?.[t] ?? Number.NaN,
        filled: f.filled?.[t] === 1,
      });
    }
  }

  bar(k: number): ClosedBar {
    const c = this.cols;
    return {
      symbol: this.symbol,
      timeframe: this.timeframe,
      time: c.time[k]!,
      open: c.open[k]!,
      high: c.high[k]!,
      low: c.low[k]!,
      close: c.close[k]!,
      volume: c.volume[k]!,
      trades: c.trades[k]!,
      vwap: c.vwap[k]!,
      filled: this.filledCol[k] === 1,
    };
  }

  /** The bars so far as a MarketFrame (views over the columns: valid until the next push). */
  frame(): MarketFrame {
    const n = this.length;
    const c = this.cols;
    return {
      symbol: this.symbol,
      timeframe: this.timeframe,
      timeframeMs: this.timeframeMs,
      length: n,
      time: c.time.subarray(0, n),
      open: c.open.subarray(0, n),
      high: c.high.subarray(0, n),
      low: c.low.subarray(0, n),
      close: c.close.subarray(0, n),
      volume: c.volume.subarray(0, n),
      trades: c.trades.subarray(0, n),
      vwap: c.vwap.subarray(0, n),
      filled: this.filledCol.subarray(0, n),
    };
  }

  private grow(): void {
    const cap = this.cols.time.length * 2;
    for (const k of COLS) {
      const a = new Float64Array(cap);
      a.set(this.cols[k]);
      this.cols[k] = a;
    }
    const f = new Uint8Array(cap);
    f.set(this.filledCol);
    this.filledCol = f;
  }
}
