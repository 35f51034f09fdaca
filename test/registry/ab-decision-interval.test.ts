// A/B of a model trained acting once a day (the Trading-v0 preset's decisionInterval 24) against the bot's EMA-9 rule:
// the rule runs under the model's market conditions but deciding every bar, as it was designed to. Acting once a day
// it would miss most confirmed flips and be a straw man.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyRef, runOverRange, trainingConditions } from '../../agents/common/model-runner.ts';
import { ModelRegistry } from '../../src/registry/index.ts';
import { runAb } from '../../src/registry/ab.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('A/B beside a model with a decision interval', () => {
  it('runs the baseline every bar under the model’s other conditions', () => {
    const models = join(mkdtempSync(join(tmpdir(), 'tg4-ab-k-')), 'models');
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'tg4.js'), 'train', '--env', 'tg4/Trading-v0', '--steps', '512', '--eval-freq', '0'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, TG4_REGISTRY: models },
        timeout: 200_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const reg = new ModelRegistry(models);
    const version = 'ppo-tg4_Trading-v0/v0001';
    const model = policyRef(reg.verify(version).dir, 'test') as ReturnType<typeof policyRef> & { kind: 'model' };
    const conditions = trainingConditions(model);
    expect(conditions.decisionInterval).toBe(24);
    const { report } = runAb(reg, version, 'ema-trend-flip', { store: false, samples: 100 });
    const ema = (k: number) =>
      Array.from(
        runOverRange([policyRef('ema-trend-flip')], { ...conditions, decisionInterval: k, range: 'test' }, 0)[0]!
          .equity,
      );
    const everyBar = ema(1);
    expect(everyBar).not.toEqual(ema(24));
    expect(report.curves.b).toEqual(everyBar);
  }, 300_000);
});
