// Runs tg4gym's tests against the real Gymnasium, Stable-Baselines3, sb3-contrib and Ray RLlib (torch from Debian) in
// the venv that scripts/setup/python-venv.sh builds (run by `npm test` before vitest), against real `tg4 serve`
// subprocesses that the Python side starts: test/python/test_real_libraries.py and test/python/test_rllib.py.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const VENV = process.env.TG4_VENV ?? join(ROOT, '.venv-tg4');
const PYTHON = join(VENV, 'bin', 'python');

function runUnittest(modules: string[], timeoutMs: number): { status: number | null; out: string } {
  const r = spawnSync(PYTHON, ['-m', 'unittest', '-v', ...modules], {
    cwd: join(ROOT, 'test', 'python'),
    encoding: 'utf8',
    env: {
      ...process.env,
      PYTHONPATH: join(ROOT, 'agents', 'python'),
      TG4_NODE: process.execPath,
      PYTHONDONTWRITEBYTECODE: '1',
      // Ray: no dashboard, no usage report, no log spam; torch: the two cores are shared with the servers.
      RAY_USAGE_STATS_ENABLED: '0',
      OMP_NUM_THREADS: '1',
    },
    timeout: timeoutMs,
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

function expectVenv(): void {
  // Not a skip: without the venv the real-library tests did not run, so say how to fix it.
  expect(existsSync(PYTHON), `${PYTHON} is missing: run \`bash scripts/setup/python-venv.sh\``).toBe(true);
  const probe = spawnSync(PYTHON, ['-c', 'import torch, gymnasium, stable_baselines3, sb3_contrib, ray'], {
    encoding: 'utf8',
  });
  expect(
    probe.status,
    `the venv cannot import its libraries: rerun scripts/setup/python-venv.sh (${probe.stderr})`,
  ).toBe(0);
}

describe('tg4gym with the real Gymnasium, SB3 and sb3-contrib', () => {
  it('passes the checkers, learns with PPO, masks with MaskablePPO, wraps with VecMonitor/VecNormalize', () => {
    expectVenv();
    // test_protocol's adapter tests, skipped under Debian's python3 (no Gymnasium there), run here.
    const r = runUnittest(['test_real_libraries', 'test_protocol'], 420_000);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/\nOK/);
    // Exit 0 and OK mean every test that ran passed; these say the ones that matter ran, and nothing was skipped.
    for (const name of [
      'test_ppo_over_the_wire_learns_cartpole',
      'test_checkers_refuse_a_broken_env',
      'test_maskable_ppo_reads_action_masks',
    ])
      expect(r.out).toContain(`${name} (`);
    expect(r.out).not.toMatch(/skipped/);
  }, 440_000);
});

describe('tg4gym with Ray RLlib', () => {
  it('trains a tiny PPO whose env runners spread their envs over two tg4 servers', () => {
    expectVenv();
    const r = runUnittest(['test_rllib'], 300_000);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/\nOK/);
    expect(r.out).toContain('test_tiny_ppo_over_two_servers (');
  }, 320_000);
});
