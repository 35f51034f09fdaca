// The feature spec: validation names the bad field, unknown features list the available ones, the hash is stable
// under re-ordering/defaults/format and changes with every meaningful edit.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Tg4Error } from '../../src/core/errors.ts';
import {
  FeatureEngine,
  featureNames,
  loadDefaultSpec,
  loadFeatureSpec,
  parseFeatureSpec,
  specHash,
  type FeatureSpecInput,
} from '../../src/features/index.ts';

function errorOf(fn: () => unknown): Tg4Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Tg4Error) return e;
    throw e;
  }
  throw new Error('expected an error');
}

const base: FeatureSpecInput = {
  features: [
    { feature: 'rsi', params: { period: 14 } },
    { feature: 'ema', params: { period: 9 } },
  ],
};

describe('spec validation', () => {
  it('unknown feature: FEATURE_ERROR naming the entry and listing every available feature', () => {
    const e = errorOf(() => parseFeatureSpec({ features: [{ feature: 'rsi' }, { feature: 'rsx' }] }));
    expect(e.code).toBe('FEATURE_ERROR');
    expect(e.message).toContain('features[1].feature');
    expect(e.message).toContain("'rsx'");
    for (const n of featureNames()) expect(e.message).toContain(n);
    expect(featureNames().length).toBeGreaterThanOrEqual(23);
  });

  it('a parameter out of range names the field', () => {
    const e = errorOf(() =>
      parseFeatureSpec({ features: [{ feature: 'ema' }, { feature: 'rsi', params: { period: 1 } }] }),
    );
    expect(e.code).toBe('FEATURE_ERROR');
    expect(e.message).toContain('features[1].params.period');
    expect(errorOf(() => parseFeatureSpec({ features: [{ feature: 'bbands', params: { k: -1 } }] })).message).toContain(
      'features[0].params.k',
    );
    expect(
      errorOf(() => parseFeatureSpec({ features: [{ feature: 'macd', params: { fast: 30, slow: 26 } }] })).message,
    ).toContain('features[0].params.fast');
    expect(errorOf(() => parseFeatureSpec({ features: [{ feature: 'rsi', params: { perod: 3 } }] })).message).toContain(
      'perod',
    );
    expect(errorOf(() => parseFeatureSpec({ features: [{ feature: 'vpin' }] })).message).toContain(
      'features[0].params.bucket_volume',
    );
    expect(
      errorOf(() => parseFeatureSpec({ features: [{ feature: 'ma_alignment', params: { periods: [21, 9] } }] }))
        .message,
    ).toContain('features[0].params.periods');
  });

  it('bad structure, outputs, timeframes and normalization name the field', () => {
    expect(errorOf(() => parseFeatureSpec({ features: [] })).message).toContain('features');
    expect(errorOf(() => parseFeatureSpec({ ...base, windw: 3 })).message).toContain('windw');
    expect(errorOf(() => parseFeatureSpec({ features: [{ feature: 'rsi', outputs: ['x'] }] })).message).toMatch(
      /features\[0\]\.outputs.*available: value/,
    );
    expect(errorOf(() => parseFeatureSpec({ features: [{ feature: 'rsi', timeframe: '1w' }] })).message).toContain(
      'features[0].timeframe',
    );
    expect(
      errorOf(() => parseFeatureSpec({ ...base, normalization: { method: 'rolling_zscore', window: 1 } })).message,
    ).toContain('normalization.window');
    expect(errorOf(() => parseFeatureSpec({ ...base, normalization: { method: 'minmax' } })).message).toContain(
      'normalization',
    );
  });

  it('engine-level checks: HTF not a multiple, duplicate columns, missing fixed stats, base timeframe mismatch', () => {
    const opts = { baseTimeframeMs: 60_000, extraColumns: [] };
    expect(
      errorOf(() => new FeatureEngine({ features: [{ feature: 'rsi', timeframe: '90s' as string }] }, opts)).message,
    ).toContain('features[0].timeframe');
    const htf = errorOf(
      () =>
        new FeatureEngine({ features: [{ feature: 'rsi', timeframe: '1m' }] }, { ...opts, baseTimeframeMs: 3_600_000 }),
    );
    expect(htf.message).toContain('not a whole multiple');
    expect(
      errorOf(() => new FeatureEngine({ features: [{ feature: 'rsi' }, { feature: 'rsi' }] }, opts)).message,
    ).toContain('"id"');
    expect(
      errorOf(
        () =>
          new FeatureEngine(
            { ...base, normalization: { method: 'fixed', stats: { rsi_14: { mean: 50, std: 10 } } } },
            opts,
          ),
      ).message,
    ).toContain("'ema_9_dist'");
    expect(errorOf(() => new FeatureEngine({ ...base, base_timeframe: '5m' }, opts)).message).toContain(
      'base_timeframe',
    );
  });

  it('features that need trade or book columns fail clearly on candle-only data', () => {
    const opts = { baseTimeframeMs: 60_000, extraColumns: [] };
    for (const [feature, col] of [
      ['vpin', 'buy_volume'],
      ['volume_imbalance', 'buy_volume'],
      ['spread', 'bid_px_1'],
      ['microprice', 'bid_px_1'],
      ['depth_imbalance', 'bid_sz_1'],
    ] as const) {
      const params = feature === 'vpin' ? { bucket_volume: 10 } : {};
      const e = errorOf(() => new FeatureEngine({ features: [{ feature: 'rsi' }, { feature, params }] }, opts));
      expect(e.code).toBe('FEATURE_ERROR');
      expect(e.message).toContain(`'${col}'`);
      expect(e.message).toContain('candle-only');
      expect(e.message).toContain('features[1]');
    }
    const e = errorOf(
      () => new FeatureEngine({ features: [{ feature: 'regime', params: { sentiment: 'required' } }] }, opts),
    );
    expect(e.message).toContain("'sentiment'");
  });

  it('the default spec loads and validates', () => {
    const s = loadDefaultSpec();
    expect(s.features.length).toBeGreaterThan(15);
    expect(new Set(s.features.map((f) => f.timeframe ?? '1m'))).toEqual(new Set(['1m', '5m', '1h']));
  });
});

