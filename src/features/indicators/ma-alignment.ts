// Moving-average alignment score in [−1, 1]: over the ordered sequence (close, EMA p1, EMA p2, …) with p1 < p2 < …,
// the mean of sign(faster − slower) over every pair. +1 = perfect bullish stack (close > EMA9 > EMA21 > EMA50).
import { z } from 'zod';
import { type BuildContext, defineFeature, increasingPeriods, isIncreasing } from '../feature-def.ts';
import type { InputBar } from '../input.ts';
import { Ema } from './moving-averages.ts';
import { sharedEma } from './moving-averages.ts';

/** Mean of sign(s[i] − s[j]) over every pair i < j of the sequence (close first, then EMAs fastest to slowest). */
export function alignmentScore(s: Float64Array): number {
  let acc = 0;
  const m = s.length;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) acc += Math.sign(s[i]! - s[j]!);
  }
  return acc / ((m * (m - 1)) / 2);
}

export class MaAlignment {
  private readonly emas: Ema[];
  private readonly seq: Float64Array;
  value = NaN;

  constructor(readonly periods: readonly number[]) {
    this.emas = periods.map((p) => new Ema(p));
    this.seq = new Float64Array(periods.length + 1);
  }

  get ready(): boolean {
    return this.emas[this.emas.length - 1]!.ready;
  }

  update(close: number): number {
    const s = this.seq;
    s[0] = close;
    for (let i = 0; i < this.emas.length; i++) s[i + 1] = this.emas[i]!.update(close);
    this.value = alignmentScore(s);
    return this.value;
  }
}

/** The alignment score over the lane's shared EMAs of increasing periods, with the close in front. */
export function sharedAlignment(ctx: BuildContext, periods: readonly number[]) {
  const emas = periods.map((q) => sharedEma(ctx, q));
  const seq = new Float64Array(periods.length + 1);
  const slowest = emas[emas.length - 1]!;
  return {
    score(b: InputBar): number {
      seq[0] = b.close;
      for (let i = 0; i < emas.length; i++) seq[i + 1] = emas[i]!.sync(b).value;
      return alignmentScore(seq);
    },
    ready: () => slowest.state.ready,
  };
}

export const maAlignmentFeature = defineFeature({
  name: 'ma_alignment',
  description: 'alignment of close and EMAs of increasing period, −1 (bearish stack) .. +1 (bullish stack)',
  params: z
    .object({ periods: increasingPeriods() })
    .strict()
    .refine((p) => isIncreasing(p.periods), { message: 'periods must be strictly increasing', path: ['periods'] }),
  outputs: ['value'],
  warmup: (p) => p.periods[p.periods.length - 1]! - 1,
  create: (p, ctx) => {
    const m = sharedAlignment(ctx, p.periods);
    return {
      update(b, out, o) {
        out[o] = m.score(b);
        return m.ready();
      },
    };
  },
});
