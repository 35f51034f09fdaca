// What the dashboard refuses, over real HTTP and WebSocket: paths out of its folders (literal, encoded, through a
// symlink), files that are not reports, foreign Host headers and origins, and any non-loopback bind without a token.
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.ts';

const root = mkdtempSync(join(tmpdir(), 'tg4-dash-srv-'));
const outside = mkdtempSync(join(tmpdir(), 'tg4-dash-outside-'));
const SECRET = 'outside-secret-7f3a9c';
let dash: Dashboard;

/** A GET with the path sent exactly as written (no client-side normalisation of '..'). */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const run = join(root, 'models', 'ppo-CartPole-v1', 'v0001');
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'metrics.jsonl'), '{"steps":1,"meanReturn":2,"losses":{}}\n');
  writeFileSync(join(run, 'weights.bin'), 'weights');
  mkdirSync(join(root, 'reports'), { recursive: true });
  writeFileSync(join(root, 'secret.txt'), SECRET);
  writeFileSync(join(outside, 'secret.txt'), SECRET);
  symlinkSync(outside, join(root, 'models', 'escape'));
  symlinkSync(join(root, 'secret.txt'), join(root, 'reports', 'link.txt'));
  dash = await startDashboard({ root, port: 0 });
});

afterAll(async () => {
  await dash?.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('dashboard server', () => {
  it('serves the run folder files it should', async () => {
    const r = await get(dash.port, '/files/models/ppo-CartPole-v1/v0001/metrics.jsonl');
    expect(r.status).toBe(200);
    expect(r.body).toContain('"steps":1');
    const api = await get(dash.port, '/api/runs/ppo-CartPole-v1/v0001');
    expect(api.status).toBe(200);
    expect(JSON.parse(api.body).points).toEqual([{ steps: 1, meanReturn: 2, losses: {} }]);
  });

  it.each([
    '/files/models/../secret.txt',
    '/files/models/%2e%2e/secret.txt',
    '/files/models/..%2fsecret.txt',
    '/files/models/ppo-CartPole-v1/..%2f..%2f..%2fsecret.txt',
    '/files/reports/..%5csecret.txt',
    '/files/models/%2fetc%2fpasswd',
    '/files/models/escape/secret.txt',
    '/files/reports/link.txt',
    '/files/models/ppo-CartPole-v1/v0001/weights.bin',
    '/api/runs/..%2f..%2fsecret/v0001',
    '/api/backtests/reports/..%2f..',
  ])('refuses %s', async (path) => {
    const r = await get(dash.port, path);
    expect([400, 403, 404]).toContain(r.status);
    expect(r.status).not.toBe(200);
    expect(r.body).not.toContain(SECRET);
    expect(r.body).not.toContain(outside);
  });

  it('path traversal is answered 403 with a reason, not 404', async () => {
    for (const path of [
      '/files/models/../secret.txt',
      '/files/models/%2e%2e/secret.txt',
      '/files/models/escape/secret.txt',
    ]) {
      const r = await get(dash.port, path);
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body).error.message).toMatch(/^refused: /);
    }
  });

  it('refuses a foreign Host header on loopback (DNS rebinding) and a foreign WebSocket origin', async () => {
    expect((await get(dash.port, '/api/runs', { host: 'evil.example' })).status).toBe(403);
    const refused = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${dash.port}/ws`, { origin: 'http://evil.example' });
      ws.on('open', () => resolve(false));
      ws.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('a non-loopback bind needs a token, and then every request carries it', async () => {
    await expect(startDashboard({ root, port: 0, host: '0.0.0.0' })).rejects.toThrow(/--token/);
    await expect(startDashboard({ root, port: 0, host: '0.0.0.0', token: 'short' })).rejects.toThrow(/16 characters/);
    const token = 'a-long-enough-test-token';
    const d = await startDashboard({ root, port: 0, host: '0.0.0.0', token });
    try {
      expect((await get(d.port, '/api/runs')).status).toBe(401);
      expect((await get(d.port, '/api/runs?token=wrong-token-of-some-length')).status).toBe(401);
      const first = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
        request({ host: '127.0.0.1', port: d.port, path: `/?token=${token}` }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]! });
        })
          .on('error', reject)
          .end();
      });
      expect(first.status).toBe(200);
      expect((await get(d.port, '/api/runs', { cookie: first.cookie })).status).toBe(200);
      expect((await get(d.port, '/api/runs', { authorization: `Bearer ${token}` })).status).toBe(200);
      expect(d.url).toContain(`?token=${token}`);
    } finally {
      await d.close();
    }
  });

  it('ws: a bad message gets an error reply; a subscription gets the run points', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${dash.port}/ws`);
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Record<string, unknown>));
    await new Promise((r) => ws.on('open', r));
    ws.send('not json');
    ws.send(JSON.stringify({ op: 'subscribe', source: 'runs', id: '../../x/v0001' }));
    ws.send(JSON.stringify({ op: 'subscribe', source: 'runs', id: 'ppo-CartPole-v1/v0001' }));
    const t0 = Date.now();
    while (messages.length < 3 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    ws.close();
    expect(messages[0]!['type']).toBe('error');
    expect(messages[1]!['type']).toBe('error');
    expect(messages[2]).toMatchObject({
      type: 'points',
      reset: true,
      points: [{ steps: 1, meanReturn: 2, losses: {} }],
    });
  });
});
