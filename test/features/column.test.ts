// The `column` feature: an extra column of the data (a user's own signal, e.g. a DataFrame column sent from Python as
// data) passed through to the features, the same in batch and live; a missing column is a FEATURE_ERROR.
import { describe, expect, it } from 'vitest';
import { buildFeatures, ObservationBuilder, type FeatureSpecInput } from '../../src/features/index.ts';
import { bundled1h, cloneFrame, head, barAt } from './helpers.ts';

const spec: FeatureSpecInput = {
  window: 2,
  features: [
    { feature: 'column', params: { column: 'my_signal' }, normalize: 'none' },
    { feature: 'rsi', params: { period: 3 } },
  ],
  normalization: { method: 'none' },
};

describe('column feature', () => {
  const base = head(bundled1h(), 60);
  const signal = Float64Array.from({ length: base.length }, (_, t) => Math.sin(t));
  const frame = cloneFrame(base, { my_signal: signal });

  it('passes the column through from the first bar', () => {
    const fm = buildFeatures(frame, spec);
    expect(fm.names[0]).toBe('column_my_signal');
    for (let t = 0; t < fm.rows; t++) expect(fm.matrix[t * fm.cols]).toBeCloseTo(Math.sin(t), 6);
  });

  it('gives the same values live as in batch', () => {
    const fm = buildFeatures(frame, spec);
    const live = new ObservationBuilder(spec, { timeframe: frame.timeframe, extraColumns: ['my_signal'] });
    for (let t = 0; t < frame.length; t++) {
      const row = live.update({ ...barAt(frame, t), extra: { my_signal: signal[t]! } });
      expect(row[0]).toBe(fm.matrix[t * fm.cols]);
    }
  });

  it('names the missing column', () => {
    expect(() => buildFeatures(base, spec)).toThrow(/my_signal/);
  });
});
