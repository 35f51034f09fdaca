// Closed bars of one symbol and timeframe, appended as they close, in replay's growable candle columns. `frame()` hands
// out a MarketFrame view of them (no copy), so that baselines, features and the database writer read live history
// exactly as they read replayed history.
import { CandleColumnsBuilder, type CandleRow, columnsToFrame } from '../../replay/columns.ts';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { timeframeMs } from '../../replay/timeframe.ts';

/** One closed bar; `filled` marks a bar synthesised for an interval with no trade (replay's gap policy 'fill'). */
export interface ClosedBar extends CandleRow {
  symbol: string;
  timeframe: string;
  filled: boolean;
}

/** Bar k of a frame as a ClosedBar. */
export function barAt(f: MarketFrame, k: number): ClosedBar {
  return {
    symbol: f.symbol,
    timeframe: f.timeframe,
    time: f.time[k]!,
    open: f.open[k]!,
    high: f.high[k]!,
    low: f.low[k]!,
    close: f.close[k]!,
    volume: f.volume[k]!,
    trades: f.trades?.[k] ?? Number.NaN,
    vwap: f.vwap?.[k] ?? Number.NaN,
    filled: f.filled?.[k] === 1,
  };
}

export class CandleSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly timeframeMs: number;
  lastTime = Number.NaN;
  lastClose = Number.NaN;
  private readonly cols = new CandleColumnsBuilder(1024);
  private filled = new Uint8Array(1024);

  constructor(symbol: string, timeframe: string) {
    this.symbol = symbol;
    this.timeframe = timeframe;
    this.timeframeMs = timeframeMs(timeframe);
  }

  get length(): number {
    return this.cols.length;
  }

  push(b: ClosedBar): void {
    const k = this.cols.length;
    if (k === this.filled.length) {
      const f = new Uint8Array(k * 2);
      f.set(this.filled);
      this.filled = f;
    }
    this.filled[k] = b.filled ? 1 : 0;
    this.cols.push(b);
    this.lastTime = b.time;
    this.lastClose = b.close;
  }

  /** Appends every bar of a replay frame (warm-up history). */
  pushFrame(f: MarketFrame): void {
    const g = { ...f, symbol: this.symbol, timeframe: this.timeframe };
    for (let t = 0; t < f.length; t++) this.push(barAt(g, t));
  }

  /** The bars so far as a MarketFrame (views over the columns: valid until the next push). */
  frame(): MarketFrame {
    const c = this.cols.finish();
    return columnsToFrame(c, this.symbol, this.timeframe, this.timeframeMs, this.filled.subarray(0, c.length));
  }
}
