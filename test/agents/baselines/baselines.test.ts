// Baseline policies: their indicators against an independent library (trading-signals), their rules on hand-built
// series, the mapping of a desired position onto each action scheme, and causality (no use of future bars).
import { describe, expect, it } from 'vitest';
import { BollingerBands, EMA, RSI } from 'trading-signals';
import { bollinger, ema, rsi } from '../../../agents/baselines/indicators.ts';
import { BASELINE_NAMES, createBaseline, emaTrend, meanReversion, toAction } from '../../../agents/baselines/index.ts';
import { createActionScheme } from '../../../envs/trading/actions.ts';
import type { MarketFrame } from '../../../replay/market-frame.ts';
import { Rng } from '../../../src/core/rng.ts';

function frameOf(close: number[]): MarketFrame {
  const c = Float64Array.from(close);
  return {
    symbol: 'TEST/USD',
    timeframe: '1m',
    timeframeMs: 60_000,
    length: c.length,
    time: Float64Array.from(c, (_, i) => i * 60_000),
    open: c,
    high: c,
    low: c,
    close: c,
    volume: new Float64Array(c.length).fill(1),
  };
}

function randomWalk(n: number, seed: number): number[] {
  const rng = new Rng(seed);
  const out = [100];
  for (let i = 1; i < n; i++) out.push(out[i - 1]! * (1 + 0.01 * rng.normal()));
  return out;
}

describe('baseline indicators', () => {
  const close = Float64Array.from(randomWalk(300, 3));
  it('RSI (Wilder) and Bollinger (population sd) match trading-signals', () => {
    const mine = rsi(close, 14);
    const ref = new RSI(14);
    const bb = bollinger(close, 20, 2);
    const refBb = new BollingerBands(20, 2);
    let compared = 0;
    for (let t = 0; t < close.length; t++) {
      ref.add(close[t]!);
      refBb.add(close[t]!);
      if (ref.isStable) expect(mine[t]).toBeCloseTo(Number(ref.getResult()), 8);
      else expect(mine[t]).toBeNaN();
      if (refBb.isStable) {
        const r = refBb.getResult()!;
        expect(bb.upper[t]).toBeCloseTo(Number(r.upper), 8);
        expect(bb.lower[t]).toBeCloseTo(Number(r.lower), 8);
        compared++;
      }
      if (ref.isStable) compared++;
    }
    expect(compared).toBeGreaterThan(500);
  });
  it('EMA follows e ← e + 2/(n+1)(c − e) from an SMA seed, and converges to the first-value-seeded EMA', () => {
    const e = ema(close, 9);
    expect(e[7]).toBeNaN();
    expect(e[8]).toBeCloseTo(close.slice(0, 9).reduce((a, b) => a + b, 0) / 9, 12);
    for (let t = 9; t < close.length; t++) expect(e[t]).toBeCloseTo(e[t - 1]! + 0.2 * (close[t]! - e[t - 1]!), 12);
    const ref = new EMA(9);
    for (const c of close) ref.add(c);
    expect(e[close.length - 1]).toBeCloseTo(Number(ref.getResult()), 6);
  });
});

describe('baseline rules', () => {
  it('EMA trend flips long above the EMA and short below it', () => {
    const up = Array.from({ length: 20 }, (_, i) => 100 + i);
    const down = Array.from({ length: 20 }, (_, i) => 119 - 2 * i);
    const p = emaTrend();
    const f = frameOf([...up, ...down]);
    p.prepare(f);
    expect(p.position(7, 0)).toBe(0); // EMA not defined yet
    expect(p.position(15, 0)).toBe(1);
    expect(p.position(35, 0)).toBe(-1);
    const longOnly = emaTrend({ allowShort: false });
    longOnly.prepare(f);
    expect(longOnly.position(35, 0)).toBe(0);
  });
  it('mean reversion enters on band + RSI extremes and exits at the middle band', () => {
    // Flat at 100 with a tiny wiggle, then a crash (oversold, below the lower band), then recovery to the mean.
    const close = [...Array.from({ length: 30 }, (_, i) => 100 + (i % 2) * 0.1), 95, 90, 88, 92, 96, 101, 101];
    const p = meanReversion();
    p.prepare(frameOf(close));
    expect(p.position(29, 0)).toBe(0);
    expect(p.position(31, 0)).toBe(1);
    expect(p.position(32, 0)).toBe(1);
    const exit = close.findIndex((_c, t) => t > 32 && p.position(t, 1) === 0);
    expect(exit).toBeGreaterThan(32);
    expect(close[exit]).toBeGreaterThanOrEqual(96);
  });
  it('signals are causal: changing future bars leaves earlier positions unchanged', () => {
    const close = randomWalk(400, 11);
    for (const name of ['ema-trend', 'mean-reversion']) {
      const a = createBaseline(name);
      const b = createBaseline(name);
      a.prepare(frameOf(close));
      const perturbed = close.map((c, t) => (t > 200 ? c * (1 + 0.05 * Math.sin(t)) : c));
      b.prepare(frameOf(perturbed));
      for (let t = 0; t <= 200; t++) expect(b.position(t, 0)).toBe(a.position(t, 0));
    }
  });
  it('random is seeded', () => {
    const a = createBaseline('random', 5);
    const b = createBaseline('random', 5);
    a.prepare(frameOf([1, 2]));
    b.prepare(frameOf([1, 2]));
    const xs = Array.from({ length: 50 }, (_, t) => a.position(t, 0));
    expect(Array.from({ length: 50 }, (_, t) => b.position(t, 0))).toEqual(xs);
    expect(new Set(xs)).toEqual(new Set([-1, 0, 1]));
  });
  it('unknown baseline names list the valid ones', () => {
    expect(() => createBaseline('hodl')).toThrow(
      /unknown baseline 'hodl'; valid baselines are buy-and-hold, ema-trend, mean-reversion, random/,
    );
    expect(BASELINE_NAMES).toHaveLength(4);
  });
});

describe('toAction', () => {
  it('maps a desired position onto each action scheme', () => {
    const d3 = createActionScheme('discrete3', 1);
    expect([-1, 0, 1].map((p) => toAction(d3, p))).toEqual([0, 1, 2]);
    const sized = createActionScheme('discrete-sized', 1, [-1, -0.5, 0, 0.5, 1]);
    expect([-1, -0.5, 0, 0.25, 0.6, 1].map((p) => toAction(sized, p))).toEqual([0, 1, 2, 2, 3, 4]);
    const cont = createActionScheme('continuous', 1);
    expect(toAction(cont, 0.3)).toBe(0.3);
    expect(toAction(cont, 3)).toBe(1);
  });
});
