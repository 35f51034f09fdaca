// Volume-weighted average of the typical price (h + l + c) / 3: over the last n bars, or since the first bar
// when n = 0 (anchored, as trading-signals' VWAP). With no volume in the window it falls back to the typical price.
import { RollingSum } from './rolling.ts';

export class Vwap {
  private readonly pv: RollingSum | null;
  private readonly v: RollingSum | null;
  private cumPv = 0;
  private cumV = 0;
  private count = 0;
  value = NaN;

  constructor(readonly period: number) {
    this.pv = period > 0 ? new RollingSum(period) : null;
    this.v = period > 0 ? new RollingSum(period) : null;
  }

  get ready(): boolean {
    return this.period === 0 ? this.count > 0 : this.count >= this.period;
  }

  update(high: number, low: number, close: number, volume: number): number {
    const tp = (high + low + close) / 3;
    let spv: number;
    let sv: number;
    if (this.pv && this.v) {
      this.pv.push(tp * volume);
      this.v.push(volume);
      spv = this.pv.sum();
      sv = this.v.sum();
    } else {
      this.cumPv += tp * volume;
      this.cumV += volume;
      spv = this.cumPv;
      sv = this.cumV;
    }
    this.count++;
    this.value = sv > 0 ? spv / sv : tp;
    return this.value;
  }
}
