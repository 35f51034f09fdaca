// One default feature spec per timeframe, the same wherever "default" is said: the trading envs, `tg4 features
// export/hash --timeframe`, buildFeatures and the live ObservationBuilder. (Trading-v0 on 1h data used to take
// default.json minus its 5m/1h entries — 24 columns, no multi-timeframe feature — while the CLI used hourly.json.)
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { TradingEnv, type TradingVectorEnv } from '../../envs/trading/index.ts';
import { makeVec } from '../../src/core/index.ts';
import { loadBundled, resample } from '../../replay/index.ts';
import {
  buildFeatures,
  loadDefaultSpec,
  ObservationBuilder,
  parseFeatureSpec,
  specHash,
} from '../../src/features/index.ts';
import { barAt, tg4Features } from './helpers.ts';

async function cliHash(timeframe: string): Promise<string> {
  return (await tg4Features('hash', '--timeframe', timeframe)).stdout.trim();
}

describe('one default spec per timeframe', () => {
  it('Trading-v0 on the bundled 1h data uses the 1h default spec (hourly.json: 31 columns over 1h/4h/1d)', async () => {
    const hourly = loadDefaultSpec('1h');
    expect(hourly.name).toBe('tg4-default-hourly');
    const env = new TradingEnv({ data: 'bundled', timeframe: '1h' });
    const h = specHash(hourly);
    expect(env.data.specHash).toBe(h);
    expect(await cliHash('1h')).toBe(h);
    expect(new ObservationBuilder('default', { timeframe: '1h' }).specHash).toBe(h);
    const fm = buildFeatures(env.data.frames[0]!, 'default');
    expect(fm.specHash).toBe(h);
    expect(env.data.featureNames).toEqual(fm.names);
    expect(fm.names).toHaveLength(31);
    expect(fm.names.filter((n) => n.endsWith('_4h') || n.includes('_4h_') || n.includes('_1d')).length).toBeGreaterThan(
      0,
    );
    // The env's matrix is that matrix, bit for bit.
    expect(Buffer.from(env.data.features.buffer).equals(Buffer.from(fm.matrix.buffer))).toBe(true);
    // The observation's feature window is 32 rows of those 31 columns (+ 4 portfolio fields).
    expect(env.observationSpace.shape).toEqual([32 * 31 + 4]);
  });

  it("the vector env and a 'default' features kwarg say the same", () => {
    const h = specHash(loadDefaultSpec('1h'));
    const v = makeVec('tg4/Trading-v0', { numEnvs: 2, kwargs: { features: 'default' } }) as TradingVectorEnv;
    try {
      expect(v.core.data.specHash).toBe(h);
    } finally {
      v.close();
    }
  });

  it('the live builder with the default spec gives the env rows (1h data)', () => {
    const frame = loadBundled({ timeframe: '1h' });
    const n = 3000;
    const env = new TradingEnv({ data: 'bundled', timeframe: '1h' });
    const ob = new ObservationBuilder('default', { timeframe: '1h' });
    const F = env.data.numFeatures;
    for (let t = 0; t < n; t++) {
      const row = ob.update(barAt(frame, t));
      if (t >= n - 5) expect(Array.from(row)).toEqual(Array.from(env.data.features.subarray(t * F, (t + 1) * F)));
    }
    expect(ob.ready).toBe(true);
  });

  it('other timeframes: default.json minus the entries their bars cannot build, the same however the timeframe is spelled', async () => {
    const four = loadDefaultSpec('4h');
    expect(specHash(loadDefaultSpec('240m'))).toBe(specHash(four));
    expect(specHash(loadDefaultSpec(4 * 3_600_000))).toBe(specHash(four));
    expect(four.features.every((f) => f.timeframe === undefined)).toBe(true);
    expect(await cliHash('4h')).toBe(specHash(four));
    const frame = resample(loadBundled({ timeframe: '1h' }), '4h');
    const env = new TradingEnv({ frame, episodeLength: 10 });
    expect(env.data.specHash).toBe(specHash(four));
    // 1m keeps default.json as it is.
    expect(specHash(loadDefaultSpec())).toBe(specHash(parseFeatureSpec(loadDefaultSpec('1m'))));
    expect(() => loadDefaultSpec(0)).toThrow(/positive whole number of ms/);
  });
});
