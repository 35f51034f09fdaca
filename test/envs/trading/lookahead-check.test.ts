import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBundled } from '../../../replay/bundled.ts';
import { sliceFrame } from '../../../replay/slice.ts';
import { buildFeatures, type FeatureMatrix } from '../../../src/features/index.ts';
import type { MarketFrame } from '../../../replay/market-frame.ts';
import type { RewardInputs } from '../../../envs/trading/rewards/types.ts';
import { checkLookahead, perturbAfter } from '../../../envs/trading/lookahead-check.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const frame = sliceFrame(loadBundled({ symbol: 'BTC/USD', timeframe: '1h' }), 0, 3200);

/** The user's pipeline with one planted leak: a column that reads bar t+1's close. */
function leakyFeatures(f: MarketFrame): FeatureMatrix {
  const m = buildFeatures(f, 'default');
  const F = m.cols + 1;
  const matrix = new Float32Array(m.rows * F);
  for (let t = 0; t < m.rows; t++) {
    matrix.set(m.matrix.subarray(t * m.cols, (t + 1) * m.cols), t * F);
    matrix[t * F + m.cols] = t + 1 < f.length ? Math.log(f.close[t + 1]! / f.close[t]!) : 0;
  }
  return { ...m, matrix, cols: F, names: [...m.names, 'peek_next_return'] };
}

describe('tg4 check lookahead (in-process)', () => {
  it('passes the default spec with the built-in rewards', () => {
    for (const reward of ['log_return', 'differential_sharpe', { log_return: 1, drawdown: 0.5 }]) {
      const r = checkLookahead({ frame, env: { reward }, cuts: 6, stepsBefore: 24 });
      expect(r.leaks).toEqual([]);
      expect(r.passed).toBe(true);
      expect(r.cuts.length).toBeGreaterThanOrEqual(6);
      expect(r.checked.featureValues).toBeGreaterThan(100_000);
      expect(r.checked.observations).toBeGreaterThan(1_000);
      expect(r.checked.rewards).toBeGreaterThanOrEqual(6 * 24);
    }
  });

  it('names a feature that reads bar t+1, in the features and in the observation', () => {
    const r = checkLookahead({ frame, buildFeatures: leakyFeatures, cuts: 4, stepsBefore: 8 });
    expect(r.passed).toBe(false);
    expect(r.leakingNames.feature).toEqual(['peek_next_return']);
    expect(r.leakingNames.observation).toContain('peek_next_return[t]');
    expect(r.leakingNames.observation.every((n) => n.startsWith('peek_next_return'))).toBe(true);
    const leak = r.leaks.find((l) => l.kind === 'feature')!;
    expect(leak.bar).toBe(leak.cut);
  });

  it('names a reward that reads bar t+2', () => {
    // Decision at t, marked at t+1: this reward also peeks at t+2's close of the frame it runs on.
    const peeking = (f: MarketFrame) => ({
      reward: (x: RewardInputs, i: number): number => {
        const t = x.bar[i]!;
        const ahead = f.close[Math.min(t + 2, f.length - 1)]!;
        return Math.log(x.equity[i]! / x.prevEquity[i]!) + 1e-3 * Math.log(ahead / f.close[t + 1]!);
      },
    });
    const r = checkLookahead({ frame, env: peeking, cuts: 4, stepsBefore: 8 });
    expect(r.leakingNames.reward).toEqual(['reward']);
    expect(r.leakingNames.feature).toEqual([]);
    expect(r.leakingNames.observation).toEqual([]);
    // The same reward reading t+1 (what the step is marked at) is fine.
    const honest = (f: MarketFrame) => ({
      reward: (x: RewardInputs, i: number): number => Math.log(f.close[x.bar[i]! + 1]! / f.close[x.bar[i]!]!),
    });
    expect(checkLookahead({ frame, env: honest, cuts: 4, stepsBefore: 8 }).passed).toBe(true);
  });

  it('perturbs only bars after the cut, and refuses kwargs it sets itself', () => {
    const p = perturbAfter(frame, 100, 1);
    for (let t = 0; t <= 100; t++) expect(p.close[t]).toBe(frame.close[t]);
    expect(p.close[101]).not.toBe(frame.close[101]);
    for (let t = 101; t < 200; t++) {
      expect(p.low[t]!).toBeLessThanOrEqual(Math.min(p.open[t]!, p.close[t]!));
      expect(p.high[t]!).toBeGreaterThanOrEqual(Math.max(p.open[t]!, p.close[t]!));
    }
    expect(() => checkLookahead({ frame, env: { start: 5 } })).toThrow(/sets 'start' itself/);
    expect(() => checkLookahead({ frame: sliceFrame(frame, 0, 300) })).toThrow(/use more data|too short/);
  });
});

describe('tg4 check lookahead (CLI)', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'bin', 'tg4.js'), 'check', 'lookahead', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
    });

  it('passes the defaults (exit 0) and names the planted leaks of a user module (exit 1)', () => {
    const ok = run(['--timeframe', '1h', '--cuts', '2', '--steps-before', '8']);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('PASS');
    expect(ok.status).toBe(0);
    const bad = run([
      '--timeframe',
      '1h',
      '--cuts',
      '2',
      '--steps-before',
      '8',
      '--module',
      'test/fixtures/lookahead/leaky.ts',
      '--json',
    ]);
    expect(bad.status).toBe(1);
    const report = JSON.parse(bad.stdout) as { leakingNames: Record<string, string[]> };
    expect(report.leakingNames.feature).toEqual(['peek_next_return']);
    expect(report.leakingNames.reward).toEqual(['reward']);
  }, 180_000);

  it('says what is wrong with bad flags (exit 2)', () => {
    const r = run(['--cuts', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--cuts must be a whole number/);
    expect(run(['--module', 'nope.ts']).stderr).toMatch(/--module: no file 'nope.ts'/);
    expect(run(['--reward', '{bad']).stderr).toMatch(/--reward is not valid JSON/);
  }, 120_000);
});
