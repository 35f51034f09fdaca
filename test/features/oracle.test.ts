// Each indicator against an independent implementation on real Kraken XBT/USD hourly candles (bundled; the last
// 8 000 bars, 2019-11 → 2020-09, to keep the suite fast; the trading-signals oracle is the slow side):
// the trading-signals package where it has the indicator, direct two-pass formulas where it does not.
// Tolerance: 1e-9 relative to max(|a|, |b|, scale), scale = the magnitude of the inputs the value is made of
// (price for price-difference outputs such as MACD), so that values crossing zero are not held to 0-relative error.
import { beforeAll, describe, expect, it } from 'vitest';
import { ADX, ATR, BollingerBands, CHOP, EMA, MACD, OBV, RSI, SMA, StochasticOscillator, VWAP } from 'trading-signals';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { Adx } from '../../src/features/indicators/adx.ts';
import { Atr } from '../../src/features/indicators/atr.ts';
import { Bollinger } from '../../src/features/indicators/bollinger.ts';
import { Choppiness } from '../../src/features/indicators/choppiness.ts';
import { Macd } from '../../src/features/indicators/macd.ts';
import { MaAlignment } from '../../src/features/indicators/ma-alignment.ts';
import { Ema, Sma } from '../../src/features/indicators/moving-averages.ts';
import { Obv } from '../../src/features/indicators/obv.ts';
import { MultiHorizonReturns } from '../../src/features/indicators/returns.ts';
import { Rsi } from '../../src/features/indicators/rsi.ts';
import { Stochastic } from '../../src/features/indicators/stochastic.ts';
import { VolumeImbalance, Vpin } from '../../src/features/indicators/trade-flow.ts';
import { LogReturnVolatility } from '../../src/features/indicators/volatility.ts';
import { VolumeSpike } from '../../src/features/indicators/volume-spike.ts';
import { Vwap } from '../../src/features/indicators/vwap.ts';
import { RollingZScore } from '../../src/features/indicators/zscore.ts';
import { depthImbalance, microprice, spreadBps } from '../../src/features/indicators/book.ts';
import { bundled1h, tail } from './helpers.ts';

let f: MarketFrame;
let T: number;
beforeAll(() => {
  f = tail(bundled1h('keep'), 8_000);
  T = f.length;
});

/** Compares two series; returns the count of compared points and fails on the first disagreement. */
class Checker {
  compared = 0;
  constructor(readonly what: string) {}
  eq(t: number, mine: number, ref: number, scale = 0): void {
    const tol = 1e-9 * Math.max(Math.abs(mine), Math.abs(ref), scale);
    if (!(Math.abs(mine - ref) <= tol)) {
      throw new Error(`${this.what}: bar ${t} (${new Date(f.time[t]!).toISOString()}): mine ${mine}, reference ${ref}`);
    }
    this.compared++;
  }
}

const candle = (t: number) => ({
  open: f.open[t]!,
  high: f.high[t]!,
  low: f.low[t]!,
  close: f.close[t]!,
  volume: f.volume[t]!,
});

