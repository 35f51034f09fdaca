// Choppiness index (Dreiss): 100·log10(Σ TR / (max true high − min true low)) / log10(n) over n bars, using true
// highs/lows (max(high, previous close), min(low, previous close)) as trading-signals does. 100 on a flat range.
import { period } from '../feature-def.ts';
import { sharedPerPeriod, sharedValueFeature } from './indicator.ts';
import { RollingExtreme, RollingSum } from './rolling.ts';

export class Choppiness {
  private readonly trSum: RollingSum;
  private readonly hi: RollingExtreme;
  private readonly lo: RollingExtreme;
  private readonly logN: number;
  private prevClose = NaN;
  value = NaN;

  constructor(readonly period: number) {
    this.trSum = new RollingSum(period);
    this.hi = new RollingExtreme(period, 'max');
    this.lo = new RollingExtreme(period, 'min');
    this.logN = Math.log10(period);
  }

  get ready(): boolean {
    return this.trSum.full;
  }

  update(high: number, low: number, close: number): number {
    if (this.prevClose === this.prevClose) {
      const th = Math.max(high, this.prevClose);
      const tl = Math.min(low, this.prevClose);
      this.trSum.push(th - tl);
      this.hi.push(th);
      this.lo.push(tl);
      if (this.trSum.full) {
        const range = this.hi.value() - this.lo.value();
        this.value = range === 0 ? 100 : (100 * Math.log10(this.trSum.sum() / range)) / this.logN;
      }
    }
    this.prevClose = close;
    return this.value;
  }
}

/** The lane's one choppiness index over `p` bars (also read by the regime). */
export const sharedChop = sharedPerPeriod('chop', Choppiness, (c, b) => c.update(b.high, b.low, b.close));

export const chopFeature = sharedValueFeature('chop', sharedChop, {
  description: 'choppiness index (0..100; > 61.8 choppy, < 38.2 trending)',
  period: period(14),
  warmup: (p) => p,
});
