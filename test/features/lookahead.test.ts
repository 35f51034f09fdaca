// No look-ahead: perturb every bar after t (prices, volumes, trade and book columns) → rows ≤ t are unchanged, for
// every feature and timeframe; and higher-timeframe columns equal an independent resample's last CLOSED bar.
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { buildFeatures, loadDefaultSpec, type FeatureSpecInput } from '../../src/features/index.ts';
import { Rsi } from '../../src/features/indicators/rsi.ts';
import { Adx } from '../../src/features/indicators/adx.ts';
import { ALL_FEATURES_SPEC, bundled1m, cloneFrame, withSyntheticExtras } from './helpers.ts';

let frame: MarketFrame;
beforeAll(() => {
  frame = withSyntheticExtras(bundled1m(5_000, 'keep'));
});

function perturbAfter(f: MarketFrame, t: number, seed: string): MarketFrame {
  const g = cloneFrame(f);
  const rng = seedrandom(seed);
  for (let i = t + 1; i < g.length; i++) {
    const k = 0.9 + 0.2 * rng();
    (g.open as Float64Array)[i]! *= k;
    (g.high as Float64Array)[i]! *= k * 1.001;
    (g.low as Float64Array)[i]! *= k * 0.999;
    (g.close as Float64Array)[i]! *= k;
    (g.volume as Float64Array)[i]! *= 0.5 + rng();
    for (const [name, col] of Object.entries(g.extra!)) {
      if (name.startsWith('bid_px_')) col[i] = col[i]! * k * (1 - 1e-4 * rng());
      else if (name.startsWith('ask_px_')) col[i] = col[i]! * k * (1 + 1e-4 * rng());
      else col[i] = col[i]! * (0.5 + rng());
    }
  }
  return g;
}

describe('no look-ahead', () => {
  const specs: Record<string, FeatureSpecInput> = { default: loadDefaultSpec(), every_feature: ALL_FEATURES_SPEC };
  for (const [label, spec] of Object.entries(specs)) {
    it(`${label}: perturbing bars after t leaves rows ≤ t unchanged (several t, incl. hour and 5m boundaries)`, () => {
      const base = buildFeatures(frame, spec);
      const F = base.cols;
      // Cut points: mid-bucket, the last minute of an hour, the first minute of an hour, end of a 5m bucket.
      const cuts = new Set<number>([900, 2222, 4500]);
      for (let i = 2500; i < frame.length; i++) {
        const m = new Date(frame.time[i]!).getUTCMinutes();
        if (m === 59 && !cuts.has(-59)) {
          cuts.add(i);
          cuts.add(-59);
        }
        if (m === 0 && i > 3000 && !cuts.has(-60)) {
          cuts.add(i);
          cuts.add(-60);
        }
        if (m % 5 === 4 && i > 3500 && !cuts.has(-5)) {
          cuts.add(i);
          cuts.add(-5);
        }
      }
      const points = [...cuts].filter((x) => x >= 0);
      expect(points.length).toBeGreaterThanOrEqual(5);
      for (const t of points) {
        const p = buildFeatures(perturbAfter(frame, t, `cut-${t}`), spec);
        for (let i = 0; i < (t + 1) * F; i++) {
          if (!Object.is(p.matrix[i], base.matrix[i])) {
            throw new Error(`cut ${t}: row ${Math.floor(i / F)} column ${base.names[i % F]} changed`);
          }
        }
        // The perturbation is real: every column changes somewhere after t.
        for (let c = 0; c < F; c++) {
          if (base.columns[c]!.output === 'label' || ['bull', 'bear', 'sideways'].includes(base.columns[c]!.output))
            continue;
          let changed = false;
          for (let r = t + 1; r < p.rows && !changed; r++) changed = p.matrix[r * F + c] !== base.matrix[r * F + c];
          expect(changed, `cut ${t}: ${base.names[c]} never changed`).toBe(true);
        }
      }
    });
  }

  it('1h and 5m columns equal an independent resample, read at the last CLOSED higher-timeframe bar', () => {
    const spec: FeatureSpecInput = {
      features: [
        { feature: 'rsi', params: { period: 6 }, timeframe: '1h' },
        { feature: 'adx', params: { period: 4 }, timeframe: '5m', outputs: ['adx'] },
      ],
      normalization: { method: 'none' },
    };
    const fm = buildFeatures(frame, spec);
    // Independent resample: group minutes by UTC bucket; bucket b is closed at row t when t's minute ends the bucket
    // or t lies in a later bucket.
    for (const [col, ms, make] of [
      [
        0,
        3_600_000,
        () => {
          const r = new Rsi(6);
          return { up: (_h: number, _l: number, c: number) => r.update(c), ok: () => r.ready };
        },
      ],
      [
        1,
        300_000,
        () => {
          const a = new Adx(4);
          return { up: (h: number, l: number, c: number) => a.update(h, l, c), ok: () => a.ready };
        },
      ],
    ] as const) {
      const ind = make();
      let cur = NaN,
        hi = 0,
        lo = 0,
        cl = 0,
        done = true;
      let value = NaN,
        ready = false,
        compared = 0;
      const closeBucket = () => {
        value = ind.up(hi, lo, cl);
        ready = ind.ok();
        done = true;
      };
      for (let t = 0; t < frame.length; t++) {
        const b = Math.floor(frame.time[t]! / ms) * ms;
        if (b !== cur && !done) closeBucket();
        if (b !== cur) {
          cur = b;
          hi = frame.high[t]!;
          lo = frame.low[t]!;
          done = false;
        } else {
          hi = Math.max(hi, frame.high[t]!);
          lo = Math.min(lo, frame.low[t]!);
        }
        cl = frame.close[t]!;
        if (frame.time[t]! + 60_000 === b + ms) closeBucket();
        const got = fm.matrix[t * fm.cols + col]!;
        if (ready) {
          expect(got).toBe(Math.fround(value));
          compared++;
        } else expect(got).toBe(0);
      }
      expect(compared).toBeGreaterThan(frame.length * 0.9);
    }
  });
});