describe('indicators vs trading-signals on real XBT/USD 1h', () => {
  it('data is real and large', () => {
    expect(T).toBe(8_000);
    expect(f.close[T - 1]).toBeGreaterThan(5000); // XBT/USD in 2020
  });

  it('SMA, EMA (several periods)', () => {
    for (const p of [1, 9, 200]) {
      const mine = new Sma(p),
        ref = new SMA(p),
        c = new Checker(`SMA(${p})`);
      const me = new Ema(p),
        re = new EMA(p),
        ce = new Checker(`EMA(${p})`);
      for (let t = 0; t < T; t++) {
        mine.update(f.close[t]!);
        const r = ref.update(f.close[t]!, false);
        expect(mine.ready).toBe(r !== null);
        if (r !== null) c.eq(t, mine.value, r);
        me.update(f.close[t]!);
        re.update(f.close[t]!, false);
        expect(me.ready).toBe(re.isStable);
        if (re.isStable) ce.eq(t, me.value, re.getResultOrThrow());
      }
      expect(c.compared).toBe(T - p + 1);
      expect(ce.compared).toBe(T - p + 1);
    }
  });

  it('RSI (Wilder)', () => {
    for (const p of [2, 14, 50]) {
      const mine = new Rsi(p),
        ref = new RSI(p),
        c = new Checker(`RSI(${p})`);
      let flat = 0;
      for (let t = 0; t < T; t++) {
        mine.update(f.close[t]!);
        const r = ref.update(f.close[t]!, false);
        expect(mine.ready).toBe(r !== null);
        if (r === null) continue;
        if (r === 100 && mine.value === 50) {
          flat++;
          continue;
        } // documented: no gains and no losses → 50
        c.eq(t, mine.value, r, 100);
      }
      expect(flat).toBeLessThan(T / 1000);
      expect(c.compared).toBeGreaterThan(T - p - 1 - T / 1000);
    }
  });

  it('ATR, ADX with +DI/−DI, CHOP', () => {
    for (const p of [5, 14]) {
      const atr = new Atr(p),
        rAtr = new ATR(p),
        cAtr = new Checker(`ATR(${p})`);
      const adx = new Adx(p),
        rAdx = new ADX(p),
        cAdx = new Checker(`ADX(${p})`);
      const chop = new Choppiness(p),
        rChop = new CHOP(p),
        cChop = new Checker(`CHOP(${p})`);
      for (let t = 0; t < T; t++) {
        const k = candle(t);
        atr.update(k.high, k.low, k.close);
        const a = rAtr.update(k, false);
        expect(atr.ready).toBe(a !== null);
        if (a !== null) cAtr.eq(t, atr.value, a, f.close[t]!);
        adx.update(k.high, k.low, k.close);
        const d = rAdx.update(k, false);
        expect(adx.ready).toBe(d !== null);
        if (d !== null) {
          cAdx.eq(t, adx.value, d, 100);
          cAdx.eq(t, adx.plusDi, rAdx.pdi! * 100, 100);
          cAdx.eq(t, adx.minusDi, rAdx.mdi! * 100, 100);
        }
        chop.update(k.high, k.low, k.close);
        const ch = rChop.update(k, false);
        expect(chop.ready).toBe(ch !== null);
        if (ch !== null) cChop.eq(t, chop.value, ch, 100);
      }
      expect(cAtr.compared).toBe(T - p + 1);
      expect(cAdx.compared).toBe(3 * (T - 2 * p + 2));
      expect(cChop.compared).toBe(T - p);
    }
  });

  it('Bollinger bands (population std), %B and width follow from the bands', () => {
    const bb = new Bollinger(20, 2),
      ref = new BollingerBands(20, 2),
      c = new Checker('BB(20,2)');
    for (let t = 0; t < T; t++) {
      bb.update(f.close[t]!);
      const r = ref.update(f.close[t]!, false);
      expect(bb.ready).toBe(r !== null);
      if (r === null) continue;
      const px = f.close[t]!;
      c.eq(t, bb.middle, r.middle);
      c.eq(t, bb.upper, r.upper, px);
      c.eq(t, bb.lower, r.lower, px);
      const w = r.upper - r.lower;
      // %B is a ratio of two small differences: hold it to 1e-9 of its own scale relative to the band width.
      if (w > 1e-6 * px) c.eq(t, bb.percentB, (px - r.lower) / w, 1 + Math.abs((px - r.middle) / w));
      c.eq(t, bb.width, w / r.middle, 1e-6);
    }
    expect(c.compared).toBeGreaterThan(4 * (T - 19));
  });

  it('MACD (12, 26, 9)', () => {
    const m = new Macd(12, 26, 9);
    const ref = new MACD(new EMA(12), new EMA(26), new EMA(9));
    const c = new Checker('MACD');
    for (let t = 0; t < T; t++) {
      m.update(f.close[t]!);
      const r = ref.update(f.close[t]!, false);
      if (r === null) continue;
      const px = f.close[t]!;
      c.eq(t, m.macd, r.macd, px);
      c.eq(t, m.signal, r.signal, px);
      c.eq(t, m.histogram, r.histogram, px);
    }
    expect(c.compared).toBe(3 * (T - 25));
  });

  it('Stochastic (14, 3, 3)', () => {
    const s = new Stochastic(14, 3, 3);
    const ref = new StochasticOscillator({ kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 });
    const c = new Checker('STOCH');
    // Where a 14-bar range is flat the definitions differ (50 here, 0 there): skip rows whose %D lookback has one.
    const lastFlat = new Float64Array(T).fill(-1e9);
    let flatRows = 0;
    for (let t = 0; t < T; t++) {
      let hh = -Infinity,
        ll = Infinity;
      for (let j = Math.max(0, t - 13); j <= t; j++) {
        hh = Math.max(hh, f.high[j]!);
        ll = Math.min(ll, f.low[j]!);
      }
      lastFlat[t] = hh === ll && t >= 13 ? t : t > 0 ? lastFlat[t - 1]! : -1e9;
      s.update(f.high[t]!, f.low[t]!, f.close[t]!);
      const r = ref.update(candle(t), false);
      expect(s.ready).toBe(r !== null);
      if (r === null) continue;
      if (t - lastFlat[t]! < 5) {
        flatRows++;
        continue;
      }
      c.eq(t, s.k, r.stochK, 100);
      c.eq(t, s.d, r.stochD, 100);
    }
    expect(flatRows).toBeLessThan(T / 100);
    expect(c.compared).toBeGreaterThan(2 * (T - 17 - T / 100));
  });

  it('OBV and anchored VWAP', () => {
    const obv = new Obv(),
      ref = new OBV(2),
      c = new Checker('OBV');
    const vw = new Vwap(0),
      rv = new VWAP(),
      cv = new Checker('VWAP');
    let cumV = 0;
    for (let t = 0; t < T; t++) {
      const k = candle(t);
      obv.update(k.close, k.volume);
      const r = ref.update(k, false);
      if (r !== null) c.eq(t, obv.value, r, 1e3);
      vw.update(k.high, k.low, k.close, k.volume);
      rv.update(k, false);
      cumV += k.volume;
      if (cumV > 0) cv.eq(t, vw.value, rv.getResultOrThrow());
    }
    expect(c.compared).toBe(T - 1);
    expect(cv.compared).toBe(T);
  });
});

