// Slow moving-average crossover with a no-trade band: the cost-aware baseline of the walk-forward evaluation. Long
// when the fast EMA (default 24 bars) is above the slow one (default 96) by more than `band` (default 1%, several
// round trips of the default costs), short (or flat, when shorts are off) when below by more than the band; inside
// the band the position is kept, so that the small wiggles of the spread, which would each cost a round trip, are not
// traded. Flat until both EMAs are defined.
import type { MarketFrame } from '../../replay/market-frame.ts';
import { ema } from './indicators.ts';
import { type BaselinePolicy, signalPolicy } from './policy.ts';

export interface MaCrossBandOptions {
  fast?: number;
  slow?: number;
  /** Half-width of the no-trade band as a fraction of the slow EMA (default 0.01). */
  band?: number;
  /** Allow short positions (default false: long/flat, as the default trading preset). */
  allowShort?: boolean;
}

export const MA_CROSS_BAND_DEFAULTS: Readonly<Required<MaCrossBandOptions>> = Object.freeze({
  fast: 24,
  slow: 96,
  band: 0.01,
  allowShort: false,
});

export function maCrossBand(opts: MaCrossBandOptions = {}): BaselinePolicy {
  const o = { ...MA_CROSS_BAND_DEFAULTS, ...opts };
  // signal[t]: +1 / −1 beyond the band at bar t's close, 0 inside it (keep the position).
  return signalPolicy('ma-cross-band', o.allowShort, (frame: MarketFrame) => {
    const f = ema(frame.close, o.fast);
    const s = ema(frame.close, o.slow);
    const signal = new Int8Array(frame.length);
    for (let t = 0; t < frame.length; t++) {
      if (Number.isNaN(f[t]!) || Number.isNaN(s[t]!)) continue;
      const spread = f[t]! / s[t]! - 1;
      signal[t] = spread > o.band ? 1 : spread < -o.band ? -1 : 0;
    }
    return signal;
  });
}
