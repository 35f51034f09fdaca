// Market regime as in the TG4 bot: a weighted score in [−1, 1] from six components, each in [−1, 1]:
//   ADX 25%        min(ADX / 40, 1) · sign(+DI − −DI)           trend strength in the DI direction
//   Choppiness 20% clamp((61.8 − CHOP) / 23.6, 0, 1) · sign(MA)  how trending (not choppy), in the MA-stack direction
//   MA align 20%   MA alignment score of (close, EMA 9, 21, 50)
//   RSI 15%        clamp((RSI − 50) / 20, −1, 1)                 momentum
//   Volume 10%     clamp(volume ratio − 1, 0, 1) · sign(MA)      above-average volume confirming the direction
//   Sentiment 10%  clamp((sentiment − 50) / 50, −1, 1)           optional input (e.g. Fear & Greed 0..100)
// When there is no sentiment input its weight is dropped and the rest renormalized (divide by 0.9).
// Label: bull (+1) when score ≥ threshold, bear (−1) when score ≤ −threshold, sideways (0) otherwise.
import { z } from 'zod';
import { defineFeature, increasingPeriods, isIncreasing, period } from '../feature-def.ts';
import { Adx, sharedAdx } from './adx.ts';
import { Choppiness, sharedChop } from './choppiness.ts';
import { MaAlignment, sharedAlignment } from './ma-alignment.ts';
import { Rsi, sharedRsi } from './rsi.ts';
import { sharedVolumeSpike, VolumeSpike } from './volume-spike.ts';

export interface RegimeParams {
  adxPeriod: number;
  chopPeriod: number;
  maPeriods: readonly number[];
  rsiPeriod: number;
  volumePeriod: number;
  threshold: number;
  useSentiment: boolean;
}

export const REGIME_WEIGHTS = { adx: 0.25, chop: 0.2, ma: 0.2, rsi: 0.15, volume: 0.1, sentiment: 0.1 } as const;

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

/** The weighted score from the component values (each indicator ready); sentiment is NaN when not used. */
export function regimeScore(
  adx: number,
  plusDi: number,
  minusDi: number,
  chop: number,
  ma: number,
  rsi: number,
  volumeRatio: number,
  sentiment: number,
  useSentiment: boolean,
): number {
  const w = REGIME_WEIGHTS;
  const dir = Math.sign(ma);
  const cAdx = Math.min(adx / 40, 1) * Math.sign(plusDi - minusDi);
  const cChop = clamp((61.8 - chop) / 23.6, 0, 1) * dir;
  const cRsi = clamp((rsi - 50) / 20, -1, 1);
  const cVol = clamp(volumeRatio - 1, 0, 1) * dir;
  let acc = w.adx * cAdx + w.chop * cChop + w.ma * ma + w.rsi * cRsi + w.volume * cVol;
  if (useSentiment) acc += w.sentiment * clamp((sentiment - 50) / 50, -1, 1);
  return acc / (useSentiment ? 1 : 0.9);
}

/** +1 bull, −1 bear, 0 sideways. */
export function regimeLabel(score: number, threshold: number): number {
  return score >= threshold ? 1 : score <= -threshold ? -1 : 0;
}

export class RegimeDetector {
  private readonly adx: Adx;
  private readonly chop: Choppiness;
  private readonly ma: MaAlignment;
  private readonly rsi: Rsi;
  private readonly vol: VolumeSpike;
  score = NaN;
  /** +1 bull, −1 bear, 0 sideways. */
  label = NaN;

  constructor(readonly params: RegimeParams) {
    this.adx = new Adx(params.adxPeriod);
    this.chop = new Choppiness(params.chopPeriod);
    this.ma = new MaAlignment(params.maPeriods);
    this.rsi = new Rsi(params.rsiPeriod);
    this.vol = new VolumeSpike(params.volumePeriod);
  }

  get ready(): boolean {
    return this.adx.ready && this.chop.ready && this.ma.ready && this.rsi.ready && this.vol.ready;
  }

  /** `sentiment` is ignored unless the detector was built with useSentiment. */
  update(high: number, low: number, close: number, volume: number, sentiment: number): void {
    this.adx.update(high, low, close);
    this.chop.update(high, low, close);
    const ma = this.ma.update(close);
    const rsi = this.rsi.update(close);
    const vr = this.vol.update(volume);
    if (!this.ready) return;
    const a = this.adx;
    this.score = regimeScore(
      a.value,
      a.plusDi,
      a.minusDi,
      this.chop.value,
      ma,
      rsi,
      vr,
      sentiment,
      this.params.useSentiment,
    );
    this.label = regimeLabel(this.score, this.params.threshold);
  }
}

/** The regime as a feature: reads the lane's shared ADX, CHOP, EMAs, RSI and volume spike (stepped once per bar). */
export const regimeFeature = defineFeature({
  name: 'regime',
  description:
    'TG4 regime: weighted score of ADX 25%, choppiness 20%, MA alignment 20%, RSI 15%, volume 10%, sentiment 10% (optional column, renormalized when absent); label +1 bull / −1 bear / 0 sideways',
  params: z
    .object({
      adx_period: period(14),
      chop_period: period(14),
      ma_periods: increasingPeriods(),
      rsi_period: period(14),
      volume_period: period(20, 1),
      threshold: z.number().gt(0).lt(1).default(0.25),
      sentiment: z.enum(['auto', 'off', 'required']).default('auto'),
      sentiment_column: z.string().min(1).default('sentiment'),
    })
    .strict()
    .refine((p) => isIncreasing(p.ma_periods), {
      message: 'ma_periods must be strictly increasing',
      path: ['ma_periods'],
    }),
  outputs: ['score', 'label', 'bull', 'bear', 'sideways'],
  defaultOutputs: ['score', 'label'],
  warmup: (p) =>
    Math.max(
      2 * p.adx_period - 2,
      p.chop_period,
      p.ma_periods[p.ma_periods.length - 1]! - 1,
      p.rsi_period,
      p.volume_period - 1,
    ),
  inputs: (p) => (p.sentiment === 'required' ? [p.sentiment_column] : []),
  create: (p, ctx) => {
    const use = p.sentiment === 'required' || (p.sentiment === 'auto' && ctx.has(p.sentiment_column));
    const si = use ? ctx.column(p.sentiment_column) : -1;
    const adx = sharedAdx(ctx, p.adx_period);
    const chop = sharedChop(ctx, p.chop_period);
    const ma = sharedAlignment(ctx, p.ma_periods);
    const rsi = sharedRsi(ctx, p.rsi_period);
    const vol = sharedVolumeSpike(ctx, p.volume_period);
    return {
      update(b, out, o) {
        const a = adx.sync(b);
        const c = chop.sync(b);
        const r = rsi.sync(b);
        const v = vol.sync(b);
        const m = ma.score(b);
        const ready = a.ready && c.ready && r.ready && v.ready && ma.ready();
        if (ready) {
          const score = regimeScore(
            a.value,
            a.plusDi,
            a.minusDi,
            c.value,
            m,
            r.value,
            v.value,
            si >= 0 ? b.x[si]! : NaN,
            use,
          );
          const label = regimeLabel(score, p.threshold);
          out[o] = score;
          out[o + 1] = label;
          out[o + 2] = label === 1 ? 1 : 0;
          out[o + 3] = label === -1 ? 1 : 0;
          out[o + 4] = label === 0 ? 1 : 0;
        }
        return ready;
      },
    };
  },
});