describe('indicators vs direct two-pass formulas on real XBT/USD 1h', () => {
  const win = (a: Float64Array, t: number, n: number) => Array.from(a.subarray(t - n + 1, t + 1));
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

  it('rolling volatility (sample std of log returns), z-score, rolling VWAP, volume spike', () => {
    const n = 20;
    const vol = new LogReturnVolatility(n),
      zs = new RollingZScore(n),
      vw = new Vwap(n),
      vs = new VolumeSpike(n);
    const zv = new RollingZScore(n);
    const c = new Checker('rolling');
    const lr = new Float64Array(T);
    for (let t = 1; t < T; t++) lr[t] = Math.log(f.close[t]! / f.close[t - 1]!);
    for (let t = 0; t < T; t++) {
      const k = candle(t);
      vol.update(k.close);
      zs.update(k.close);
      vw.update(k.high, k.low, k.close, k.volume);
      vs.update(k.volume);
      zv.update(k.volume);
      if (t >= n) {
        const r = win(lr, t, n),
          m = mean(r);
        const sd = Math.sqrt(r.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
        c.eq(t, vol.value, sd, 1e-6);
      }
      if (t >= n - 1) {
        const xs = win(f.close, t, n),
          m = mean(xs);
        const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / n);
        const z = sd > 0 ? (k.close - m) / sd : 0;
        // z = (x − mean)/sd: absolute error ≈ ε·price/sd; bound it by that scale.
        c.eq(t, zs.value, z, sd > 0 ? k.close / sd : 1);
        const vols = win(f.volume, t, n);
        let pv = 0,
          sv = 0;
        for (let j = t - n + 1; j <= t; j++) {
          pv += ((f.high[j]! + f.low[j]! + f.close[j]!) / 3) * f.volume[j]!;
          sv += f.volume[j]!;
        }
        c.eq(t, vw.value, sv > 0 ? pv / sv : (k.high + k.low + k.close) / 3);
        const mv = mean(vols);
        c.eq(t, vs.value, mv > 0 ? k.volume / mv : 1, 1);
        const vm = mean(vols),
          vsd = Math.sqrt(vols.reduce((s, x) => s + (x - vm) ** 2, 0) / n);
        c.eq(t, zv.value, vsd > 0 ? (k.volume - vm) / vsd : 0, vsd > 0 ? Math.max(...vols) / vsd : 1);
      }
    }
    expect(c.compared).toBeGreaterThan(5 * (T - n));
  });

  it('MA alignment and multi-horizon returns', () => {
    const periods = [9, 21, 50];
    const ma = new MaAlignment(periods),
      refs = periods.map((p) => new EMA(p));
    const hs = [1, 5, 24];
    const rt = new MultiHorizonReturns(hs);
    const c = new Checker('ma/returns');
    for (let t = 0; t < T; t++) {
      const px = f.close[t]!;
      ma.update(px);
      const e = refs.map((r) => r.update(px, false));
      if (t >= 49) {
        const seq = [px, ...e];
        let s = 0,
          k = 0;
        for (let i = 0; i < seq.length; i++)
          for (let j = i + 1; j < seq.length; j++) {
            s += Math.sign(seq[i]! - seq[j]!);
            k++;
          }
        c.eq(t, ma.value, s / k, 1);
      }
      rt.update(px);
      hs.forEach((h, i) => {
        if (t >= h) c.eq(t, rt.values[i]!, Math.log(px / f.close[t - h]!), 1e-6);
      });
      expect(rt.ready).toBe(t >= 24);
    }
    expect(c.compared).toBeGreaterThan(3 * (T - 50));
  });

  it('volume imbalance and VPIN on a buy/sell split derived from the real bars', () => {
    // Split each real bar's volume by where it closed in its range (a stand-in for aggressor side).
    const buy = new Float64Array(T),
      sell = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const r = f.high[t]! - f.low[t]!;
      const w = r > 0 ? (f.close[t]! - f.low[t]!) / r : 0.5;
      buy[t] = f.volume[t]! * w;
      sell[t] = f.volume[t]! - buy[t]!;
    }
    const n = 24,
      V = 200,
      B = 30;
    const im = new VolumeImbalance(n),
      vp = new Vpin(V, B);
    const c = new Checker('flow');
    // Reference VPIN: expand into buckets by cumulative volume with exact fractional splits.
    const bucketImb: number[] = [];
    let cb = 0,
      cs = 0;
    for (let t = 0; t < T; t++) {
      im.update(buy[t]!, sell[t]!);
      if (t >= n - 1) {
        let b = 0,
          s = 0;
        for (let j = t - n + 1; j <= t; j++) {
          b += buy[j]!;
          s += sell[j]!;
        }
        c.eq(t, im.value, b + s > 0 ? (b - s) / (b + s) : 0, 1);
      }
      let rb = buy[t]!,
        rs = sell[t]!;
      while (rb + rs >= V - cb - cs && rb + rs > 0) {
        const f2 = (V - cb - cs) / (rb + rs);
        bucketImb.push(Math.abs(cb + rb * f2 - (cs + rs * f2)) / V);
        rb -= rb * f2;
        rs -= rs * f2;
        cb = 0;
        cs = 0;
      }
      cb += rb;
      cs += rs;
      vp.update(buy[t]!, sell[t]!);
      expect(vp.ready).toBe(bucketImb.length >= B);
      if (bucketImb.length >= B) c.eq(t, vp.value, mean(bucketImb.slice(-B)), 1);
    }
    expect(bucketImb.length).toBeGreaterThan(300);
    expect(c.compared).toBeGreaterThan(T);
  });

  it('order book: spread, microprice, depth imbalance (published worked example)', () => {
    // bid 100 × 3, ask 101 × 1: mid 100.5, spread 1/100.5 = 99.5025 bps, microprice = (101·3 + 100·1)/4 = 100.75.
    expect(spreadBps(100, 101)).toBeCloseTo(99.50248756, 7);
    expect(microprice(100, 101, 3, 1)).toBe(100.75);
    expect(depthImbalance(Float64Array.of(3, 2), Float64Array.of(1, 4), 1)).toBe(0.5);
    expect(depthImbalance(Float64Array.of(3, 2), Float64Array.of(1, 4), 2)).toBe(0);
    expect(depthImbalance(Float64Array.of(0), Float64Array.of(0), 1)).toBe(0);
  });
});
