import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from '../../src/stats/normal.ts';
import {
  deflatedSharpeRatio,
  expectedMaxSharpe,
  probabilisticSharpeRatio,
  returnMoments,
} from '../../src/stats/sharpe.ts';
import { stationaryBootstrapMean } from '../../src/stats/bootstrap.ts';
import { Rng } from '../../src/core/rng.ts';

// Expected values computed independently with Python's statistics.NormalDist and the papers' formulas.
const R = [0.01, -0.005, 0.02, 0.0, 0.015, -0.01, 0.007, 0.003, -0.002, 0.012];

describe('normal distribution', () => {
  it('cdf and quantile match an independent implementation', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517796, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 7);
    expect(normalCdf(-5) / 2.8665157186802404e-7).toBeCloseTo(1, 5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.9599639845400536, 6);
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424308822899, 5);
    for (const x of [-6, -2.5, -0.3, 0, 0.7, 3.1, 6]) expect(normalQuantile(normalCdf(x))).toBeCloseTo(x, 5);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
  });
});

describe('Sharpe-ratio statistics', () => {
  it('PSR uses skewness and kurtosis as the paper does', () => {
    expect(probabilisticSharpeRatio(R)).toBeCloseTo(0.9375445805122626, 6);
    expect(probabilisticSharpeRatio(R, 0.1)).toBeCloseTo(0.8932603769121392, 6);
    const m = returnMoments(R);
    expect(m.n).toBe(10);
    expect(m.kurtosis).toBeGreaterThan(1);
  });

  it('the expected best Sharpe of N null trials grows with N (false-strategy theorem)', () => {
    expect(expectedMaxSharpe(100, 1)).toBeCloseTo(2.5306028932016846, 5);
    expect(expectedMaxSharpe(10, 0.04)).toBeCloseTo(0.31491966026915, 5);
    expect(expectedMaxSharpe(1, 5)).toBe(0);
    expect(() => expectedMaxSharpe(0, 1)).toThrow(/count every configuration and seed tried/);
  });

  it('DSR deflates: the more trials with spread-out Sharpe ratios, the lower it is', () => {
    const one = deflatedSharpeRatio(R, [0.3]);
    expect(one.dsr).toBeCloseTo(probabilisticSharpeRatio(R, 0), 12);
    const many = deflatedSharpeRatio(R, [0.3, -0.2, 0.1, 0.05, -0.1, 0.25, 0.0, 0.12]);
    expect(many.trials).toBe(8);
    expect(many.threshold).toBeGreaterThan(0);
    expect(many.dsr).toBeLessThan(one.dsr);
  });

  it('refuses too-short or non-finite series', () => {
    expect(() => probabilisticSharpeRatio([0.1])).toThrow(/at least 2 returns/);
    expect(() => probabilisticSharpeRatio([0.1, NaN, 0.2])).toThrow(/return 1 is NaN/);
  });
});

describe('stationary bootstrap', () => {
  it('finds a real edge and is calibrated under the null (about 5% false positives at 5%)', () => {
    const rng = new Rng(1);
    const edge = Float64Array.from({ length: 500 }, () => 0.002 + 0.01 * rng.normal());
    const t = stationaryBootstrapMean(edge, { samples: 1000, seed: 3 });
    expect(t.pValue).toBeLessThan(0.01);
    expect(t.low).toBeLessThan(t.mean);
    expect(t.high).toBeGreaterThan(t.mean);
    let rejections = 0;
    const trials = 200;
    for (let k = 0; k < trials; k++) {
      const noise = Float64Array.from({ length: 300 }, () => 0.01 * rng.normal());
      if (stationaryBootstrapMean(noise, { samples: 300, seed: k }).pValue < 0.05) rejections++;
    }
    expect(rejections / trials).toBeGreaterThan(0.01);
    expect(rejections / trials).toBeLessThan(0.12);
  });

  it('is seeded: the same seed gives the same p-value', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => Math.sin(i) * 0.01 + 0.001);
    expect(stationaryBootstrapMean(x, { seed: 5 }).pValue).toBe(stationaryBootstrapMean(x, { seed: 5 }).pValue);
    expect(() => stationaryBootstrapMean([1])).toThrow(/at least 2 periods/);
  });
});
