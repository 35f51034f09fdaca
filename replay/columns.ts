// Growable columnar storage for candles: rows are appended into typed arrays that double when full, so that
// reading a year of 1m bars makes a handful of allocations, not one object per row.
import type { MarketFrame } from './market-frame.ts';

export interface CandleColumns {
  length: number;
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** NaN where the source had no trade count. */
  trades: Float64Array;
  /** NaN where the source had no VWAP. */
  vwap: Float64Array;
}

/** One parsed candle; parsers reuse a single instance so that the hot loop allocates nothing. */
export interface CandleRow {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
  vwap: number;
}

export function emptyRow(): CandleRow {
  return { time: NaN, open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN, trades: NaN, vwap: NaN };
}

const KEYS = ['time', 'open', 'high', 'low', 'close', 'volume', 'trades', 'vwap'] as const;

export class CandleColumnsBuilder {
  private cols: CandleColumns;
  constructor(capacity = 1024) {
    const c = Math.max(16, capacity);
    this.cols = {
      length: 0,
      time: new Float64Array(c),
      open: new Float64Array(c),
      high: new Float64Array(c),
      low: new Float64Array(c),
      close: new Float64Array(c),
      volume: new Float64Array(c),
      trades: new Float64Array(c),
      vwap: new Float64Array(c),
    };
  }

  get length(): number {
    return this.cols.length;
  }

  push(r: CandleRow): void {
    const c = this.cols;
    if (c.length === c.time.length) this.grow(c.length * 2);
    const i = c.length++;
    c.time[i] = r.time;
    c.open[i] = r.open;
    c.high[i] = r.high;
    c.low[i] = r.low;
    c.close[i] = r.close;
    c.volume[i] = r.volume;
    c.trades[i] = r.trades;
    c.vwap[i] = r.vwap;
  }

  private grow(capacity: number): void {
    const c = this.cols;
    for (const k of KEYS) {
      const next = new Float64Array(capacity);
      next.set(c[k].subarray(0, c.length));
      c[k] = next;
    }
  }

  /** The columns trimmed to length (views, no copy). */
  finish(): CandleColumns {
    const c = this.cols;
    const n = c.length;
    return {
      length: n,
      time: c.time.subarray(0, n),
      open: c.open.subarray(0, n),
      high: c.high.subarray(0, n),
      low: c.low.subarray(0, n),
      close: c.close.subarray(0, n),
      volume: c.volume.subarray(0, n),
      trades: c.trades.subarray(0, n),
      vwap: c.vwap.subarray(0, n),
    };
  }
}

function allNaN(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] === a[i]) return false;
  return true;
}

/** Wraps columns as a MarketFrame; trades/vwap are left out when the source had none. */
export function columnsToFrame(
  cols: CandleColumns,
  symbol: string,
  timeframe: string,
  timeframeMs: number,
  filled?: Uint8Array,
): MarketFrame {
  const frame: {
    -readonly [K in keyof MarketFrame]: MarketFrame[K];
  } = {
    symbol,
    timeframe,
    timeframeMs,
    length: cols.length,
    time: cols.time,
    open: cols.open,
    high: cols.high,
    low: cols.low,
    close: cols.close,
    volume: cols.volume,
  };
  if (cols.length > 0 && !allNaN(cols.trades)) frame.trades = cols.trades;
  if (cols.length > 0 && !allNaN(cols.vwap)) frame.vwap = cols.vwap;
  frame.filled = filled ?? new Uint8Array(cols.length);
  return frame;
}
