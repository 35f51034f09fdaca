// Relative Strength Index with Wilder's smoothing of gains and losses (Wilder 1978).
// A window with neither gains nor losses gives 50 (neutral), where some libraries give 100.
import { period } from '../feature-def.ts';
import { sharedPerPeriod, sharedValueFeature } from './indicator.ts';
import { WilderSmoother } from './rolling.ts';

export class Rsi {
  private readonly gain: WilderSmoother;
  private readonly loss: WilderSmoother;
  private prev = NaN;
  private seen = 0;
  value = NaN;

  constructor(readonly period: number) {
    this.gain = new WilderSmoother(period);
    this.loss = new WilderSmoother(period);
  }

  get ready(): boolean {
    return this.gain.ready;
  }

  update(close: number): number {
    if (this.seen++ > 0) {
      const ch = close - this.prev;
      if (ch > 0) {
        this.loss.update(0);
        this.gain.update(ch);
      } else {
        this.loss.update(-ch);
        this.gain.update(0);
      }
      if (this.gain.ready) {
        const g = this.gain.value;
        const l = this.loss.value;
        this.value = l === 0 ? (g === 0 ? 50 : 100) : 100 - 100 / (g / l + 1);
      }
    }
    this.prev = close;
    return this.value;
  }
}

/** The lane's one RSI of close over `p` bars (also read by the regime). */
export const sharedRsi = sharedPerPeriod('rsi', Rsi, (r, b) => r.update(b.close));

export const rsiFeature = sharedValueFeature('rsi', sharedRsi, {
  description: 'relative strength index, Wilder smoothing, 0..100',
  period: period(14),
  warmup: (p) => p,
});
