// Trade ticks → per-bar buy/sell volume columns (with the tick rule for unknown sides) → trade-flow features;
// order-book snapshots → per-bar book columns → book features.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { bookColumns, buildFeatures, tradeFlowColumns, withExtraColumns } from '../../src/features/index.ts';
import { bundled1m } from './helpers.ts';

describe('trade ticks into trade-flow columns', () => {
  const frame = bundled1m(600, 'keep'); // real minutes with gaps
  const rng = seedrandom('trades');
  const n = 20_000;
  const time = new Float64Array(n),
    price = new Float64Array(n),
    volume = new Float64Array(n),
    side = new Float64Array(n);
  const t0 = frame.time[0]! - 120_000,
    t1 = frame.time[frame.length - 1]! + 120_000;
  for (let i = 0; i < n; i++) {
    time[i] = Math.floor(t0 + ((t1 - t0) * i) / n);
    price[i] = 20_000 + Math.round((rng() - 0.5) * 20);
    volume[i] = rng();
    side[i] = rng() < 0.3 ? 0 : rng() < 0.5 ? 1 : -1;
  }

  it('each trade lands in its bar; unknown sides follow the tick rule; trades in gaps are counted, not lost silently', () => {
    const r = tradeFlowColumns(frame.time, frame.timeframeMs, { time, price, volume, side });
    const buy = new Float64Array(frame.length),
      sell = new Float64Array(frame.length);
    let unassigned = 0,
      prevP = NaN,
      prevC = 1;
    for (let i = 0; i < n; i++) {
      let c = side[i]!;
      if (c === 0) c = price[i]! > prevP ? 1 : price[i]! < prevP ? -1 : prevC;
      prevC = c;
      prevP = price[i]!;
      const b = frame.time.findIndex((bt) => bt <= time[i]! && time[i]! < bt + 60_000);
      if (b < 0) {
        unassigned++;
        continue;
      }
      if (c > 0) buy[b] += volume[i]!;
      else sell[b] += volume[i]!;
    }
    expect(r.unassigned).toBe(unassigned);
    expect(unassigned).toBeGreaterThan(0);
    for (let b = 0; b < frame.length; b++) {
      expect(r.columns.buy_volume[b]).toBeCloseTo(buy[b]!, 9);
      expect(r.columns.sell_volume[b]).toBeCloseTo(sell[b]!, 9);
    }
    const f = withExtraColumns(frame, r.columns);
    const fm = buildFeatures(f, {
      features: [
        { feature: 'volume_imbalance', params: { period: 5 } },
        { feature: 'vpin', params: { bucket_volume: 20, buckets: 5 } },
      ],
      normalization: { method: 'none' },
    });
    expect(fm.warmup).toBeLessThan(frame.length);
    for (let t = fm.warmup; t < fm.rows; t++) {
      expect(Math.abs(fm.matrix[t * 2]!)).toBeLessThanOrEqual(1);
      expect(fm.matrix[t * 2 + 1]!).toBeGreaterThanOrEqual(0);
    }
  });

  it('bad ticks: out of order, NaN price, bad side, length mismatch', () => {
    const bad = (
      patch: (a: { time: Float64Array; price: Float64Array; volume: Float64Array; side: Float64Array }) => void,
    ) => {
      const a = {
        time: time.slice(0, 100),
        price: price.slice(0, 100),
        volume: volume.slice(0, 100),
        side: side.slice(0, 100),
      };
      patch(a);
      return () => tradeFlowColumns(frame.time, 60_000, a);
    };
    expect(
      bad((a) => {
        a.time[50] = a.time[10]! - 1;
      }),
    ).toThrow(/trade 50: time is before/);
    expect(
      bad((a) => {
        a.price[7] = NaN;
      }),
    ).toThrow(/trade 7: price NaN/);
    expect(
      bad((a) => {
        a.side[3] = 2;
      }),
    ).toThrow(/trade 3: side 2/);
    expect(
      bad((a) => {
        a.side = a.side.subarray(1);
      }),
    ).toThrow(/same length/);
    expect(() => withExtraColumns(frame, { buy_volume: new Float64Array(3) })).toThrow(/3 values for 600 bars/);
  });
});

describe('order-book snapshots into book columns', () => {
  const frame = bundled1m(200, 'fill');
  it('each bar takes the last complete snapshot at or before its close; book features run on them', () => {
    // A snapshot every 90 s: 2 levels a side around the bar's close.
    const rows: number[][] = [];
    for (let t = frame.time[0]! + 30_000; t < frame.time[frame.length - 1]! + 60_000; t += 90_000) {
      const px = 20_000 + ((t / 60_000) % 7);
      rows.push([t, 1, 0, px - 1, 2], [t, -1, 0, px + 1, 3], [t, 1, 1, px - 2, 4], [t, -1, 1, px + 2, 1]);
    }
    const col = (k: number) => rows.map((r) => r[k]!);
    const r = bookColumns(
      frame.time,
      60_000,
      { time: col(0), side: col(1), level: col(2), price: col(3), size: col(4) },
      2,
    );
    expect(r.firstCovered).toBe(0); // the first snapshot (t0 + 30 s) is before the first bar's close (t0 + 60 s)
    for (let b = 0; b < frame.length; b++) {
      const close = frame.time[b]! + 60_000;
      let last = -1;
      for (let j = 0; j < rows.length; j++) if (rows[j]![0]! <= close) last = rows[j]![0]!;
      const px = 20_000 + ((last / 60_000) % 7);
      expect(r.columns.bid_px_1![b]).toBe(px - 1);
      expect(r.columns.ask_px_2![b]).toBe(px + 2);
      expect(r.columns.ask_sz_2![b]).toBe(1);
    }
    const f = withExtraColumns(frame, r.columns);
    const fm = buildFeatures(f, {
      features: [
        { feature: 'spread' },
        { feature: 'microprice' },
        { feature: 'depth_imbalance', params: { levels: 2 } },
      ],
      normalization: { method: 'none' },
    });
    expect(fm.matrix[(fm.rows - 1) * 3 + 2]).toBeCloseTo((6 - 4) / 10, 6);
    expect(() =>
      bookColumns(frame.time, 60_000, { time: [1, 0], side: [1, 1], level: [0, 0], price: [1, 1], size: [1, 1] }, 1),
    ).toThrow(/time order/);
    expect(() =>
      bookColumns(frame.time, 60_000, { time: [1], side: [0], level: [0], price: [1], size: [1] }, 1),
    ).toThrow(/side 0/);
  });
});
