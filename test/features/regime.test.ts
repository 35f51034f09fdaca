// Regime detector: the weighted score recomputed from trading-signals' ADX/CHOP/RSI/EMA (independent) on real
// XBT/USD 1h bars; the sentiment weight is renormalized away when the column is absent.
import { ADX, CHOP, EMA, RSI } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { buildFeatures, type FeatureSpecInput } from '../../src/features/index.ts';
import { RegimeDetector } from '../../src/features/indicators/regime.ts';
import { bundled1h, cloneFrame, tail } from './helpers.ts';

const frame = tail(bundled1h('keep'), 6_000);
const T = frame.length;
const regimeSpec = (sentiment: 'auto' | 'off' = 'auto'): FeatureSpecInput => ({
  features: [{ feature: 'regime', params: { sentiment }, outputs: ['score', 'label', 'bull', 'bear', 'sideways'] }],
  normalization: { method: 'none' },
});
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

describe('regime detector', () => {
  it('score = 25% ADX + 20% CHOP + 20% MA alignment + 15% RSI + 10% volume, renormalized without sentiment', () => {
    const fm = buildFeatures(frame, regimeSpec());
    const adx = new ADX(14),
      chop = new CHOP(14),
      rsi = new RSI(14),
      emas = [9, 21, 50].map((p) => new EMA(p));
    let compared = 0;
    const labels = { bull: 0, bear: 0, sideways: 0 };
    for (let t = 0; t < T; t++) {
      const k = {
        open: frame.open[t]!,
        high: frame.high[t]!,
        low: frame.low[t]!,
        close: frame.close[t]!,
        volume: frame.volume[t]!,
      };
      const a = adx.update(k, false),
        ch = chop.update(k, false),
        r = rsi.update(k.close, false);
      const e = emas.map((x) => x.update(k.close, false));
      if (t < 49 || a === null || ch === null || r === null) continue;
      const seq = [k.close, ...e];
      let ma = 0;
      for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) ma += Math.sign(seq[i]! - seq[j]!);
      ma /= 6;
      let mv = 0;
      for (let j = t - 19; j <= t; j++) mv += frame.volume[j]! / 20;
      const vr = mv > 0 ? k.volume / mv : 1;
      const dir = Math.sign(ma);
      const score =
        (0.25 * Math.min(a / 40, 1) * Math.sign(adx.pdi! - adx.mdi!) +
          0.2 * clamp((61.8 - ch) / 23.6, 0, 1) * dir +
          0.2 * ma +
          0.15 * clamp((r - 50) / 20, -1, 1) +
          0.1 * clamp(vr - 1, 0, 1) * dir) /
        0.9;
      const row = fm.matrix.subarray(t * fm.cols, (t + 1) * fm.cols);
      expect(Math.abs(row[0]! - score)).toBeLessThan(1e-6); // Float32 storage of a value in [−1, 1]
      const label = score >= 0.25 ? 1 : score <= -0.25 ? -1 : 0;
      if (Math.abs(Math.abs(score) - 0.25) > 1e-6) expect(row[1]).toBe(label);
      expect(row[2]! + row[3]! + row[4]!).toBe(1);
      labels[label === 1 ? 'bull' : label === -1 ? 'bear' : 'sideways']++;
      compared++;
    }
    expect(compared).toBe(T - fm.warmup);
    // Real 2019–2020 BTC has all three regimes.
    for (const n of Object.values(labels)) expect(n).toBeGreaterThan(T / 20);
  });

  it('the standalone RegimeDetector gives the same score and label as the feature column', () => {
    const fm = buildFeatures(frame, regimeSpec());
    const r = new RegimeDetector({
      adxPeriod: 14,
      chopPeriod: 14,
      maPeriods: [9, 21, 50],
      rsiPeriod: 14,
      volumePeriod: 20,
      threshold: 0.25,
      useSentiment: false,
    });
    for (let t = 0; t < T; t++) {
      r.update(frame.high[t]!, frame.low[t]!, frame.close[t]!, frame.volume[t]!, NaN);
      expect(r.ready).toBe(t >= fm.warmup);
      if (!r.ready) continue;
      if (Math.fround(r.score) !== fm.matrix[t * fm.cols] || r.label !== fm.matrix[t * fm.cols + 1])
        throw new Error(`row ${t}`);
    }
  });

  it('a sentiment column enters with weight 10%: neutral (50) scales the score by 0.9, greed (100) adds 0.1', () => {
    const plain = buildFeatures(frame, regimeSpec());
    const neutral = buildFeatures(cloneFrame(frame, { sentiment: new Float64Array(T).fill(50) }), regimeSpec());
    const greed = buildFeatures(cloneFrame(frame, { sentiment: new Float64Array(T).fill(100) }), regimeSpec());
    const off = buildFeatures(cloneFrame(frame, { sentiment: new Float64Array(T).fill(100) }), regimeSpec('off'));
    expect(neutral.specHash).toBe(plain.specHash);
    for (let t = plain.warmup; t < T; t++) {
      const s = plain.matrix[t * plain.cols]!;
      expect(neutral.matrix[t * plain.cols]!).toBeCloseTo(0.9 * s, 6);
      expect(greed.matrix[t * plain.cols]!).toBeCloseTo(0.9 * s + 0.1, 6);
      expect(off.matrix[t * plain.cols]!).toBe(s);
    }
  });
});