describe('spec hash', () => {
  it('is a sha256 hex, stable under key order, spelled-out defaults, and JSON vs YAML', () => {
    const h = specHash(base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    const reordered = {
      features: [
        { params: { period: 14 }, feature: 'rsi' },
        { feature: 'ema', params: { period: 9 } },
      ],
    };
    expect(specHash(reordered)).toBe(h);
    const explicit: FeatureSpecInput = {
      version: 1,
      window: 32,
      normalization: { method: 'rolling_zscore', window: 500, clip: 10 },
      features: [
        { feature: 'rsi', params: { period: 14 }, normalize: 'inherit' },
        { feature: 'ema', params: { period: 9 } },
      ],
    };
    expect(specHash(explicit)).toBe(h);
    const dir = mkdtempSync(join(tmpdir(), 'tg4-spec-'));
    writeFileSync(join(dir, 's.yaml'), toYaml(reordered));
    writeFileSync(join(dir, 's.json'), JSON.stringify(base, null, 2));
    expect(specHash(loadFeatureSpec(join(dir, 's.yaml')))).toBe(h);
    expect(specHash(loadFeatureSpec(join(dir, 's.json')))).toBe(h);
    writeFileSync(join(dir, 'bad.json'), '{"features": [');
    expect(errorOf(() => loadFeatureSpec(join(dir, 'bad.json'))).message).toContain('not valid JSON');
    expect(errorOf(() => loadFeatureSpec(join(dir, 'missing.json'))).code).toBe('FEATURE_ERROR');
  });

  it('changes with any feature, param, timeframe, output, order, window or normalization edit', () => {
    const h = specHash(base);
    const variants: FeatureSpecInput[] = [
      {
        features: [
          { feature: 'rsi', params: { period: 15 } },
          { feature: 'ema', params: { period: 9 } },
        ],
      },
      {
        features: [
          { feature: 'rsi', params: { period: 14 }, timeframe: '1h' },
          { feature: 'ema', params: { period: 9 } },
        ],
      },
      {
        features: [
          { feature: 'rsi', params: { period: 14 } },
          { feature: 'ema', params: { period: 9 }, outputs: ['value'] },
        ],
      },
      {
        features: [
          { feature: 'ema', params: { period: 9 } },
          { feature: 'rsi', params: { period: 14 } },
        ],
      },
      { ...base, window: 64 },
      { ...base, normalization: { method: 'none' } },
      { ...base, normalization: { method: 'rolling_zscore', window: 499 } },
    ];
    const hashes = new Set(variants.map((v) => specHash(v)));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(h)).toBe(false);
  });
});
