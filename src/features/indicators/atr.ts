// True range and Average True Range (Wilder). The first bar's true range is high − low (no previous close).
import { z } from 'zod';
import { defineFeature, period } from '../feature-def.ts';
import { sharedPerPeriod } from './indicator.ts';
import { WilderSmoother } from './rolling.ts';

export function trueRange(high: number, low: number, prevClose: number): number {
  if (prevClose !== prevClose) return high - low;
  return Math.max(high - low, Math.abs(high - prevClose), Math.abs(low - prevClose));
}

export class Atr {
  private readonly smooth: WilderSmoother;
  private prevClose = NaN;
  value = NaN;
  constructor(readonly period: number) {
    this.smooth = new WilderSmoother(period);
  }
  get ready(): boolean {
    return this.smooth.ready;
  }
  update(high: number, low: number, close: number): number {
    this.value = this.smooth.update(trueRange(high, low, this.prevClose));
    this.prevClose = close;
    return this.value;
  }
}

/** The lane's one ATR over `p` bars. */
export const sharedAtr = sharedPerPeriod('atr', Atr, (a, b) => a.update(b.high, b.low, b.close));

export const atrFeature = defineFeature({
  name: 'atr',
  description: 'average true range (Wilder); pct = ATR / close',
  params: z.object({ period: period(14, 1) }).strict(),
  idParams: ['period'],
  outputs: ['value', 'pct'],
  defaultOutputs: ['pct'],
  warmup: (p) => p.period - 1,
  create: (p, ctx) => {
    const sh = sharedAtr(ctx, p.period);
    return {
      update(b, out, o) {
        const a = sh.sync(b);
        const v = a.value;
        out[o] = v;
        out[o + 1] = v / b.close;
        return a.ready;
      },
    };
  },
});
