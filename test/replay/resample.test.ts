import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  alignTimeframe,
  chronologicalSplit,
  fillGaps,
  loadBundled,
  resample,
  walkForwardSplits,
  type MarketFrame,
} from '../../replay/index.ts';
import { columnsToFrame, type CandleColumns } from '../../replay/columns.ts';

const raw1m = loadBundled({ symbol: 'BTC/USDC', timeframe: '1m', gaps: 'keep', to: '2023-01-15' });

/** The obvious computation: group real rows by epoch-aligned bucket, first/max/min/last/sum; drop an unfinished last bucket. */
function reference(f: MarketFrame, T: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let i = 0; i < f.length; i++) {
    if (f.filled?.[i]) continue;
    const k = Math.floor(f.time[i]! / T) * T;
    const b = out.get(k);
    if (!b) out.set(k, [f.open[i]!, f.high[i]!, f.low[i]!, f.close[i]!, f.volume[i]!, f.trades![i]!]);
    else {
      b[1] = Math.max(b[1]!, f.high[i]!);
      b[2] = Math.min(b[2]!, f.low[i]!);
      b[3] = f.close[i]!;
      b[4] = b[4]! + f.volume[i]!;
      b[5] = b[5]! + f.trades![i]!;
    }
  }
  const lastT = f.time[f.length - 1]!;
  const lastK = Math.floor(lastT / T) * T;
  if (lastT + f.timeframeMs < lastK + T) out.delete(lastK);
  return out;
}

function copyRaw(): CandleColumns {
  return copyFrame(raw1m);
}
// The same rows with the default gap policy applied (ends on the same last real bar).
const filled1m = ((): MarketFrame => {
  const g = fillGaps(copyRaw(), 60_000);
  return columnsToFrame(g.cols, raw1m.symbol, '1m', 60_000, g.filled);
})();

function row(f: MarketFrame, j: number): number[] {
  return [f.open[j]!, f.high[j]!, f.low[j]!, f.close[j]!, f.volume[j]!, f.trades![j]!];
}

function copyFrame(f: MarketFrame): CandleColumns {
  return {
    length: f.length,
    time: f.time.slice(),
    open: f.open.slice(),
    high: f.high.slice(),
    low: f.low.slice(),
    close: f.close.slice(),
    volume: f.volume.slice(),
    trades: f.trades!.slice(),
    vwap: new Float64Array(f.length).fill(NaN),
  };
}

describe('resample', () => {
  for (const tf of ['5m', '15m', '1h', '4h', '1d']) {
    it(`1m → ${tf} equals the reference computation (gaps kept and gaps filled)`, () => {
      const T = { '5m': 3e5, '15m': 9e5, '1h': 36e5, '4h': 144e5, '1d': 864e5 }[tf]!;
      const ref = reference(raw1m, T);
      const kept = resample(raw1m, tf);
      expect(kept.length).toBe(ref.size);
      const diffs: number[] = [];
      for (let j = 0; j < kept.length; j++) {
        const r = ref.get(kept.time[j]!);
        const got = row(kept, j);
        if (!r || got.some((v, k) => Math.abs(v - r[k]!) > 1e-9 * Math.max(1, Math.abs(r[k]!)))) diffs.push(j);
      }
      expect(diffs).toEqual([]);
      // On the filled grid: the same bars where the bucket has trades, flat filled bars where it has none.
      const filled = resample(filled1m, tf);
      let flat = 0;
      const bad: number[] = [];
      for (let j = 0; j < filled.length; j++) {
        const r = ref.get(filled.time[j]!);
        if (r) {
          if (
            filled.filled![j] ||
            row(filled, j).some((v, k) => Math.abs(v - r[k]!) > 1e-9 * Math.max(1, Math.abs(r[k]!)))
          )
            bad.push(j);
        } else {
          flat++;
          const c = filled.close[j - 1]!;
          if (!filled.filled![j] || filled.open[j] !== c || filled.high[j] !== c || filled.volume[j] !== 0) bad.push(j);
        }
      }
      expect(bad).toEqual([]);
      if (tf === '5m') expect(flat).toBeGreaterThan(0);
    });
  }

  it('rejects a target that is not a whole multiple', () => {
    expect(() => resample(loadBundled(), '90m')).toThrow(/whole multiple of 1h/);
    expect(() => resample(loadBundled(), '30m')).toThrow(/whole multiple/);
  });

  it('lastClosedIndex maps each base bar to the last higher bar closed by its close, never a later one', () => {
    const { frame: h, lastClosed } = alignTimeframe(filled1m, '15m');
    const bad: number[] = [];
    for (let i = 0; i < filled1m.length; i++) {
      const closeAt = filled1m.time[i]! + 60_000;
      const j = lastClosed[i]!;
      if (j >= 0 && h.time[j]! + h.timeframeMs > closeAt) bad.push(i); // would be look-ahead
      if (j + 1 < h.length && h.time[j + 1]! + h.timeframeMs <= closeAt) bad.push(i); // not the last closed one
    }
    expect(bad).toEqual([]);
    // The 15th minute of a quarter hour closes its bar: the map advances exactly there.
    const i = filled1m.time.findIndex((t) => t % 900_000 === 840_000);
    expect(lastClosed[i]).toBe(lastClosed[i - 1]! + 1);
  });
});

