// Normalization never uses future data: rolling z-score equals a direct computation over the trailing window, fixed
// stats fitted on training rows apply as (x − mean)/std, clipping holds, and 'none' columns stay raw.
import { beforeAll, describe, expect, it } from 'vitest';
import type { MarketFrame } from '../../replay/market-frame.ts';
import {
  buildFeatures,
  fitNormalization,
  ObservationBuilder,
  type FeatureSpecInput,
} from '../../src/features/index.ts';
import { barAt, bundled1h, tail } from './helpers.ts';

let frame: MarketFrame;
beforeAll(() => {
  frame = tail(bundled1h('keep'), 4_000);
});

const spec = (normalization: FeatureSpecInput['normalization']): FeatureSpecInput => ({
  features: [
    { feature: 'rsi' },
    { feature: 'atr' },
    { feature: 'returns', params: { horizons: [1, 24] } },
    { feature: 'regime', normalize: 'none' },
  ],
  normalization,
});

describe('normalization', () => {
  it('rolling z-score = (x − mean) / std over the trailing window (current row included), clipped', () => {
    const W = 50,
      clip = 2.5;
    const raw = buildFeatures(frame, spec({ method: 'none' }));
    const z = buildFeatures(frame, spec({ method: 'rolling_zscore', window: W, clip }));
    expect(z.names).toEqual(raw.names);
    const F = raw.cols;
    let compared = 0,
      clipped = 0;
    // Recompute from the live builder's float64 raw values (the matrix itself holds float32).
    const ob = new ObservationBuilder(spec({ method: 'none' }), { timeframe: '1h' });
    const hist: number[][] = raw.names.map(() => []);
    for (let t = 0; t < frame.length; t++) {
      ob.update({
        time: frame.time[t]!,
        open: frame.open[t]!,
        high: frame.high[t]!,
        low: frame.low[t]!,
        close: frame.close[t]!,
        volume: frame.volume[t]!,
      });
      for (let c = 0; c < F; c++) {
        if (!ob.valid[c]) continue;
        const h = hist[c]!;
        h.push(ob.raw[c]!);
        const got = z.matrix[t * F + c]!;
        if (z.columns[c]!.normalized === false) {
          expect(got).toBe(Math.fround(ob.raw[c]!));
          continue;
        }
        if (h.length < W) {
          expect(got).toBe(0);
          continue;
        }
        const w = h.slice(-W);
        const m = w.reduce((s, x) => s + x, 0) / W;
        const sd = Math.sqrt(w.reduce((s, x) => s + (x - m) ** 2, 0) / W);
        let want = sd > 0 ? (h[h.length - 1]! - m) / sd : 0;
        if (Math.abs(want) > clip) {
          want = Math.sign(want) * clip;
          clipped++;
        }
        expect(Math.abs(got - want)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want)));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(4 * (frame.length - 100));
    expect(clipped).toBeGreaterThan(0);
    expect(z.columns.filter((c) => !c.normalized).map((c) => c.feature)).toEqual(['regime', 'regime']);
  });

  it('fixed stats fitted on training rows only; applying them is (x − mean)/std; batch == live', () => {
    const raw = buildFeatures(frame, spec({ method: 'none' }));
    const trainEnd = 2_500;
    const norm = fitNormalization(raw, { to: trainEnd }, 6);
    expect(norm.method).toBe('fixed');
    // The fit looks only at rows [warmup, trainEnd): changing later rows changes nothing.
    const tampered = { ...raw, matrix: raw.matrix.slice() };
    tampered.matrix.fill(123, trainEnd * raw.cols);
    expect(fitNormalization(tampered, { to: trainEnd }, 6)).toEqual(norm);
    const s = spec(norm);
    const fm = buildFeatures(frame, s);
    const stats = norm.method === 'fixed' ? norm.stats : {};
    const F = fm.cols;
    for (let t = fm.warmup; t < fm.rows; t += 13) {
      for (let c = 0; c < F; c++) {
        const col = fm.columns[c]!;
        const x = raw.matrix[t * F + c]!;
        const want = col.normalized ? Math.max(-6, Math.min(6, (x - stats[col.name]!.mean) / stats[col.name]!.std)) : x;
        expect(Math.abs(fm.matrix[t * F + c]! - want)).toBeLessThan(1e-4);
      }
    }
    const ob = new ObservationBuilder(s, { timeframe: '1h' });
    for (let t = 0; t < frame.length; t++) {
      const row = ob.update(barAt(frame, t));
      for (let c = 0; c < F; c++) if (!Object.is(row[c], fm.matrix[t * F + c])) throw new Error(`row ${t} col ${c}`);
    }
    expect(ob.specHash).toBe(fm.specHash);
  });
});
