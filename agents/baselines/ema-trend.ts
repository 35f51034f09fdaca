// EMA trend flip (the TG4 bot's strategy): long while the close is above its EMA-9, short while below; a close exactly
// on the EMA keeps the current side. Flat until the EMA is defined.
import type { MarketFrame } from '../../replay/market-frame.ts';
import { ema } from './indicators.ts';
import type { BaselinePolicy } from './policy.ts';

export interface EmaTrendOptions {
  period?: number;
  /** Allow short positions (default true); when false the policy flips between long and flat. */
  allowShort?: boolean;
}

export function emaTrend(opts: EmaTrendOptions = {}): BaselinePolicy {
  const period = opts.period ?? 9;
  const allowShort = opts.allowShort ?? true;
  let side = new Int8Array(0);
  return {
    name: period === 9 ? 'ema-trend' : `ema-trend-${period}`,
    prepare(frame: MarketFrame): void {
      const e = ema(frame.close, period);
      side = new Int8Array(frame.length);
      let s = 0;
      for (let t = 0; t < frame.length; t++) {
        const c = frame.close[t]!;
        const v = e[t]!;
        if (!Number.isNaN(v)) s = c > v ? 1 : c < v ? (allowShort ? -1 : 0) : s;
        side[t] = s;
      }
    },
    position: (t) => side[t] ?? 0,
  };
}
