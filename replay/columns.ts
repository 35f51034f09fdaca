// Growable columnar storage for candles: rows are appended into typed arrays that double when full, so that
// reading a year of 1m bars makes a handful of allocations, not one object per row.
import type { MarketFrame, OhlcvBar } from './market-frame.ts';

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
export interface CandleRow extends OhlcvBar {
  trades: number;
  vwap: number;
}

export function emptyRow(): CandleRow {
  return { time: NaN, open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN, trades: NaN, vwap: NaN };
}

/** The column names of CandleColumns (all but `length`). */
export const CANDLE_KEYS = ['time', 'open', 'high', 'low', 'close', 'volume', 'trades', 'vwap'] as const;

/** Zero-filled columns with room for `capacity` rows, holding `length` of them. */
export function allocColumns(capacity: number, length = capacity): CandleColumns {
  const c = { length } as CandleColumns;
  for (const k of CANDLE_KEYS) c[k] = new Float64Array(capacity);
  return c;
}

/** The first n rows of the columns (views, no copy). */
export function headColumns(c: CandleColumns, n: number): CandleColumns {
  const out = { length: n } as CandleColumns;
  for (const k of CANDLE_KEYS) out[k] = c[k].subarray(0, n);
  return out;
}

export class CandleColumnsBuilder {
  private cols: CandleColumns;
  constructor(capacity = 1024) {
    this.cols = allocColumns(Math.max(16, capacity), 0);
  }

  get length(): number {
    return this.cols.length;
  }

  /** The columns as they stand: `length` rows, the arrays longer (they grow; read them after the pushes). */
  get columns(): CandleColumns {
    return this.cols;
  }

  /** Appends r with its own time. */
  push(r: CandleRow): void {
    this.pushAt(r.time, r);
  }

  /** Appends r at `time` (another unit than r's ms, e.g. the ingest's µs). */
  pushAt(time: number, r: CandleRow): void {
    const c = this.cols;
    if (c.length === c.time.length) this.grow(c.length * 2);
    const i = c.length++;
    c.time[i] = time;
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
    for (const k of CANDLE_KEYS) {
      const next = new Float64Array(capacity);
      next.set(c[k].subarray(0, c.length));
      c[k] = next;
    }
  }

  /** Empties the builder; its arrays are kept for the next rows. */
  clear(): void {
    this.cols.length = 0;
  }

  /** The columns trimmed to length (views, no copy). */
  finish(): CandleColumns {
    return headColumns(this.cols, this.cols.length);
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
