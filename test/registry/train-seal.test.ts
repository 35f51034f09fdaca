// `tg4 train` seals what it writes into the registry and records the model's provenance in its manifest (a spawned
// CLI run on CartPole-v1 into $TG4_REGISTRY); the trading fields of the provenance (data range, feature spec,
// observation layout, action mapping) from the env they describe.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TradingEnv } from '../../envs/trading/trading-env.ts';
import { ModelRegistry } from '../../src/registry/index.ts';
import { trainingProvenance } from '../../src/registry/provenance.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('tg4 train and the registry', () => {
  it('seals the version it writes, with source, parent and provenance', () => {
    const models = join(mkdtempSync(join(tmpdir(), 'tg4-train-seal-')), 'models');
    const run = (...extra: string[]) =>
      spawnSync(
        process.execPath,
        [join(ROOT, 'bin', 'tg4.js'), 'train', '--env', 'CartPole-v1', '--steps', '512', '--no-progress', ...extra],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TG4_REGISTRY: models }, timeout: 120_000 },
      );
    const first = run('--seed', '1');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/registered ppo-CartPole-v1\/v0001 \(content [0-9a-f]{16}\)/);
    const second = run('--seed', '2', '--parent', 'ppo-CartPole-v1/v0001');
    expect(second.status, second.stderr).toBe(0);
    const reg = new ModelRegistry(models);
    const v2 = reg.verify('ppo-CartPole-v1/v0002');
    expect(v2).toMatchObject({ source: 'tg4 train', parent: 'ppo-CartPole-v1/v0001' });
    const m = JSON.parse(readFileSync(join(v2.dir, 'manifest.json'), 'utf8'));
    expect(m.provenance.codeVersion).toMatch(/^(git:[0-9a-f]{40}(\+dirty)?|package:\d+\.\d+\.\d+)$/);
    expect(m.provenance.parent).toBe('ppo-CartPole-v1/v0001');
    expect(m.provenance.files.curves).toEqual(['metrics.jsonl', 'learning-curve.svg']);
    expect(v2.files.map((f) => f.name)).toEqual(
      expect.arrayContaining(['manifest.json', 'weights.bin', 'metrics.jsonl']),
    );
  }, 240_000);

  it('records the trading data range, feature spec, observation layout and action mapping of the env', () => {
    const kw = { range: 'train', actionScheme: 'discrete-sized', levels: [0, 0.5, 1] };
    const p = trainingProvenance('tg4/Trading-v0', kw);
    const env = new TradingEnv(kw);
    const frame = env.data.frames[0]!;
    expect(p.trainingData).toMatchObject({
      range: 'train',
      bars: env.data.rangeEnd - env.data.rangeStart,
      from: new Date(frame.time[env.data.rangeStart]!).toISOString().replace('.000Z', 'Z'),
      symbol: 'BTC/USD',
      timeframe: '1h',
    });
    expect(p.observation).toMatchObject({ obsSize: env.core.obsDim, windowSize: env.core.windowSize });
    expect(p.observation!.features).toHaveLength(env.data.numFeatures);
    expect(p.actionMapping).toEqual({ scheme: 'discrete-sized', levels: [0, 0.5, 1], exposure: 1 });
    expect((p.featureSpec as { window: number }).window).toBe(env.core.windowSize);
    env.close();
  });
});
