// Run folders for the dashboard's tests, made by the real `tg4 train` (a child process, as a user runs it).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const BIN = join(process.cwd(), 'bin', 'tg4.js');

/** Starts `tg4 train` of PPO on CartPole-v1 writing into `out`; resolves the child and a promise of its exit. */
export function startTraining(out: string, steps: number): { child: ChildProcess; done: Promise<void> } {
  const child = spawn(
    process.execPath,
    [BIN, 'train', '--env', 'CartPole-v1', '--agent', 'ppo', '--steps', String(steps), '--seed', '0', '--out', out],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`tg4 train exited ${code ?? signal}: ${stderr.slice(-2000)}`)),
    );
  });
  return { child, done };
}

/** The records of a metrics.jsonl, as the run wrote them. */
export function metricsLines(dir: string): Record<string, unknown>[] {
  const p = join(dir, 'metrics.jsonl');
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
