// External models: SB3 PPO (Tanh, VecNormalize) and A2C (ReLU) trained through the Python client over a real
// `tg4 serve`, exported by tg4gym.export into tg4-model/1, run by the typed-array forward pass: the same action as
// SB3's predict(deterministic=True) on every one of 500 observations; then registered with `tg4 models register`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InferencePolicy } from '../../agents/infer/policy.ts';
import { ModelRegistry } from '../../src/registry/index.ts';
import { ROOT, expectVenv } from '../python/venv.ts';

const PYTHON = join(process.env.TG4_VENV ?? join(ROOT, '.venv-tg4'), 'bin', 'python');
let out: string;
let cases: { observations: number[][]; cases: Record<string, { dir: string; actions: number[] }> };

beforeAll(() => {
  expectVenv();
  out = mkdtempSync(join(tmpdir(), 'tg4-sb3-export-'));
  const r = spawnSync(PYTHON, [join(ROOT, 'test', 'registry', 'sb3_export.py'), out], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      PYTHONPATH: join(ROOT, 'agents', 'python'),
      TG4_NODE: process.execPath,
      OMP_NUM_THREADS: '1',
    },
    timeout: 240_000,
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  cases = JSON.parse(readFileSync(join(out, 'cases.json'), 'utf8'));
}, 300_000);

describe('SB3 export', () => {
  it('PPO (VecNormalize, tanh) and A2C (ReLU) act exactly as SB3 on the same observations', () => {
    for (const [name, c] of Object.entries(cases.cases)) {
      const p = InferencePolicy.load(c.dir, { obsSize: 4, actionSpace: { type: 'Discrete', n: 2, start: 0 } as never });
      const ours = cases.observations.map((o) => p.decide(Float32Array.from(o)));
      expect(ours, name).toEqual(c.actions);
      // Both actions occur, so agreement is not a constant.
      expect(new Set(c.actions).size, name).toBe(2);
    }
    const m = JSON.parse(readFileSync(join(cases.cases.ppo!.dir, 'manifest.json'), 'utf8'));
    expect(m.normalization.obs.mean).toHaveLength(4);
    expect(m.hyperparameters.algorithm).toBe('PPO');
    const a = JSON.parse(readFileSync(join(cases.cases.a2c!.dir, 'manifest.json'), 'utf8'));
    expect(a.network).toMatchObject({ pi: [32], activation: 'relu' });
    expect(a.hyperparameters.algorithm).toBe('A2C');
  });

  it('registers through `tg4 models register --name … --source sb3-export`, sealed, loading the same policy', () => {
    const root = join(out, 'models');
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin', 'tg4.js'),
        'models',
        '--registry',
        root,
        'register',
        cases.cases.ppo!.dir,
        '--name',
        'ppo-sb3-CartPole-v1',
        '--source',
        'sb3-export',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/registered ppo-sb3-CartPole-v1\/v0001/);
    const reg = new ModelRegistry(root);
    const v = reg.verify('ppo-sb3-CartPole-v1');
    expect(v.source).toBe('sb3-export');
    const p = InferencePolicy.load(v.dir);
    expect(cases.observations.map((o) => p.decide(Float32Array.from(o)))).toEqual(cases.cases.ppo!.actions);
  });
});
