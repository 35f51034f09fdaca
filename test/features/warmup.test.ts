// Warm-up computed from the spec is exact on gap-free data: each column becomes valid at exactly its declared row
// (base features, higher-timeframe features on hour-aligned data, and rolling normalization on top).
import { beforeAll, describe, expect, it } from 'vitest';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { ObservationBuilder, buildFeatures, loadDefaultSpec, type FeatureSpecInput } from '../../src/features/index.ts';
import { ALL_FEATURES_SPEC, bundled1m, withSyntheticExtras } from './helpers.ts';

let frame: MarketFrame;
beforeAll(() => {
  frame = withSyntheticExtras(bundled1m(6_000, 'fill'));
});

function firstValidRows(spec: FeatureSpecInput): { names: string[]; declared: number[]; actual: number[] } {
  const ob = new ObservationBuilder(spec, { timeframe: '1m', extraColumns: Object.keys(frame.extra!) });
  const actual = new Array<number>(ob.names.length).fill(-1);
  const extra: Record<string, number> = {};
  for (let t = 0; t < frame.length; t++) {
    for (const k of Object.keys(frame.extra!)) extra[k] = frame.extra![k]![t]!;
    ob.update({
      time: frame.time[t]!,
      open: frame.open[t]!,
      high: frame.high[t]!,
      low: frame.low[t]!,
      close: frame.close[t]!,
      volume: frame.volume[t]!,
      extra,
    });
    ob.valid.forEach((v, c) => {
      if (v && actual[c] === -1) actual[c] = t;
    });
  }
  return { names: ob.names, declared: ob.columns.map((c) => c.warmup), actual };
}

describe('warm-up from the spec', () => {
  it('data is gap-free and hour-aligned', () => {
    for (let t = 1; t < frame.length; t++) expect(frame.time[t]! - frame.time[t - 1]!).toBe(60_000);
    expect(frame.time[0]! % 3_600_000).toBe(0);
  });

  it('every column (raw) becomes valid exactly at its declared warm-up row (VPIN: data-dependent, later)', () => {
    const spec: FeatureSpecInput = { ...ALL_FEATURES_SPEC, normalization: { method: 'none' } };
    const r = firstValidRows(spec);
    r.names.forEach((n, c) => {
      if (n.startsWith('vpin')) expect(r.actual[c]!, n).toBeGreaterThanOrEqual(r.declared[c]!);
      else expect(r.actual[c], n).toBe(r.declared[c]);
    });
    expect(Math.max(...r.declared)).toBe(899); // the 1h RSI(14) needs (14 + 1)·60 − 1 rows
  });

  it('rolling normalization adds window − 1 rows, per column', () => {
    const r = firstValidRows(ALL_FEATURES_SPEC);
    r.names.forEach((n, c) => {
      if (!n.startsWith('vpin')) expect(r.actual[c], n).toBe(r.declared[c]);
    });
    const raw = firstValidRows({ ...ALL_FEATURES_SPEC, normalization: { method: 'none' } } as FeatureSpecInput);
    expect(r.declared[r.names.indexOf('rsi_14')]! - raw.declared[raw.names.indexOf('rsi_14')]!).toBe(99);
  });

  it('buildFeatures.warmup is the first row where everything is valid; the default spec needs ~3000 1m bars', () => {
    const fm = buildFeatures(frame, loadDefaultSpec());
    expect(fm.specWarmup).toBe(2999); // 1h regime: EMA 50 → (49 + 1)·60 − 1
    expect(fm.warmup).toBe(fm.specWarmup);
    const F = fm.cols;
    // Before warm-up some column is still 0-filled; at and after it every row is finite.
    let bad = 0;
    for (let t = fm.warmup; t < fm.rows; t++)
      for (let c = 0; c < F; c++) if (!Number.isFinite(fm.matrix[t * F + c]!)) bad++;
    expect(bad).toBe(0);
    let zeroRow = false;
    for (let c = 0; c < F; c++) if (fm.matrix[(fm.warmup - 1) * F + c] === 0) zeroRow = true;
    expect(zeroRow).toBe(true);
  });
});
