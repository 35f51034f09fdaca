// On-balance volume: a running total that adds the bar's volume on an up close and subtracts it on a down close.
import { z } from 'zod';
import { defineFeature } from '../feature-def.ts';

export class Obv {
  private prev = NaN;
  value = 0;
  get ready(): boolean {
    return true;
  }
  update(close: number, volume: number): number {
    if (this.prev === this.prev) {
      if (close > this.prev) this.value += volume;
      else if (close < this.prev) this.value -= volume;
    }
    this.prev = close;
    return this.value;
  }
}

export const obvFeature = defineFeature({
  name: 'obv',
  description: 'on-balance volume (running total since the first bar)',
  params: z.object({}).strict(),
  outputs: ['value'],
  warmup: () => 0,
  create: () => {
    const v = new Obv();
    return {
      update(b, out, o) {
        out[o] = v.update(b.close, b.volume);
        return true;
      },
    };
  },
});
