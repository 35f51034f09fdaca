// `tg4 dashboard` as a user runs it: prints where it serves, answers there, and refuses a non-loopback bind without
// a token with a typed error that says what to do.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(process.cwd(), 'bin', 'tg4.js');
const root = mkdtempSync(join(tmpdir(), 'tg4-dash-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('tg4 dashboard', () => {
  it('serves on loopback at the printed URL and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'dashboard', '--port', '0', '--root', root], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
      });
      const res = await fetch(`${url}api/panels`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { name: string }[]).map((p) => p.name)).toEqual([
        'runs',
        'backtests',
        'registry',
        'live',
      ]);
      const page = await (await fetch(url)).text();
      expect(page).toContain('<script src="/vendor/lightweight-charts.js">');
      expect((await fetch(`${url}vendor/uplot.js`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
  });

  it('refuses a non-loopback bind without a token', () => {
    const r = spawnSync(process.execPath, [BIN, 'dashboard', '--host', '0.0.0.0', '--port', '0', '--root', root], {
      encoding: 'utf8',
      env: { ...process.env, TG4_DASHBOARD_TOKEN: '' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/tg4: error \[INVALID_ARGUMENT\]: binding 0\.0\.0\.0 .*--token/);
  });
});
