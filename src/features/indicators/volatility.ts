// Rolling volatility: sample standard deviation (n − 1) of the last n one-bar log returns.
import { RollingMoments } from './rolling.ts';

export class LogReturnVolatility {
  private readonly win: RollingMoments;
  private prev = NaN;
  value = NaN;
  constructor(readonly period: number) {
    this.win = new RollingMoments(period);
  }
  get ready(): boolean {
    return this.win.full;
  }
  update(close: number): number {
    if (this.prev === this.prev) {
      this.win.push(Math.log(close / this.prev));
      if (this.win.full) this.value = Math.sqrt(this.win.sampleVariance());
    }
    this.prev = close;
    return this.value;
  }
}
