// Volume-weighted average of the typical price (h + l + c) / 3: over the last n bars, or since the first bar
// when n = 0 (anchored, as trading-signals' VWAP). With no volume in the window it falls back to the typical price.
import { z } from 'zod';
import { defineFeature, int } from '../feature-def.ts';
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

export const vwapFeature = defineFeature({
  name: 'vwap',
  description: 'VWAP of the typical price over the last n bars (0 = since the first bar); dist = close / VWAP − 1',
  params: z.object({ period: int(0).default(20) }).strict(),
  idParams: ['period'],
  outputs: ['value', 'dist'],
  defaultOutputs: ['dist'],
  warmup: (p) => Math.max(0, p.period - 1),
  create: (p) => {
    const v = new Vwap(p.period);
    return {
      update(b, out, o) {
        const x = v.update(b.high, b.low, b.close, b.volume);
        out[o] = x;
        out[o + 1] = b.close / x - 1;
        return v.ready;
      },
    };
  },
});
