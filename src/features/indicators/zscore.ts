// Rolling z-score of a series: (x − mean) / population std over the last n values, current value included.
// A window with zero spread gives 0.
import { z } from 'zod';
import { defineFeature, period } from '../feature-def.ts';
import { MomentsWindowIndicator } from './indicator.ts';

export class RollingZScore extends MomentsWindowIndicator {
  update(x: number): number {
    this.win.push(x);
    if (this.win.full) {
      const sd = Math.sqrt(this.win.variance());
      this.value = sd > 0 ? (x - this.win.mean()) / sd : 0;
    }
    return this.value;
  }
}

export const zscoreFeature = defineFeature({
  name: 'zscore',
  description: 'rolling z-score of close or volume over the last n bars (current bar included)',
  params: z.object({ period: period(20), source: z.enum(['close', 'volume']).default('close') }).strict(),
  idParams: ['period'],
  outputs: ['value'],
  warmup: (p) => p.period - 1,
  create: (p) => {
    const zs = new RollingZScore(p.period);
    const vol = p.source === 'volume';
    return {
      update(b, out, o) {
        out[o] = zs.update(vol ? b.volume : b.close);
        return zs.ready;
      },
    };
  },
});
