// `npm run bench` entry of scripts/bench/rllib.py: Ray RLlib env runners over one vs two `tg4 serve` processes, the
// ratio of env steps/s against the one-server baseline of the same run. It runs in the test venv that
// scripts/setup/python-venv.sh builds (Ray, torch); TG4_BENCH_* variables pass through (see rllib.py).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const python = join(process.env.TG4_VENV ?? join(ROOT, '.venv-tg4'), 'bin', 'python');
if (!existsSync(python)) {
  process.stderr.write(`rllib bench: ${python} is missing: run \`bash scripts/setup/python-venv.sh\` first\n`);
  process.exit(1);
}
const r = spawnSync(python, [join(ROOT, 'scripts', 'bench', 'rllib.py')], {
  cwd: ROOT,
  encoding: 'utf8',
  env: { ...process.env, TG4_NODE: process.execPath, OMP_NUM_THREADS: '1', RAY_USAGE_STATS_ENABLED: '0' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
// Ray and RLlib log pages of warnings to stderr: show them only when the bench failed.
process.stdout.write(r.stdout.replace(/^RESULT .*\n?/m, ''));
if (r.status !== 0) {
  process.stderr.write(r.stderr);
  process.exit(r.status ?? 1);
}
