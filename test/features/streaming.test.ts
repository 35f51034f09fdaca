// Train/serve skew is tested away here: feeding the real 1m data one bar at a time through ObservationBuilder gives
// exactly the rows of buildFeatures (every row, every column, bit for bit), for the default spec and for a spec with
// every feature on three timeframes, normalized and raw.
import { beforeAll, describe, expect, it } from 'vitest';
import type { MarketFrame } from '../../replay/market-frame.ts';
import {
  buildFeatures,
  loadDefaultSpec,
  ObservationBuilder,
  type FeatureSpecInput,
  type LiveBar,
} from '../../src/features/index.ts';
import { ALL_FEATURES_SPEC, bundled1m, withSyntheticExtras } from './helpers.ts';

let frame: MarketFrame;
beforeAll(() => {
  frame = withSyntheticExtras(bundled1m(12_000, 'keep'));
});

function streamEqualsBatch(spec: FeatureSpecInput, normalize: boolean): { rows: number; cols: number; warmup: number } {
  const fm = buildFeatures(frame, spec, { normalize });
  const extraNames = Object.keys(frame.extra!);
  const ob = new ObservationBuilder(spec, { timeframe: '1m', extraColumns: extraNames, normalize });
  expect(ob.names).toEqual(fm.names);
  expect(ob.specHash).toBe(fm.specHash);
  const extra: Record<string, number> = {};
  const bar: LiveBar = { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0, extra };
  const F = fm.cols;
  let firstReady = -1;
  for (let t = 0; t < frame.length; t++) {
    bar.time = frame.time[t]!;
    bar.open = frame.open[t]!;
    bar.high = frame.high[t]!;
    bar.low = frame.low[t]!;
    bar.close = frame.close[t]!;
    bar.volume = frame.volume[t]!;
    for (const k of extraNames) extra[k] = frame.extra![k]![t]!;
    const row = ob.update(bar);
    const want = fm.matrix.subarray(t * F, (t + 1) * F);
    for (let c = 0; c < F; c++) {
      if (!Object.is(row[c], want[c])) {
        throw new Error(`row ${t} column ${fm.names[c]}: live ${row[c]} ≠ batch ${want[c]}`);
      }
      if (!Number.isFinite(row[c]!)) throw new Error(`row ${t} column ${fm.names[c]} is ${row[c]}`);
    }
    if (firstReady < 0 && ob.ready) firstReady = t;
  }
  expect(firstReady).toBe(fm.warmup);
  return { rows: fm.rows, cols: F, warmup: fm.warmup };
}

describe('streaming == batch on real Kraken 1m bars (with gaps)', () => {
  it('default spec, normalized', () => {
    const r = streamEqualsBatch(loadDefaultSpec(), true);
    expect(r.cols).toBeGreaterThan(25);
    expect(r.warmup).toBeGreaterThan(2000);
    expect(r.warmup).toBeLessThan(r.rows);
  });

  it('every feature on 1m/5m/1h, normalized and raw', () => {
    const a = streamEqualsBatch(ALL_FEATURES_SPEC, true);
    const b = streamEqualsBatch(ALL_FEATURES_SPEC, false);
    expect(a.cols).toBeGreaterThan(55);
    expect(b.cols).toBe(a.cols);
  });

  it('the matrix is not trivially zero after warm-up (columns vary)', () => {
    const fm = buildFeatures(frame, ALL_FEATURES_SPEC);
    for (let c = 0; c < fm.cols; c++) {
      const seen = new Set<number>();
      for (let t = fm.warmup; t < fm.rows && seen.size < 3; t += 7) seen.add(fm.matrix[t * fm.cols + c]!);
      expect(seen.size, fm.names[c]).toBeGreaterThan(1);
    }
  });
});
