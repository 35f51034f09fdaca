// Bad input data is reported with the bar's time and never propagated silently into observations.
import { describe, expect, it } from 'vitest';
import { Tg4Error } from '../../src/core/errors.ts';
import { buildFeatures, FeatureDataError, ObservationBuilder, loadDefaultSpec } from '../../src/features/index.ts';
import { bundled1m, cloneFrame, withSyntheticExtras } from './helpers.ts';

const frame = bundled1m(1_500, 'keep');
const spec = loadDefaultSpec();

function errorOf(fn: () => unknown): Tg4Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Tg4Error) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('bad input data', () => {
  const cases: [string, (f: ReturnType<typeof cloneFrame>, t: number) => void, RegExp][] = [
    [
      'NaN close',
      (f, t) => {
        (f.close as Float64Array)[t] = NaN;
      },
      /close NaN/,
    ],
    [
      'Infinity high',
      (f, t) => {
        (f.high as Float64Array)[t] = Infinity;
      },
      /high Infinity/,
    ],
    [
      '-Infinity low',
      (f, t) => {
        (f.low as Float64Array)[t] = -Infinity;
      },
      /low -Infinity/,
    ],
    [
      'NaN volume',
      (f, t) => {
        (f.volume as Float64Array)[t] = NaN;
      },
      /volume NaN/,
    ],
    [
      'negative volume',
      (f, t) => {
        (f.volume as Float64Array)[t] = -1;
      },
      /volume -1/,
    ],
    [
      'zero price',
      (f, t) => {
        (f.open as Float64Array)[t] = 0;
      },
      /positive/,
    ],
    [
      'high below low',
      (f, t) => {
        (f.high as Float64Array)[t] = f.low[t]! - 1;
      },
      /below low/,
    ],
    [
      'time not ascending',
      (f, t) => {
        (f.time as Float64Array)[t] = f.time[t - 1]!;
      },
      /strictly ascending/,
    ],
    [
      'NaN time',
      (f, t) => {
        (f.time as Float64Array)[t] = NaN;
      },
      /time is NaN/,
    ],
  ];
  for (const [label, corrupt, msg] of cases) {
    it(`${label}: DATA_ERROR naming the bar, batch and live alike`, () => {
      const t = 1234;
      const f = cloneFrame(frame);
      corrupt(f, t);
      const e = errorOf(() => buildFeatures(f, spec));
      expect(e).toBeInstanceOf(FeatureDataError);
      expect(e.code).toBe('DATA_ERROR');
      expect(e.message).toMatch(msg);
      expect(e.message).toContain(`bar ${t}`);
      if (label !== 'NaN time' && label !== 'time not ascending')
        expect(e.message).toContain(new Date(frame.time[t]!).toISOString().slice(0, 16));
      const ob = new ObservationBuilder(spec, { timeframe: '1m' });
      let thrown: unknown;
      for (let i = 0; i < f.length && !thrown; i++) {
        try {
          const row = ob.update({
            time: f.time[i]!,
            open: f.open[i]!,
            high: f.high[i]!,
            low: f.low[i]!,
            close: f.close[i]!,
            volume: f.volume[i]!,
          });
          for (const x of row) if (!Number.isFinite(x)) throw new Error(`non-finite ${x} in row ${i}`);
        } catch (err) {
          thrown = err;
          expect(i).toBe(t);
        }
      }
      expect((thrown as Tg4Error).message).toBe(e.message);
    });
  }

  it('NaN in an extra input column used by a feature names the column and the bar', () => {
    const f = withSyntheticExtras(frame);
    f.extra!.buy_volume![777] = NaN;
    const e = errorOf(() => buildFeatures(f, { features: [{ feature: 'volume_imbalance' }] }));
    expect(e.code).toBe('DATA_ERROR');
    expect(e.message).toContain("'buy_volume'");
    expect(e.message).toContain('bar 777');
    // Unused columns may hold anything: NaN in sentiment does not matter when no feature reads it.
    f.extra!.buy_volume![777] = 1;
    f.extra!.sentiment![5] = NaN;
    expect(() => buildFeatures(f, { features: [{ feature: 'volume_imbalance' }] })).not.toThrow();
  });

  it('a live bar without a declared extra input, or a crossed book, is a DATA_ERROR', () => {
    const ob = new ObservationBuilder(
      { features: [{ feature: 'spread' }] },
      { timeframe: '1m', extraColumns: ['bid_px_1', 'ask_px_1'] },
    );
    const bar = { time: 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1, extra: { bid_px_1: 1 } };
    expect(errorOf(() => ob.update(bar)).message).toContain("'ask_px_1' is missing");
    const ob2 = new ObservationBuilder(
      { features: [{ feature: 'spread' }] },
      { timeframe: '1m', extraColumns: ['bid_px_1', 'ask_px_1'] },
    );
    const e = errorOf(() => ob2.update({ ...bar, extra: { bid_px_1: 2, ask_px_1: 1 } }));
    expect(e.code).toBe('DATA_ERROR');
    expect(e.message).toContain('1970-01-01T00:01:00.000Z');
  });

  it('a feature that would compute NaN/Inf is a FEATURE_ERROR, never a silent NaN', () => {
    // vpin with a bucket so small that a bar would fill millions of buckets.
    const f = withSyntheticExtras(frame);
    const e = errorOf(() => buildFeatures(f, { features: [{ feature: 'vpin', params: { bucket_volume: 1e-12 } }] }));
    expect(e.code).toBe('FEATURE_ERROR');
    expect(e.message).toContain('bucket_volume');
  });
});
