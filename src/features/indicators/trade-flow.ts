// Trade-flow features from aggressor-side volume per bar (buy_volume, sell_volume).

import { z } from 'zod';
import { FeatureError } from '../errors.ts';
import { defineFeature, period } from '../feature-def.ts';
import { TRADE_COLUMNS } from '../input.ts';
import { RollingSum } from './rolling.ts';

/** (Σ buy − Σ sell) / (Σ buy + Σ sell) over the last n bars; 0 when nothing traded. */
export class VolumeImbalance {
  private readonly buy: RollingSum;
  private readonly sell: RollingSum;
  value = NaN;
  constructor(readonly period: number) {
    this.buy = new RollingSum(period);
    this.sell = new RollingSum(period);
  }
  get ready(): boolean {
    return this.buy.full;
  }
  update(buyVolume: number, sellVolume: number): number {
    this.buy.push(buyVolume);
    this.sell.push(sellVolume);
    if (this.buy.full) {
      const b = this.buy.sum();
      const s = this.sell.sum();
      const t = b + s;
      this.value = t > 0 ? (b - s) / t : 0;
    }
    return this.value;
  }
}

/**
 * VPIN (Easley, López de Prado, O'Hara 2012): volume is cut into buckets of equal size V; each bar's buy and sell
 * volume is split across buckets in proportion; VPIN = mean |V_buy − V_sell| / V over the last n full buckets.
 * Uses the bar's own aggressor split (no bulk classification). Ready once n buckets have filled.
 */
export class Vpin {
  private readonly imb: RollingSum;
  private bucketBuy = 0;
  private bucketSell = 0;
  value = NaN;

  constructor(
    readonly bucketVolume: number,
    readonly buckets: number,
  ) {
    this.imb = new RollingSum(buckets);
  }

  get ready(): boolean {
    return this.imb.full;
  }

  update(buyVolume: number, sellVolume: number): number {
    let b = buyVolume;
    let s = sellVolume;
    const V = this.bucketVolume;
    for (;;) {
      const room = V - this.bucketBuy - this.bucketSell;
      const total = b + s;
      if (total < room) {
        this.bucketBuy += b;
        this.bucketSell += s;
        break;
      }
      const f = total > 0 ? room / total : 0;
      const tb = b * f;
      const ts = s * f;
      this.imb.push(Math.abs(this.bucketBuy + tb - (this.bucketSell + ts)) / V);
      this.bucketBuy = 0;
      this.bucketSell = 0;
      b -= tb;
      s -= ts;
      if (b + s <= 0) break;
    }
    if (this.imb.full) this.value = this.imb.mean();
    return this.value;
  }
}

const TRADE_INPUTS = [TRADE_COLUMNS.buy, TRADE_COLUMNS.sell];

export const volumeImbalanceFeature = defineFeature({
  name: 'volume_imbalance',
  description: `(buy − sell) / (buy + sell) aggressor volume over n bars; needs columns ${TRADE_COLUMNS.buy}, ${TRADE_COLUMNS.sell}`,
  params: z.object({ period: period(20, 1) }).strict(),
  idParams: ['period'],
  outputs: ['value'],
  warmup: (p) => p.period - 1,
  inputs: TRADE_INPUTS,
  create: (p, ctx) => {
    const v = new VolumeImbalance(p.period);
    const bi = ctx.column(TRADE_COLUMNS.buy);
    const si = ctx.column(TRADE_COLUMNS.sell);
    return {
      update(b, out, o) {
        out[o] = v.update(b.x[bi]!, b.x[si]!);
        return v.ready;
      },
    };
  },
});

export const vpinFeature = defineFeature({
  name: 'vpin',
  description: `volume-synchronized probability of informed trading over n volume buckets; needs ${TRADE_COLUMNS.buy}, ${TRADE_COLUMNS.sell}; warm-up depends on traded volume`,
  params: z.object({ bucket_volume: z.number().gt(0), buckets: period(50, 1) }).strict(),
  idParams: ['bucket_volume', 'buckets'],
  outputs: ['value'],
  warmup: () => 0,
  inputs: TRADE_INPUTS,
  create: (p, ctx) => {
    const v = new Vpin(p.bucket_volume, p.buckets);
    const bi = ctx.column(TRADE_COLUMNS.buy);
    const si = ctx.column(TRADE_COLUMNS.sell);
    return {
      update(b, out, o) {
        const buy = b.x[bi]!;
        const sell = b.x[si]!;
        if ((buy + sell) / p.bucket_volume > 1e6) {
          throw new FeatureError(
            `vpin: bucket_volume ${p.bucket_volume} is too small for a bar with volume ${buy + sell} (over a million buckets): raise bucket_volume`,
          );
        }
        out[o] = v.update(buy, sell);
        return v.ready;
      },
    };
  },
});