describe('no look-ahead', () => {
  it('perturbing every bar after t leaves all values at ≤ t unchanged (gap fill, resample, index map)', () => {
    const rng = seedrandom('no-look-ahead');
    const base = raw1m;
    let controls = 0;
    for (const frac of [0.13, 0.5, 0.77]) {
      const k = Math.floor(base.length * frac); // last untouched raw row
      const cols = copyFrame(base);
      for (let i = k + 1; i < cols.length; i++) {
        const m = 0.5 + rng();
        cols.open[i]! *= m;
        cols.high[i]! *= m * 1.01;
        cols.low[i]! *= m * 0.99;
        cols.close[i]! *= m;
        cols.volume[i]! *= 3 * rng();
        cols.trades[i] = Math.floor(rng() * 50);
      }
      // Also drop some rows after t (new gaps in the future).
      const keep = Array.from({ length: cols.length }, (_, i) => i <= k || rng() > 0.2);
      const sel = (a: Float64Array): Float64Array => Float64Array.from(a.filter((_, i) => keep[i]));
      const pert: CandleColumns = {
        length: keep.filter(Boolean).length,
        time: sel(cols.time),
        open: sel(cols.open),
        high: sel(cols.high),
        low: sel(cols.low),
        close: sel(cols.close),
        volume: sel(cols.volume),
        trades: sel(cols.trades),
        vwap: sel(cols.vwap),
      };
      const a = fillGaps(copyFrame(base), 60_000);
      const b = fillGaps(pert, 60_000);
      const A = columnsToFrame(a.cols, 'X', '1m', 60_000, a.filled);
      const B = columnsToFrame(b.cols, 'X', '1m', 60_000, b.filled);
      const tCut = base.time[k]!;
      const n = A.time.findIndex((t) => t > tCut); // bars with index < n open at ≤ t
      for (const col of ['time', 'open', 'high', 'low', 'close', 'volume', 'trades'] as const) {
        expect(Array.from(A[col]!.subarray(0, n))).toEqual(Array.from(B[col]!.subarray(0, n)));
      }
      expect(Array.from(A.filled!.subarray(0, n))).toEqual(Array.from(B.filled!.subarray(0, n)));
      for (const tf of ['5m', '15m', '1h', '4h']) {
        const ha = alignTimeframe(A, tf);
        const hb = alignTimeframe(B, tf);
        // Every base bar up to t sees the same higher-timeframe index, and every higher bar it may see is identical.
        expect(Array.from(ha.lastClosed.subarray(0, n))).toEqual(Array.from(hb.lastClosed.subarray(0, n)));
        const visible = ha.lastClosed[n - 1]! + 1;
        for (const col of ['time', 'open', 'high', 'low', 'close', 'volume', 'trades'] as const) {
          expect(Array.from(ha.frame[col]!.subarray(0, visible))).toEqual(
            Array.from(hb.frame[col]!.subarray(0, visible)),
          );
        }
        // Control: the naive map "the higher bar containing base bar i" would see a bar that the perturbation changed.
        // (This is what the test exists to catch: it must differ, or the perturbation would prove nothing.)
        const jNaive = ha.frame.time.findIndex((t) => t > tCut) - 1;
        const bucketEnd = jNaive >= 0 ? ha.frame.time[jNaive]! + ha.frame.timeframeMs : -Infinity;
        const realAfter = A.time.some((t, i) => t > tCut && t < bucketEnd && !A.filled![i]);
        if (jNaive >= visible && realAfter && jNaive < Math.min(ha.frame.length, hb.frame.length)) {
          controls++;
          expect(row(ha.frame, jNaive)).not.toEqual(row(hb.frame, jNaive));
        }
      }
    }
    expect(controls).toBeGreaterThan(0);
  });
});

describe('splits', () => {
  const f = loadBundled();
  it('walk-forward folds are chronological, disjoint, respect the embargo, and the last test ends at the last bar', () => {
    const folds = walkForwardSplits(f, { folds: 4, validationBars: 1000, testBars: 2000, embargoBars: 24 });
    expect(folds.length).toBe(4);
    for (const x of folds) {
      expect(x.train.end + 24).toBe(x.validation.start);
      expect(x.validation.end + 24).toBe(x.test.start);
      expect(x.test.end - x.test.start).toBe(2000);
      expect(x.train.from).toBe(f.time[x.train.start]);
    }
    expect(folds[3]!.test.end).toBe(f.length);
    for (let k = 1; k < 4; k++) expect(folds[k]!.test.start).toBe(folds[k - 1]!.test.end); // tests tile the tail
    const anchored = walkForwardSplits(f, { folds: 3, anchored: true });
    expect(anchored.every((x) => x.train.start === 0)).toBe(true);
    expect(anchored[2]!.train.end).toBeGreaterThan(anchored[0]!.train.end);
  });

  it('a chronological split keeps order; impossible splits are clear errors', () => {
    const s = chronologicalSplit(f);
    expect(s.train.length + s.validation.length + s.test.length).toBe(f.length);
    expect(s.train.time[s.train.length - 1]!).toBeLessThan(s.validation.time[0]!);
    expect(() => walkForwardSplits(f, { folds: 40, testBars: 1000, validationBars: 1000 })).toThrow(/do not fit/);
    expect(() => chronologicalSplit(f, { train: 0.5, validation: 0.1, test: 0.1 })).toThrow(/sum to 1/);
  });
});
