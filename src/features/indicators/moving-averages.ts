// Simple and exponential moving averages. EMA is seeded with the first input (pandas ewm(adjust=False), the
// trading-signals package) and counts as ready after `period` inputs.
import { RollingSum } from './rolling.ts';

export class Sma {
  private readonly win: RollingSum;
  value = NaN;
  constructor(readonly period: number) {
    this.win = new RollingSum(period);
  }
  get ready(): boolean {
    return this.win.full;
  }
  update(x: number): number {
    this.win.push(x);
    if (this.win.full) this.value = this.win.mean();
    return this.value;
  }
}

export class Ema {
  private readonly alpha: number;
  private count = 0;
  value = NaN;
  constructor(readonly period: number) {
    this.alpha = 2 / (period + 1);
  }
  get ready(): boolean {
    return this.count >= this.period;
  }
  update(x: number): number {
    const prev = this.count === 0 ? x : this.value;
    this.count++;
    this.value = x * this.alpha + prev * (1 - this.alpha);
    return this.value;
  }
}
