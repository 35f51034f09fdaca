// RSI/Bollinger mean reversion: go long when the close is below the lower band AND RSI is oversold, short when above the
// upper band AND RSI is overbought; exit when the close gets back to the middle band. Flat until both are defined.
import type { MarketFrame } from '../../replay/market-frame.ts';
import { bollinger, rsi } from './indicators.ts';
import type { BaselinePolicy } from './policy.ts';

export interface MeanReversionOptions {
  rsiPeriod?: number;
  oversold?: number;
  overbought?: number;
  bandPeriod?: number;
  bandWidth?: number;
}

export function meanReversion(opts: MeanReversionOptions = {}): BaselinePolicy {
  const rsiPeriod = opts.rsiPeriod ?? 14;
  const oversold = opts.oversold ?? 30;
  const overbought = opts.overbought ?? 70;
  const bandPeriod = opts.bandPeriod ?? 20;
  const bandWidth = opts.bandWidth ?? 2;
  let side = new Int8Array(0);
  return {
    name: 'mean-reversion',
    prepare(frame: MarketFrame): void {
      const r = rsi(frame.close, rsiPeriod);
      const bb = bollinger(frame.close, bandPeriod, bandWidth);
      side = new Int8Array(frame.length);
      let s = 0;
      for (let t = 0; t < frame.length; t++) {
        const c = frame.close[t]!;
        const rv = r[t]!;
        const mid = bb.middle[t]!;
        if (!Number.isNaN(rv) && !Number.isNaN(mid)) {
          if (s === 1 && c >= mid) s = 0;
          else if (s === -1 && c <= mid) s = 0;
          if (s === 0 && c < bb.lower[t]! && rv < oversold) s = 1;
          else if (s === 0 && c > bb.upper[t]! && rv > overbought) s = -1;
        }
        side[t] = s;
      }
    },
    position: (t) => side[t] ?? 0,
  };
}
