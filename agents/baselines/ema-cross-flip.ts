// EMA cross flip: always in the market on the close's side of its EMA (default 9): long while the close is above it,
// short while below, flipping on every cross; a close exactly on the EMA keeps the current side; flat until the EMA is
// defined. No confirmation and no stops — the plain rule, kept to show what confirmation and exits add (compare with
// ema-trend-flip, the bot's own strategy).
import type { MarketFrame } from '../../replay/market-frame.ts';
import { ema } from './indicators.ts';
import type { BaselinePolicy } from './policy.ts';

export interface EmaCrossFlipOptions {
  /** EMA period in bars (default 9). */
  period?: number;
  /** Allow short positions (default true); when false the policy flips between long and flat. */
  allowShort?: boolean;
}

export function emaCrossFlip(opts: EmaCrossFlipOptions = {}): BaselinePolicy {
  const period = opts.period ?? 9;
  const allowShort = opts.allowShort ?? true;
  let side = new Int8Array(0);
  return {
    name: period === 9 ? 'ema-cross-flip' : `ema-cross-flip-${period}`,
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
