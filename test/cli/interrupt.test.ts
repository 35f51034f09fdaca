// Ctrl-C during `tg4 train` (issue 20, item 14): the real CLI is spawned and sent SIGINT mid-training. It must finish the
// current update, save a checkpoint marked partial that `tg4 eval` loads (with a warning), give the terminal back
// (cursor shown, line wrap on) and exit 130.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyModelFolder } from '../../agents/common/model-io.ts';
import { evalModel } from '../../src/cli/commands/eval.ts';
import { Interrupt, restoreTerminal } from '../../src/cli/interrupt.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TG4 = join(ROOT, 'bin', 'tg4.js');

function metricsLines(dir: string): number {
  const p = join(dir, 'metrics.jsonl');
  return existsSync(p)
    ? readFileSync(p, 'utf8')
        .split('\n')
        .filter((l) => l.length > 0).length
    : 0;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const trainArgs = (out: string): string[] => [
  'train',
  '--env',
  'CartPole-v1',
  '--agent',
  'ppo',
  '--steps',
  '5000000',
  '--eval-freq',
  '0',
  '--out',
  out,
];

describe('Ctrl-C during tg4 train', { timeout: 180_000 }, () => {
  it('saves a partial checkpoint that tg4 eval loads with a warning, and exits 130', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tg4-int-')), 'model');
    const child = spawn(process.execPath, [TG4, ...trainArgs(out), '--no-progress'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(() => metricsLines(out) >= 2, 120_000, 'training to start');
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping after the current update/);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.partial).toMatchObject({ reason: 'interrupted by SIGINT' });
    expect(m.partial.steps).toBeGreaterThan(0);
    expect(m.partial.steps).toBeLessThan(5_000_000);
    // The checkpoint is the state after the last finished update: its steps are the metrics' last line's.
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!).steps).toBe(m.partial.steps);
    expect(m.metrics.steps).toBe(m.partial.steps);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      expect(verifyModelFolder(out).manifest.partial?.steps).toBe(m.partial.steps);
      const r = await evalModel({ model: out, episodes: 2, seed: 1 });
      expect(r.returns).toHaveLength(2);
      await new Promise((r) => setImmediate(r));
      expect(warnings.some((w) => /partial checkpoint/.test(w))).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('under a terminal, gives the cursor and line wrap back after the progress bar', async () => {
    if (spawnSync('script', ['--version']).status !== 0) return; // util-linux's script gives the CLI a pty
    const out = join(mkdtempSync(join(tmpdir(), 'tg4-int-tty-')), 'model');
    // `exec`: whatever shell `script` runs the command with (bash, or dash under SHELL=/bin/sh) becomes the CLI itself,
    // so the pty's child is node and not a shell that would swallow the signal.
    const cmd = `exec ${[process.execPath, TG4, ...trainArgs(out)].map((a) => `'${a}'`).join(' ')}`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let tty = '';
    child.stdout.on('data', (d: Buffer) => {
      tty += d.toString('latin1');
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(() => metricsLines(out) >= 2 && tty.includes('\x1b[?25l'), 120_000, 'the progress bar');
    // Ctrl-C reaches the CLI itself (the pty's foreground process), not `script`.
    const node = Number(
      spawnSync('pgrep', ['-P', String(child.pid)])
        .stdout?.toString()
        .trim()
        .split('\n')[0],
    );
    expect(Number.isInteger(node) && node > 0, 'pgrep found the CLI under script').toBe(true);
    expect(readFileSync(`/proc/${node}/comm`, 'utf8').trim()).toBe('node');
    process.kill(node, 'SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    expect(tty.lastIndexOf('\x1b[?25h')).toBeGreaterThan(tty.lastIndexOf('\x1b[?25l'));
    if (tty.includes('\x1b[?7l')) expect(tty.lastIndexOf('\x1b[?7h')).toBeGreaterThan(tty.lastIndexOf('\x1b[?7l'));
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).partial).toBeDefined();
  });

  it('a second signal quits at once; restoreTerminal writes only to terminals', () => {
    const seen: string[] = [];
    const i = Interrupt.install({ onFirst: (s) => seen.push(`first ${s}`), onSecond: (s) => seen.push(`second ${s}`) });
    try {
      i.receive('SIGINT');
      expect([i.requested, i.reason]).toEqual([true, 'interrupted by SIGINT']);
      i.receive('SIGTERM');
      expect(seen).toEqual(['first SIGINT', 'second SIGTERM']);
    } finally {
      i.dispose();
    }
    const written: string[] = [];
    restoreTerminal({ isTTY: false, write: (s: string) => written.push(s) });
    restoreTerminal({ isTTY: true, write: (s: string) => written.push(s) });
    expect(written).toEqual(['\x1b[?25h\x1b[?7h']);
  });
});
