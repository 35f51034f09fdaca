// Volume spike ratio: this bar's volume over the mean volume of the last n bars (this bar included); 1 when the
// window traded nothing.
import { period } from '../feature-def.ts';
import { SumWindowIndicator, sharedPerPeriod, sharedValueFeature } from './indicator.ts';

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

export const volumeSpikeFeature = sharedValueFeature('volume_spike', sharedVolumeSpike, {
  description: 'volume / mean volume of the last n bars',
  period: period(20, 1),
  warmup: (p) => p - 1,
});
