// Training setup per algorithm: every config is the algorithm's defaults plus its preset's values, and a preset's env
// kwargs reach the env it trains on (they once were dropped: `tg4 train --env tg4/Trading-v0` trained short/flat/long
// without the turnover penalty while the docs described the long/flat preset). The user's kwargs override them key by key.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALGORITHMS, runTraining } from '../../agents/common/train-run.ts';
import { resolvePreset, type PresetSource } from '../../agents/common/algorithm.ts';
import { TRADING_PRESET_ENV_KWARGS } from '../../agents/common/trading-preset.ts';
import { loadDefaultSpec, ObservationBuilder, specHash } from '../../src/features/index.ts';
import { TradingEnv } from '../../envs/trading/trading-env.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg4-setup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A short PPO run on the trading env: 2 rollouts of 8 envs × 16 steps, one epoch (the preset's window: one row).
async function trainTrading(out: string, envKwargs?: Record<string, unknown>) {
  await runTraining({
    envId: 'tg4/Trading-v0',
    agent: 'ppo',
    seed: 0,
    steps: 256,
    out,
    evalEpisodes: 1,
    evalFreq: 0,
    overrides: { nSteps: 16, batchSize: 64, nEpochs: 1 },
    envKwargs: { episodeLength: 32, range: '2020-01-01..2020-03-01', ...envKwargs },
  });
  return JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    envKwargs: Record<string, unknown>;
    actionSpace: unknown;
    featureSpecHash: string | null;
  };
}

describe("a preset's env kwargs reach the env", () => {
  it('tg4 train on Trading-v0 (no --kwargs) trains long/flat, one decision a day, with the turnover penalty', async () => {
    const m = await trainTrading(join(dir, 'preset'));
    expect(m.envKwargs).toMatchObject({
      actionScheme: 'discrete-sized',
      levels: [0, 1],
      decisionInterval: 24,
      reward: { log_return: 1, turnover: 0.01 },
    });
    // The env the manifest describes is the long/flat one acting every 24 bars: no short level.
    const env = new TradingEnv({ ...m.envKwargs });
    expect(env.config.actionScheme).toBe('discrete-sized');
    expect(Array.from(env.scheme.levels ?? [])).toEqual([0, 1]);
    expect(env.config.decisionInterval).toBe(24);
    env.close();
    // It observed the default hourly features, the last row only (the preset's windowSize 1): F + 4 portfolio fields.
    const columns = new ObservationBuilder(loadDefaultSpec('1h'), { timeframe: '1h' }).names.length;
    expect(env.core.windowSize).toBe(1);
    expect(env.observationSpace.shape).toEqual([columns + 4]);
    expect(m.featureSpecHash).toBe(specHash(loadDefaultSpec('1h')));
  }, 120_000);

  it("the user's kwargs override the preset's key by key", async () => {
    const m = await trainTrading(join(dir, 'override'), { levels: [-1, 0, 1] });
    expect(m.envKwargs).toMatchObject({
      actionScheme: 'discrete-sized',
      levels: [-1, 0, 1],
      reward: { log_return: 1, turnover: 0.01 },
    });
  }, 120_000);
});

describe('one spec per algorithm', () => {
  it("a preset's config is the algorithm's defaults with the preset's values on top; 'default' is the defaults", () => {
    for (const spec of [ALGORITHMS.ppo, ALGORITHMS.dqn] as PresetSource<object>[]) {
      const base = resolvePreset(spec, 'no-such-env');
      expect(base.name).toBe('default');
      expect(base.config).toEqual(spec.defaults);
      expect(base.envKwargs).toEqual({});
      for (const [name, preset] of Object.entries(spec.presets)) {
        const r = resolvePreset(spec, name);
        expect(r.config).toEqual({ ...spec.defaults, ...preset.config });
        expect(r.totalSteps).toBe(preset.totalSteps);
      }
    }
    // DQN trades the shared trading kwargs; PPO's preset acts once a day, long or flat (docs/agents.md, walk-forward).
    expect(resolvePreset(ALGORITHMS.dqn, 'tg4/Trading-v0').envKwargs).toEqual(TRADING_PRESET_ENV_KWARGS);
    expect(resolvePreset(ALGORITHMS.ppo, 'tg4/Trading-v0').envKwargs).toEqual({
      ...TRADING_PRESET_ENV_KWARGS,
      levels: [0, 1],
      decisionInterval: 24,
      episodeLength: 200,
      windowSize: 1,
    });
  });
});
