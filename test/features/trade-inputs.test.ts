// Trade ticks → per-bar buy/sell volume columns (with the tick rule for unknown sides) → trade-flow features.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { buildFeatures, tradeFlowColumns, withExtraColumns } from '../../src/features/index.ts';
import { bundled1m } from './helpers.ts';

describe('trade ticks into trade-flow columns', () => {
  const frame = bundled1m(600, 'keep'); // real minutes with gaps
  const rng = seedrandom('trades');
  const n = 20_000;
  const time = new Float64Array(n), price = new Float64Array(n), volume = new Float64Array(n), side = new Float64Array(n);
  const t0 = frame.time[0]! - 120_000, t1 = frame.time[frame.length - 1]! + 120_000;
  for (let i = 0; i < n; i++) {
    time[i] = Math.floor(t0 + ((t1 - t0) * i) / n);
    price[i] = 20_000 + Math.round((rng() - 0.5) * 20);
    volume[i] = rng();
    side[i] = rng() < 0.3 ? 0 : rng() < 0.5 ? 1 : -1;
  }

  it('each trade lands in its bar; unknown sides follow the tick rule; trades in gaps are counted, not lost silently', () => {
    const r = tradeFlowColumns(frame.time, frame.timeframeMs, { time, price, volume, side });
    const buy = new Float64Array(frame.length), sell = new Float64Array(frame.length);
    let unassigned = 0, prevP = NaN, prevC = 1;
    for (let i = 0; i < n; i++) {
      let c = side[i]!;
      if (c === 0) c = price[i]! > prevP ? 1 : price[i]! < prevP ? -1 : prevC;
      prevC = c; prevP = price[i]!;
      const b = frame.time.findIndex((bt) => bt <= time[i]! && time[i]! < bt + 60_000);
      if (b < 0) { unassigned++; continue; }
      if (c > 0) buy[b] += volume[i]!; else sell[b] += volume[i]!;
    }
    expect(r.unassigned).toBe(unassigned);
    expect(unassigned).toBeGreaterThan(0);
    for (let b = 0; b < frame.length; b++) {
      expect(r.columns.buy_volume[b]).toBeCloseTo(buy[b]!, 9);
      expect(r.columns.sell_volume[b]).toBeCloseTo(sell[b]!, 9);
    }
    const f = withExtraColumns(frame, r.columns);
    const fm = buildFeatures(f, { features: [{ feature: 'volume_imbalance', params: { period: 5 } }, { feature: 'vpin', params: { bucket_volume: 20, buckets: 5 } }], normalization: { method: 'none' } });
    expect(fm.warmup).toBeLessThan(frame.length);
    for (let t = fm.warmup; t < fm.rows; t++) {
      expect(Math.abs(fm.matrix[t * 2]!)).toBeLessThanOrEqual(1);
      expect(fm.matrix[t * 2 + 1]!).toBeGreaterThanOrEqual(0);
    }
  });

  it('bad ticks: out of order, NaN price, bad side, length mismatch', () => {
    const bad = (patch: (a: { time: Float64Array; price: Float64Array; volume: Float64Array; side: Float64Array }) => void) => {
      const a = { time: time.slice(0, 100), price: price.slice(0, 100), volume: volume.slice(0, 100), side: side.slice(0, 100) };
      patch(a);
      return () => tradeFlowColumns(frame.time, 60_000, a);
    };
    expect(bad((a) => { a.time[50] = a.time[10]! - 1; })).toThrow(/trade 50: time is before/);
    expect(bad((a) => { a.price[7] = NaN; })).toThrow(/trade 7: price NaN/);
    expect(bad((a) => { a.side[3] = 2; })).toThrow(/trade 3: side 2/);
    expect(bad((a) => { a.side = a.side.subarray(1); })).toThrow(/same length/);
    expect(() => withExtraColumns(frame, { buy_volume: new Float64Array(3) })).toThrow(/3 values for 600 bars/);
  });
});
