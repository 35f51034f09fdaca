// Rolling volatility: sample standard deviation (n − 1) of the last n one-bar log returns.
import { z } from 'zod';
import { defineFeature, period } from '../feature-def.ts';
import { MomentsWindowIndicator } from './indicator.ts';

export class LogReturnVolatility extends MomentsWindowIndicator {
  private prev = NaN;
  update(close: number): number {
    if (this.prev === this.prev) {
      this.win.push(Math.log(close / this.prev));
      if (this.win.full) this.value = Math.sqrt(this.win.sampleVariance());
    }
    this.prev = close;
    return this.value;
  }
}

export const volatilityFeature = defineFeature({
  name: 'volatility',
  description: 'rolling sample std of one-bar log returns',
  params: z.object({ period: period(20) }).strict(),
  idParams: ['period'],
  outputs: ['value'],
  warmup: (p) => p.period,
  create: (p) => {
    const v = new LogReturnVolatility(p.period);
    return {
      update(b, out, o) {
        out[o] = v.update(b.close);
        return v.ready;
      },
    };
  },
});
