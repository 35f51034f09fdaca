// Bollinger bands: SMA ± k population standard deviations, with %B and relative band width.
import { RollingMoments } from './rolling.ts';

export class Bollinger {
  private readonly win: RollingMoments;
  middle = NaN;
  upper = NaN;
  lower = NaN;
  /** (close − lower) / (upper − lower); 0.5 when the bands have zero width. */
  percentB = NaN;
  /** (upper − lower) / middle. */
  width = NaN;

  constructor(
    readonly period: number,
    readonly k: number,
  ) {
    this.win = new RollingMoments(period);
  }
  get ready(): boolean {
    return this.win.full;
  }

  update(close: number): void {
    this.win.push(close);
    if (!this.win.full) return;
    const m = this.win.mean();
    const sd = Math.sqrt(this.win.variance());
    this.middle = m;
    this.upper = m + sd * this.k;
    this.lower = m - sd * this.k;
    const w = this.upper - this.lower;
    this.percentB = w > 0 ? (close - this.lower) / w : 0.5;
    this.width = m !== 0 ? w / m : 0;
  }
}
