// MACD: EMA(fast) − EMA(slow); the signal EMA starts on the first MACD value (bar slow − 1), as trading-signals does.
import { z } from 'zod';
import { defineFeature, period } from '../feature-def.ts';
import { Ema } from './moving-averages.ts';

export class Macd {
  private readonly fastEma: Ema;
  private readonly slowEma: Ema;
  private readonly signalEma: Ema;
  macd = NaN;
  signal = NaN;
  histogram = NaN;

  constructor(
    readonly fast: number,
    readonly slow: number,
    readonly signalPeriod: number,
  ) {
    this.fastEma = new Ema(fast);
    this.slowEma = new Ema(slow);
    this.signalEma = new Ema(signalPeriod);
  }

  get ready(): boolean {
    return this.signalEma.ready;
  }

  update(close: number): void {
    const f = this.fastEma.update(close);
    const s = this.slowEma.update(close);
    if (!this.slowEma.ready) return;
    this.macd = f - s;
    this.signal = this.signalEma.update(this.macd);
    this.histogram = this.macd - this.signal;
  }
}

export const macdFeature = defineFeature({
  name: 'macd',
  description: 'MACD = EMA(fast) − EMA(slow), signal EMA, histogram; hist_pct = histogram / close · 100',
  params: z
    .object({ fast: period(12, 1), slow: period(26), signal: period(9, 1) })
    .strict()
    .refine((p) => p.fast < p.slow, { message: 'fast must be smaller than slow', path: ['fast'] }),
  idParams: ['fast', 'slow', 'signal'],
  outputs: ['macd', 'signal', 'hist', 'hist_pct'],
  defaultOutputs: ['macd', 'signal', 'hist'],
  warmup: (p) => p.slow - 1 + p.signal - 1,
  create: (p) => {
    const m = new Macd(p.fast, p.slow, p.signal);
    return {
      update(b, out, o) {
        m.update(b.close);
        out[o] = m.macd;
        out[o + 1] = m.signal;
        out[o + 2] = m.histogram;
        out[o + 3] = (m.histogram / b.close) * 100;
        return m.ready;
      },
    };
  },
});
