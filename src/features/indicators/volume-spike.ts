// Volume spike ratio: this bar's volume over the mean volume of the last n bars (this bar included); 1 when the
// window traded nothing.
import { z } from 'zod';
import { defineFeature, period } from '../feature-def.ts';
import { SumWindowIndicator, sharedPerPeriod, writesValue } from './indicator.ts';

export class VolumeSpike extends SumWindowIndicator {
  update(volume: number): number {
    this.win.push(volume);
    if (this.win.full) {
      const m = this.win.mean();
      this.value = m > 0 ? volume / m : 1;
    }
    return this.value;
  }
}

/** The lane's one volume spike ratio over `p` bars (also read by the regime). */
export const sharedVolumeSpike = sharedPerPeriod('volume_spike', VolumeSpike, (v, b) => v.update(b.volume));

export const volumeSpikeFeature = defineFeature({
  name: 'volume_spike',
  description: 'volume / mean volume of the last n bars',
  params: z.object({ period: period(20, 1) }).strict(),
  idParams: ['period'],
  outputs: ['value'],
  warmup: (p) => p.period - 1,
  create: (p, ctx) => writesValue(sharedVolumeSpike(ctx, p.period)),
});
