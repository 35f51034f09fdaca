// Rolling z-score of a series: (x − mean) / population std over the last n values, current value included.
// A window with zero spread gives 0.
import { RollingMoments } from './rolling.ts';

export class RollingZScore {
  private readonly win: RollingMoments;
  value = NaN;
  constructor(readonly period: number) {
    this.win = new RollingMoments(period);
  }
  get ready(): boolean {
    return this.win.full;
  }
  update(x: number): number {
    this.win.push(x);
    if (this.win.full) {
      const sd = Math.sqrt(this.win.variance());
      this.value = sd > 0 ? (x - this.win.mean()) / sd : 0;
    }
    return this.value;
  }
}
