// Volume spike ratio: this bar's volume over the mean volume of the last n bars (this bar included); 1 when the
// window traded nothing.
import { RollingSum } from './rolling.ts';

export class VolumeSpike {
  private readonly win: RollingSum;
  value = NaN;
  constructor(readonly period: number) {
    this.win = new RollingSum(period);
  }
  get ready(): boolean {
    return this.win.full;
  }
  update(volume: number): number {
    this.win.push(volume);
    if (this.win.full) {
      const m = this.win.mean();
      this.value = m > 0 ? volume / m : 1;
    }
    return this.value;
  }
}
