// Simple and exponential moving averages. EMA is seeded with the first input (pandas ewm(adjust=False), the
// trading-signals package) and counts as ready after `period` inputs.
import { z } from 'zod';
import { type BuildContext, defineFeature, period } from '../feature-def.ts';
import type { InputBar } from '../input.ts';
import { SumWindowIndicator, sharedPerPeriod } from './indicator.ts';

export class Sma extends SumWindowIndicator {
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

/** The lane's one SMA of close over `p` bars. */
export const sharedSma = sharedPerPeriod('sma', Sma, (e, b) => e.update(b.close));

/** The lane's one EMA of close over `p` bars (also read by MA alignment and the regime). */
export const sharedEma = sharedPerPeriod('ema', Ema, (e, b) => e.update(b.close));

/** A moving average of close with its value and dist = close / MA − 1. */
const priceAndDist = (
  name: string,
  description: string,
  make: (ctx: BuildContext, p: number) => { sync(b: InputBar): Sma | Ema },
) =>
  defineFeature({
    name,
    description,
    params: z.object({ period: period(20, 1) }).strict(),
    idParams: ['period'],
    outputs: ['value', 'dist'],
    defaultOutputs: ['dist'],
    warmup: (p) => p.period - 1,
    create: (p, ctx) => {
      const sh = make(ctx, p.period);
      return {
        update(b, out, o) {
          const ma = sh.sync(b);
          const v = ma.value;
          out[o] = v;
          out[o + 1] = b.close / v - 1;
          return ma.ready;
        },
      };
    },
  });

export const smaFeature = priceAndDist('sma', 'simple moving average of close; dist = close / SMA − 1', sharedSma);
export const emaFeature = priceAndDist(
  'ema',
  'exponential moving average of close (seeded with the first close); dist = close / EMA − 1',
  sharedEma,
);
