// The one bar that every feature reads. Batch and live paths fill the same struct, so features cannot tell them apart.
import type { OhlcvBar } from '../../replay/market-frame.ts';

/** A bar as the live loop hands it over. `extra` carries named inputs such as buy_volume, bid_px_1, sentiment. */
export interface LiveBar extends OhlcvBar {
  trades?: number;
  extra?: Readonly<Record<string, number>>;
}

/** Mutable bar read by features; `x[i]` holds extra input column i (indices resolved when the builder is made). */
export class InputBar {
  /** Counts the bars of this lane; shared indicator states update once per value (see shared.ts). */
  seq = 0;
  time = NaN;
  /** Length of this bar in ms (the lane's timeframe). */
  durationMs = 0;
  open = NaN;
  high = NaN;
  low = NaN;
  close = NaN;
  volume = NaN;
  trades = NaN;
  readonly x: Float64Array;
  constructor(extraCount: number) {
    this.x = new Float64Array(extraCount);
  }

  /** Sets the bar's time, prices, volume and trade count (the extra inputs in `x` are the caller's to fill). */
  set(time: number, open: number, high: number, low: number, close: number, volume: number, trades: number): void {
    this.time = time;
    this.open = open;
    this.high = high;
    this.low = low;
    this.close = close;
    this.volume = volume;
    this.trades = trades;
  }
}

/** Extra input columns by role. Names follow the MarketFrame `extra` convention. */
export const TRADE_COLUMNS = { buy: 'buy_volume', sell: 'sell_volume' } as const;
export const bookColumn = (side: 'bid' | 'ask', kind: 'px' | 'sz', level: number): string => `${side}_${kind}_${level}`;
