// The test venv of scripts/setup/python-venv.sh (run by `npm test` before vitest): where it is, a check that says how
// to fix a missing one (not a skip: without it the real-library tests did not run), and unittest runs inside it from
// test/python against real `tg4 serve` subprocesses that the Python side starts.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export const ROOT = join(import.meta.dirname, '..', '..');
const VENV = process.env.TG4_VENV ?? join(ROOT, '.venv-tg4');
const PYTHON = join(VENV, 'bin', 'python');

export function runUnittest(modules: string[], timeoutMs: number): { status: number | null; out: string } {
  const r = spawnSync(PYTHON, ['-m', 'unittest', '-v', ...modules], {
    cwd: join(ROOT, 'test', 'python'),
    encoding: 'utf8',
    env: {
      ...process.env,
      PYTHONPATH: join(ROOT, 'agents', 'python'),
      TG4_NODE: process.execPath,
      // Bytecode is written (the venv is installed with --no-compile: later runs reuse what the first compiled).
      // Ray: no usage report; torch: one thread, the two cores are shared with the servers.
      RAY_USAGE_STATS_ENABLED: '0',
      OMP_NUM_THREADS: '1',
    },
    timeout: timeoutMs,
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

export function expectVenv(): void {
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
