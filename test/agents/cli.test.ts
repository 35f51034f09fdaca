// The `tg4 train` / `tg4 eval` commands end to end through bin/tg4.js, including a refusal printed as a typed error.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/tg4.js');

async function tg4(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { timeout: 90_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('tg4 train / tg4 eval', () => {
  it('trains a small PPO model into --out and evaluates it', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tg4-cli-')), 'ppo');
    const t = await tg4([
      'train',
      '--env',
      'CartPole-v1',
      '--agent',
      'ppo',
      '--steps',
      '512',
      '--seed',
      '2',
      '--out',
      out,
      '--no-progress',
      '--eval-episodes',
      '2',
    ]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/trained PPO on CartPole-v1: 512 steps/);
    expect(t.stdout).toMatch(/final deterministic eval: [\d.]+ ± [\d.]+ over 20 episodes/);
    for (const f of ['manifest.json', 'weights.bin', 'metrics.jsonl', 'learning-curve.svg'])
      expect(existsSync(join(out, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).seed).toBe(2);
    const e = await tg4(['eval', '--model', out, '--env', 'CartPole-v1', '--episodes', '4']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/^CartPole-v1: [\d.]+ ± [\d.]+ over 4 deterministic episodes/);
  }, 120_000);

  it('DQN on a Box action space exits with a typed error and the reason', async () => {
    const r = await tg4([
      'train',
      '--env',
      'tg4/Trading-v0',
      '--agent',
      'dqn',
      '--steps',
      '100',
      '--kwargs',
      '{"actionScheme":"continuous"}',
      '--out',
      join(tmpdir(), 'never'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tg4: error \[INVALID_SPACE\]: DQN needs a Discrete action space/);
  }, 120_000);

  it('--action-masks is refused for DQN, and for an env without masks, with the reason', async () => {
    const dqn = await tg4([
      'train',
      '--env',
      'tg4/Trading-v0',
      '--agent',
      'dqn',
      '--action-masks',
      '--steps',
      '100',
      '--out',
      join(tmpdir(), 'never'),
    ]);
    expect(dqn.code).toBe(2);
    expect(dqn.stderr).toMatch(/tg4: error \[INVALID_ARGUMENT\]: --action-masks is for --agent ppo/);
    const cart = await tg4([
      'train',
      '--env',
      'CartPole-v1',
      '--agent',
      'ppo',
      '--action-masks',
      '--steps',
      '100',
      '--out',
      join(tmpdir(), 'never'),
    ]);
    expect(cart.code).toBe(2);
    expect(cart.stderr).toMatch(/tg4: error \[INVALID_ARGUMENT\].*mask/i);
  }, 120_000);
});
