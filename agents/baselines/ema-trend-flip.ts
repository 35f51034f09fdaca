// EMA-9 Trend Flip, the TG4 bot's strategy: a flip of the trend is confirmed when `confirmBars` consecutive closes lie
// beyond the EMA on the new side (3 closes above it: up; 3 below: down). At a confirmed flip the policy enters (or
// reverses into) the new side; each entry gets a stop-loss and a take-profit at ATR multiples from its fill, placed by
// the executor (stop on touch, target on a trade through, see docs/execution.md). The position is held until the next
// confirmed flip or until its stop or target closes it; after such an exit it stays flat until the next confirmed flip
// (the trend it was in is not re-entered). Flat until the EMA is defined.
//
// Defaults: EMA 9 and 3 confirming closes are the bot's rule; the exits' multiples (stop 1.5 ATR, target 3 ATR, ATR 14)
// are ours, a 1:2 risk/reward — the bot's own values are not in this repository. All four are options.
import type { MarketFrame } from '../../replay/market-frame.ts';
import { ema } from './indicators.ts';
import { type BaselinePolicy, signalPolicy } from './policy.ts';

export interface EmaTrendFlipOptions {
  /** EMA period in bars (default 9). */
  period?: number;
  /** Consecutive closes beyond the EMA that confirm a flip (default 3). */
  confirmBars?: number;
  /** Stop-loss distance from the entry fill in ATR multiples (default 1.5); null = no stop. */
  stopLossAtr?: number | null;
  /** Take-profit distance in ATR multiples (default 3); null = no target. */
  takeProfitAtr?: number | null;
  /** Wilder ATR period of the exits (default 14). */
  atrPeriod?: number;
  /** Allow short positions (default true); when false a down flip goes flat. */
  allowShort?: boolean;
}

export const EMA_TREND_FLIP_DEFAULTS: Readonly<Required<EmaTrendFlipOptions>> = Object.freeze({
  period: 9,
  confirmBars: 3,
  stopLossAtr: 1.5,
  takeProfitAtr: 3,
  atrPeriod: 14,
  allowShort: true,
});

export function emaTrendFlip(opts: EmaTrendFlipOptions = {}): BaselinePolicy {
  const o = { ...EMA_TREND_FLIP_DEFAULTS, ...opts };
  const exits = { stopLossAtr: o.stopLossAtr, takeProfitAtr: o.takeProfitAtr, atrPeriod: o.atrPeriod };
  // flip[t]: +1 / −1 where a flip to that side is confirmed at bar t's close, 0 elsewhere (hold between flips).
  return signalPolicy(
    'ema-trend-flip',
    o.allowShort,
    (frame: MarketFrame) => {
      const e = ema(frame.close, o.period);
      const flip = new Int8Array(frame.length);
      let trend = 0; // the last confirmed side
      let above = 0; // consecutive closes above the EMA up to t
      let below = 0;
      for (let t = 0; t < frame.length; t++) {
        const c = frame.close[t]!;
        const v = e[t]!;
        above = !Number.isNaN(v) && c > v ? above + 1 : 0;
        below = !Number.isNaN(v) && c < v ? below + 1 : 0;
        const confirmed = above >= o.confirmBars ? 1 : below >= o.confirmBars ? -1 : trend;
        if (confirmed !== trend) flip[t] = confirmed;
        trend = confirmed;
      }
      return flip;
    },
    exits,
  );
}
