// Baseline policies: their indicators against an independent library (trading-signals), their rules on hand-built
// series, the mapping of a desired position onto each action scheme, causality (no use of future bars), and the bot's
// EMA-9 trend flip through the env (confirmation, its own ATR stop and target, no re-entry after an exit).
import { describe, expect, it } from 'vitest';
import { BollingerBands, EMA, RSI } from 'trading-signals';
import { bollinger, ema, rsi } from '../../../agents/baselines/indicators.ts';
import {
  BASELINE_NAMES,
  COMPARISON_BASELINES,
  EMA_TREND_FLIP_DEFAULTS,
  baselineKwargs,
  createBaseline,
  emaCrossFlip,
  emaTrendFlip,
  meanReversion,
  runBaseline,
  toAction,
  type EpisodeResult,
} from '../../../agents/baselines/index.ts';
import { TradingEnv } from '../../../envs/trading/trading-env.ts';
import { frameFromCloses, simpleFeatures } from '../../envs/trading/helpers.ts';
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
  it('EMA cross flip flips long above the EMA and short below it', () => {
    const up = Array.from({ length: 20 }, (_, i) => 100 + i);
    const down = Array.from({ length: 20 }, (_, i) => 119 - 2 * i);
    const p = emaCrossFlip();
    const f = frameOf([...up, ...down]);
    p.prepare(f);
    expect(p.position(7, 0)).toBe(0); // EMA not defined yet
    expect(p.position(15, 0)).toBe(1);
    expect(p.position(35, 0)).toBe(-1);
    const longOnly = emaCrossFlip({ allowShort: false });
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
    for (const name of ['ema-cross-flip', 'ema-trend-flip', 'mean-reversion']) {
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
      new RegExp(`unknown baseline 'hodl'; valid baselines are ${BASELINE_NAMES.join(', ')}$`),
    );
    for (const name of ['buy-and-hold', 'ema-trend-flip', 'ema-cross-flip', 'mean-reversion', 'random'])
      expect(BASELINE_NAMES).toContain(name);
    expect(COMPARISON_BASELINES).toEqual(['buy-and-hold', 'ema-trend-flip']);
  });
});

describe("EMA-9 trend flip (the bot's rule)", () => {
  // 9 flat closes define the EMA at bar 8; then closes above it from bar 9 on, one dip below, and a fall.
  const flat = Array.from({ length: 9 }, () => 100);
  const close = [...flat, 101, 102, 99, 103, 104, 105, 106, 107, 100, 96, 93, 90, 88, 86, 85];
  it('a flip needs 3 consecutive closes beyond the EMA; between flips it holds, and flat stays flat', () => {
    const p = emaTrendFlip();
    p.prepare(frameOf(close));
    const ema = (t: number): number => {
      let e = 100;
      for (let k = 9; k <= t; k++) e += 0.2 * (close[k]! - e);
      return e;
    };
    expect(close[11]! < ema(11)).toBe(true); // the dip breaks the first run of closes above the EMA
    expect([9, 10, 11, 12, 13].map((t) => p.position(t, 0))).toEqual([0, 0, 0, 0, 0]);
    expect(p.position(14, 0)).toBe(1); // 12, 13, 14 above: confirmed up
    expect(p.position(15, 1)).toBe(1);
    expect(p.position(15, 0)).toBe(0); // stopped out: no re-entry into the same trend
    const down = close.findIndex((_c, t) => t > 15 && p.position(t, 1) === -1);
    for (let k = 0; k < 3; k++) expect(close[down - k]! < ema(down - k)).toBe(true);
    expect(close[down - 3]! < ema(down - 3)).toBe(false); // the third close below is the confirming one
    const longFlat = emaTrendFlip({ allowShort: false });
    longFlat.prepare(frameOf(close));
    expect(longFlat.position(down, 1)).toBe(0);
  });

  it('documents its defaults and brings its own ATR exits to the env it runs on', () => {
    expect(EMA_TREND_FLIP_DEFAULTS).toEqual({
      period: 9,
      confirmBars: 3,
      stopLossAtr: 1.5,
      takeProfitAtr: 3,
      atrPeriod: 14,
      allowShort: true,
    });
    const p = createBaseline('ema-trend-flip');
    expect(p.executor).toEqual({ stopLossAtr: 1.5, takeProfitAtr: 3, atrPeriod: 14 });
    expect(baselineKwargs(p, { executor: { feeRate: 0.0004, stopLossAtr: 4 } })).toEqual({
      executor: { feeRate: 0.0004, stopLossAtr: 1.5, takeProfitAtr: 3, atrPeriod: 14 },
    });
    // Run on an env without those exits it would silently be another strategy: refused.
    const frame = frameFromCloses(close);
    const env = new TradingEnv({ frame, featureMatrix: simpleFeatures(frame), windowSize: 4, episodeLength: null });
    expect(() => runBaseline(env, p)).toThrow(/sets its own exits \(executor.stopLossAtr 1.5\).*baselineKwargs/);
  });

  // A range-bound start (ATR ≈ the wiggle), then closes rising 1% a bar from bar 20; `crash`: one bar whose low falls
  // 6% under its open (more than 1.5 ATR under the entry) while its close stays up.
  function trendRun(wiggle: number, crash: number | null): { exposures: number[]; metrics: EpisodeResult['metrics'] } {
    const closes = Array.from({ length: 20 }, (_, i) => 100 + (i % 2) * wiggle);
    for (let t = 20; t < 60; t++) closes.push(closes[t - 1]! * 1.01);
    const frame = frameFromCloses(closes);
    if (crash !== null) frame.low[crash] = frame.open[crash]! * 0.94;
    const p = createBaseline('ema-trend-flip');
    const env = new TradingEnv(
      baselineKwargs(p, { frame, featureMatrix: simpleFeatures(frame), windowSize: 4, episodeLength: null }),
    );
    const exposures: number[] = [];
    const r = runBaseline(env, {
      ...p,
      prepare: (f) => p.prepare(f),
      position: (t, current) => {
        exposures[t] = current;
        return p.position(t, current);
      },
    });
    return { exposures, metrics: r.metrics };
  }

  it('through the env: enters after the confirming close, is stopped out on touch, and stays flat after', () => {
    const crash = 25;
    const { exposures, metrics } = trendRun(2, crash);
    // Decisions at bar closes: long from the close after the confirming one (the entry fills at the next open) to the
    // crash bar, flat from the crash bar's close on (its stop was hit inside it) although the closes keep rising.
    const firstLong = exposures.findIndex((e) => e > 0);
    expect(firstLong).toBeGreaterThan(20);
    expect(firstLong).toBeLessThan(crash);
    for (let t = firstLong; t < crash; t++) expect(exposures[t]).toBeGreaterThan(0.9);
    for (let t = crash; t < 59; t++) expect(exposures[t]).toBe(0);
    expect(metrics).toMatchObject({ totalTrades: 1, losingTrades: 1 });
  });

  it('through the env: the take-profit closes a winning trend trade, and it stays flat after', () => {
    const { exposures, metrics } = trendRun(0.5, null);
    const firstLong = exposures.findIndex((e) => e > 0);
    const exit = exposures.findIndex((e, t) => t > firstLong && e === 0);
    expect(exit).toBeGreaterThan(firstLong);
    for (let t = exit; t < 59; t++) expect(exposures[t]).toBe(0);
    expect(metrics).toMatchObject({ totalTrades: 1, winningTrades: 1 });
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
