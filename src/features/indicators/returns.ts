// Log returns over several horizons: ln(close_t / close_{t−h}) for each h.
import { z } from 'zod';
import { defineFeature, int } from '../feature-def.ts';

export class MultiHorizonReturns {
  private readonly ring: Float64Array;
  private readonly maxH: number;
  private head = 0;
  private count = 0;
  readonly values: Float64Array;

  constructor(readonly horizons: readonly number[]) {
    this.maxH = Math.max(...horizons);
    this.ring = new Float64Array(this.maxH + 1);
    this.values = new Float64Array(horizons.length).fill(NaN);
  }

  get ready(): boolean {
    return this.count > this.maxH;
  }

  update(close: number): void {
    const cap = this.maxH + 1;
    this.ring[this.head] = close;
    this.count++;
    for (let i = 0; i < this.horizons.length; i++) {
      const h = this.horizons[i]!;
      if (this.count > h) {
        let j = this.head - h;
        if (j < 0) j += cap;
        this.values[i] = Math.log(close / this.ring[j]!);
      }
    }
    this.head = this.head + 1 === cap ? 0 : this.head + 1;
  }
}

export const returnsFeature = defineFeature({
  name: 'returns',
  description: 'log returns ln(close_t / close_{t−h}) for each horizon h',
  params: z.object({ horizons: z.array(int(1)).min(1).max(16).default([1, 5, 15, 60]) }).strict(),
  outputs: (p) => p.horizons.map((h) => `r${h}`),
  warmup: (p) => Math.max(...p.horizons),
  create: (p) => {
    const r = new MultiHorizonReturns(p.horizons);
    const n = p.horizons.length;
    return {
      update(b, out, o) {
        r.update(b.close);
        for (let i = 0; i < n; i++) out[o + i] = r.values[i]!;
        return r.ready;
      },
    };
  },
});
