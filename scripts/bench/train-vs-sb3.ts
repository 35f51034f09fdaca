// Issue 19's learner comparison: the built-in PPO (CartPole-v1, rl-zoo preset, 100k steps) and DQN (rl-zoo preset, 50k
// steps) against SB3 + PyTorch (one thread) on the same presets, each timed as a whole process (start, train, final
// 20-episode deterministic evaluation; no periodic evaluations), ours and SB3's alternating in the same run. Prints
// wall and CPU time (user + system of the process, from /usr/bin/time) and the ratio ours / SB3 (aim: <= 1.0, with
// evaluation >= 475). SB3 runs in the test venv (scripts/setup/python-venv.sh); without it the bench says so and stops.
//   npx tsx scripts/bench/train-vs-sb3.ts [--ppo-only|--dqn-only] [--seed N] [--rounds N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const seed = opt('seed', 1);
const rounds = opt('rounds', 1);
const algos = (['ppo', 'dqn'] as const).filter((a) => !args.includes(a === 'ppo' ? '--dqn-only' : '--ppo-only'));
const python = process.env.TG4_PYTHON ?? join(ROOT, process.env.TG4_VENV ?? '.venv-tg4', 'bin', 'python');

interface Timed {
  wallS: number;
  cpuS: number;
  evalMean: number;
}

/** Runs a command under /usr/bin/time; its wall and CPU seconds, and the evaluation mean its output names. */
function timed(cmd: string[], evalOf: (stdout: string) => number): Timed {
  const dir = mkdtempSync(join(tmpdir(), 'tg4-train-vs-sb3-'));
  const timeFile = join(dir, 'time');
  const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S', ...cmd], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [wall, user, sys] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-3).map(Number);
  rmSync(dir, { recursive: true, force: true });
  return { wallS: wall!, cpuS: user! + sys!, evalMean: evalOf(r.stdout) };
}

function ours(algo: string): Timed {
  const out = mkdtempSync(join(tmpdir(), 'tg4-train-vs-sb3-model-'));
  try {
    return timed(
      [
        process.execPath,
        join(ROOT, 'bin', 'tg4.js'),
        'train',
        '--env',
        'CartPole-v1',
        '--agent',
        algo,
        '--seed',
        String(seed),
        '--eval-freq',
        '0',
        '--no-progress',
        '--out',
        join(out, 'm'),
      ],
      (s) => Number(/final deterministic eval: ([\d.]+)/.exec(s)?.[1] ?? Number.NaN),
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function sb3(algo: string): Timed {
  return timed([python, join(ROOT, 'scripts', 'bench', 'train_sb3.py'), algo, String(seed)], (s) => {
    const last = s.trim().split('\n').pop() ?? '{}';
    return Number((JSON.parse(last) as { eval_mean?: number }).eval_mean ?? Number.NaN);
  });
}

function main(): void {
  const ok =
    existsSync(python) &&
    spawnSync(python, ['-c', 'import torch, stable_baselines3'], { encoding: 'utf8' }).status === 0;
  if (!ok) {
    console.log(
      `train-vs-sb3: skipped, ${python} cannot import torch and stable_baselines3 (bash scripts/setup/python-venv.sh)`,
    );
    return;
  }
  console.log(
    `train-vs-sb3: CartPole-v1, rl-zoo presets, seed ${seed}, whole processes, ours and SB3 alternating; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${process.env.TG4_BENCH_MACHINE ?? 'this machine'}`,
  );
  for (const algo of algos) {
    for (let r = 0; r < rounds; r++) {
      const a = ours(algo);
      const b = sb3(algo);
      const steps = algo === 'ppo' ? '100k' : '50k';
      console.log(
        `  ${algo.toUpperCase()} ${steps} round ${r + 1}: ours ${a.wallS.toFixed(1)} s wall / ${a.cpuS.toFixed(1)} s CPU, eval ${a.evalMean.toFixed(1)}; SB3 + PyTorch (1 thread) ${b.wallS.toFixed(1)} s / ${b.cpuS.toFixed(1)} s, eval ${b.evalMean.toFixed(1)}; ours / SB3: ${(a.wallS / b.wallS).toFixed(2)}x wall, ${(a.cpuS / b.cpuS).toFixed(2)}x CPU (aim <= 1.0, eval >= 475)`,
      );
    }
  }
}

main();
