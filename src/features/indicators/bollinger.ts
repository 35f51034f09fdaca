// Bollinger bands: SMA ± k population standard deviations, with %B and relative band width.
import { z } from 'zod';
import { defineFeature, period } from '../feature-def.ts';
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

export const bbandsFeature = defineFeature({
  name: 'bbands',
  description: 'Bollinger bands (SMA ± k population std); pctb = %B, width = (upper − lower) / middle',
  params: z.object({ period: period(20), k: z.number().gt(0).max(10).default(2) }).strict(),
  idParams: ['period', 'k'],
  outputs: ['middle', 'upper', 'lower', 'pctb', 'width'],
  defaultOutputs: ['pctb', 'width'],
  warmup: (p) => p.period - 1,
  create: (p) => {
    const bb = new Bollinger(p.period, p.k);
    return {
      update(b, out, o) {
        bb.update(b.close);
        out[o] = bb.middle;
        out[o + 1] = bb.upper;
        out[o + 2] = bb.lower;
        out[o + 3] = bb.percentB;
        out[o + 4] = bb.width;
        return bb.ready;
      },
    };
  },
});
