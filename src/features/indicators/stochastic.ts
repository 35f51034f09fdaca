// Slow stochastic oscillator: fast %K over k bars, %K = SMA(fast %K, slowing), %D = SMA(%K, d).
// A flat k-bar range gives fast %K = 50 (neutral); trading-signals gives 0 there.
import { z } from 'zod';
import { defineFeature, period } from '../feature-def.ts';
import { Sma } from './moving-averages.ts';
import { RollingExtreme } from './rolling.ts';

export class Stochastic {
  private readonly hi: RollingExtreme;
  private readonly lo: RollingExtreme;
  private readonly kSma: Sma;
  private readonly dSma: Sma;
  k = NaN;
  d = NaN;

  constructor(
    readonly kPeriod: number,
    readonly slowing: number,
    readonly dPeriod: number,
  ) {
    this.hi = new RollingExtreme(kPeriod, 'max');
    this.lo = new RollingExtreme(kPeriod, 'min');
    this.kSma = new Sma(slowing);
    this.dSma = new Sma(dPeriod);
  }

  get ready(): boolean {
    return this.dSma.ready;
  }

  update(high: number, low: number, close: number): void {
    this.hi.push(high);
    this.lo.push(low);
    if (!this.hi.full) return;
    const hh = this.hi.value();
    const ll = this.lo.value();
    const range = hh - ll;
    const fastK = range === 0 ? 50 : ((close - ll) * 100) / range;
    this.kSma.update(fastK);
    if (!this.kSma.ready) return;
    this.k = this.kSma.value;
    this.d = this.dSma.update(this.k);
  }
}

export const stochFeature = defineFeature({
  name: 'stoch',
  description: 'slow stochastic oscillator %K and %D, 0..100',
  params: z.object({ k_period: period(14, 1), slowing: period(3, 1), d_period: period(3, 1) }).strict(),
  idParams: ['k_period', 'slowing', 'd_period'],
  outputs: ['k', 'd'],
  warmup: (p) => p.k_period - 1 + p.slowing - 1 + p.d_period - 1,
  create: (p) => {
    const s = new Stochastic(p.k_period, p.slowing, p.d_period);
    return {
      update(b, out, o) {
        s.update(b.high, b.low, b.close);
        out[o] = s.k;
        out[o + 1] = s.d;
        return s.ready;
      },
    };
  },
});
