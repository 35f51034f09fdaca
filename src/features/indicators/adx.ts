// Directional movement (+DI, −DI) and ADX with Wilder's smoothing. As in trading-signals, the first bar enters the
// smoothers with +DM = −DM = 0 and TR = high − low, so DI is ready after `period` bars and ADX after 2·period − 1.
import { z } from 'zod';
import { defineFeature, period } from '../feature-def.ts';
import { Atr } from './atr.ts';
import { sharedPerPeriod } from './indicator.ts';
import { WilderSmoother } from './rolling.ts';

export class Adx {
  private readonly atr: Atr;
  private readonly up: WilderSmoother;
  private readonly down: WilderSmoother;
  private readonly adx: WilderSmoother;
  private prevHigh = NaN;
  private prevLow = NaN;
  /** +DI and −DI in percent (0..100). */
  plusDi = NaN;
  minusDi = NaN;
  dx = NaN;
  value = NaN;

  constructor(readonly period: number) {
    this.atr = new Atr(period);
    this.up = new WilderSmoother(period);
    this.down = new WilderSmoother(period);
    this.adx = new WilderSmoother(period);
  }

  get diReady(): boolean {
    return this.up.ready;
  }
  get ready(): boolean {
    return this.adx.ready;
  }

  update(high: number, low: number, close: number): number {
    let pdm = 0;
    let mdm = 0;
    if (this.prevHigh === this.prevHigh) {
      const higherHigh = high - this.prevHigh;
      const lowerLow = this.prevLow - low;
      pdm = higherHigh < 0 || higherHigh < lowerLow ? 0 : higherHigh;
      mdm = lowerLow < 0 || lowerLow < higherHigh ? 0 : lowerLow;
    }
    const atr = this.atr.update(high, low, close);
    const up = this.up.update(pdm);
    const down = this.down.update(mdm);
    this.prevHigh = high;
    this.prevLow = low;
    if (this.up.ready) {
      const pdi = atr > 0 ? up / atr : 0;
      const mdi = atr > 0 ? down / atr : 0;
      this.plusDi = pdi * 100;
      this.minusDi = mdi * 100;
      const sum = pdi + mdi;
      this.dx = sum === 0 ? 0 : (Math.abs(pdi - mdi) / sum) * 100;
      this.value = this.adx.update(this.dx);
    }
    return this.value;
  }
}

/** The lane's one ADX over `p` bars (also read by the regime). */
export const sharedAdx = sharedPerPeriod('adx', Adx, (a, b) => a.update(b.high, b.low, b.close));

export const adxFeature = defineFeature({
  name: 'adx',
  description: 'average directional index with +DI and −DI (Wilder), 0..100',
  params: z.object({ period: period(14) }).strict(),
  idParams: ['period'],
  outputs: ['adx', 'plus_di', 'minus_di'],
  warmup: (p) => 2 * p.period - 2,
  create: (p, ctx) => {
    const sh = sharedAdx(ctx, p.period);
    return {
      update(b, out, o) {
        const a = sh.sync(b);
        out[o] = a.value;
        out[o + 1] = a.plusDi;
        out[o + 2] = a.minusDi;
        return a.ready;
      },
    };
  },
});
