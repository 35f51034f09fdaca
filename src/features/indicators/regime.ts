// Market regime as in the TG4 bot: a weighted score in [−1, 1] from six components, each in [−1, 1]:
//   ADX 25%        min(ADX / 40, 1) · sign(+DI − −DI)           trend strength in the DI direction
//   Choppiness 20% clamp((61.8 − CHOP) / 23.6, 0, 1) · sign(MA)  how trending (not choppy), in the MA-stack direction
//   MA align 20%   MA alignment score of (close, EMA 9, 21, 50)
//   RSI 15%        clamp((RSI − 50) / 20, −1, 1)                 momentum
//   Volume 10%     clamp(volume ratio − 1, 0, 1) · sign(MA)      above-average volume confirming the direction
//   Sentiment 10%  clamp((sentiment − 50) / 50, −1, 1)           optional input (e.g. Fear & Greed 0..100)
// When there is no sentiment input its weight is dropped and the rest renormalized (divide by 0.9).
// Label: bull (+1) when score ≥ threshold, bear (−1) when score ≤ −threshold, sideways (0) otherwise.
import { Adx } from './adx.ts';
import { Choppiness } from './choppiness.ts';
import { MaAlignment } from './ma-alignment.ts';
import { Rsi } from './rsi.ts';
import { VolumeSpike } from './volume-spike.ts';

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
