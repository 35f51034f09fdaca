// `tg4 live` as a user runs it, against the local Kraken server: a paper run over streamed real candles writes the
// bot's JSONL logs and exits cleanly on --duration with no order sent; --live without keys, or without the typed
// confirmation, stops before any connection.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundled } from '../../replay/index.ts';
import { serverCandle } from './helpers.ts';
import { KrakenTestServer } from './kraken-server.ts';

const frame = loadBundled({ symbol: 'BTC/USD', timeframe: '1h' });
const A = 21_000;

/** Runs `tg4 <args>`; `onStderr` sees stderr as it grows (and may signal the child). */
function tg4(
  args: string[],
  env: Record<string, string> = {},
  onStderr?: (text: string, child: ChildProcess) => void,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/tg4.js', ...args], {
      env: { ...process.env, KRAKEN_API_KEY: '', KRAKEN_API_SECRET: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, p);
    });
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('tg4 live', () => {
  let server: KrakenTestServer;
  let dir: string;
  beforeAll(async () => {
    server = await new KrakenTestServer().start();
    dir = mkdtempSync(join(tmpdir(), 'tg4-cli-live-'));
    // The server's ohlc snapshot carries 60 real bars; the run warms up on the bars before them.
    for (let k = A; k < A + 60; k++) server.ohlc(serverCandle(frame, k));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('paper: decides on every closed bar of the snapshot, logs in the bot layout, stops cleanly, sends no order', async () => {
    const out = join(dir, 'paper');
    const r = await tg4([
      'live',
      '--policy',
      'ema-trend-flip,buy-and-hold',
      '--symbols',
      'BTC/USD',
      '--timeframe',
      '1h',
      '--ws-url',
      server.url,
      '--warmup',
      'bundled',
      '--warmup-until',
      new Date(frame.time[A]!).toISOString(),
      '--out',
      out,
      '--duration',
      '3',
      '--status-every',
      '500',
      '--bar-timer',
      'off',
    ]);
    expect(r.stderr).toMatch(/tg4 live: paper on ws:\/\/127\.0\.0\.1/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--duration 3 s reached: stopping/);
    expect(r.stderr).toMatch(/BTC\/USD .*ema-trend-flip: pos .* eq .*buy-and-hold: pos/);
    const strategies = readdirSync(join(out, 'strategies'));
    expect(strategies.some((f) => f.startsWith('ema-trend-flip-BTC_USD-'))).toBe(true);
    // One file per UTC day of the bars' times (59 hourly bars span three days).
    const signals = strategies
      .filter((f) => f.startsWith('buy-and-hold-BTC_USD-'))
      .sort()
      .flatMap((f) =>
        readFileSync(join(out, 'strategies', f), 'utf8')
          .trim()
          .split('\n'),
      )
      .map((l) => JSON.parse(l) as { event_type: string; signal?: { action: string } });
    // 59 closed bars (the 60th is still open): 59 decisions; buy-and-hold buys once, then holds.
    expect(signals.filter((s) => s.event_type === 'signal').length).toBe(59);
    expect(signals[0]!.signal!.action).toBe('buy');
    expect(existsSync(join(out, 'trades'))).toBe(true);
    expect(server.counts.addOrder + server.counts.tokenCalls).toBe(0);
  }, 60_000);

  it('Ctrl-C (SIGINT) stops cleanly with exit 0 and the final status', async () => {
    const out = join(dir, 'sigint');
    let sent = false;
    const { code, stderr } = await tg4(
      [
        'live',
        '--policy',
        'buy-and-hold',
        '--timeframe',
        '1h',
        '--ws-url',
        server.url,
        '--warmup',
        'none',
        '--out',
        out,
        '--no-status',
      ],
      {},
      (text, child) => {
        if (!sent && text.includes('tg4 live: paper on')) {
          sent = true; // once: a second Ctrl-C means "exit now"
          child.kill('SIGINT');
        }
      },
    );
    expect(stderr, stderr).toMatch(/interrupted: stopping/);
    expect(code).toBe(0);
    expect(readdirSync(join(out, 'system')).length).toBeGreaterThan(0);
  }, 60_000);

  it('--live without keys, or without the typed confirmation, stops before any connection', async () => {
    const before = server.counts.connections;
    const base = [
      'live',
      '--live',
      '--policy',
      'buy-and-hold',
      '--timeframe',
      '1h',
      '--ws-url',
      server.url,
      '--ws-auth-url',
      server.url,
      '--rest-url',
      server.restUrl,
      '--warmup',
      'none',
      '--out',
      join(dir, 'x'),
    ];
    const noKeys = await tg4(base);
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toMatch(/KRAKEN_API_KEY and KRAKEN_API_SECRET/);
    const noConfirm = await tg4(base, { KRAKEN_API_KEY: server.apiKey, KRAKEN_API_SECRET: server.apiSecret });
    expect(noConfirm.code).toBe(2);
    expect(noConfirm.stderr).toMatch(/typed confirmation/);
    const wrong = await tg4(base, {
      KRAKEN_API_KEY: server.apiKey,
      KRAKEN_API_SECRET: server.apiSecret,
      TG4_LIVE_CONFIRMATION: 'yes',
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/did not match/);
    const paperExits = await tg4(['live', ...base.slice(2), '--exchange-exits']);
    expect(paperExits.code).toBe(2);
    expect(paperExits.stderr).toMatch(/--exchange-exits rests orders on the exchange: it goes with --live/);
    expect(server.counts.connections).toBe(before);
    expect(server.counts.tokenCalls + server.counts.addOrder).toBe(0);
  }, 60_000);
});
