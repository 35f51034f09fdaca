// `tg4 policy serve` and the bot's plugin: the PolicyServer over real ZeroMQ answers hello / act / signal; the Python
// strategy module (agents/python/tg4gym/strategy.py, run by Debian's python3 with pyzmq and msgpack) sends closed
// bars and gets the same decisions the live loop takes on the same bars; a registry-style hot swap changes the policy
// between two requests with no bar lost; a dead server gives a hold, never a trade.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zmq from 'zeromq';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBundled } from '../../replay/index.ts';
import { decodeMessage, encodeMessage } from '../../src/server/protocol/codec.ts';
import type { Decision } from '../../src/live/lane.ts';
import { liveTradingSetup } from '../../src/live/live-config.ts';
import { LiveLoop } from '../../src/live/loop.ts';
import { PolicyServer } from '../../src/live/policy-server.ts';
import {
  baselinePolicy,
  modelPolicy,
  resolvePolicy,
  type LivePolicy,
  type PolicyContext,
} from '../../src/live/policy.ts';
import { feedBars } from './helpers.ts';
import { saveRandomMlp } from './model-fixture.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PYTHON = process.env.TG4_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const frame = loadBundled({ symbol: 'BTC/USD', timeframe: '1h' });
const A = 23_000;
const N = 60;
const bar = (k: number): number[] => [
  frame.time[k]!,
  frame.open[k]!,
  frame.high[k]!,
  frame.low[k]!,
  frame.close[k]!,
  frame.volume[k]!,
];

async function ask(endpoint: string, msg: unknown): Promise<Record<string, unknown>> {
  const s = new zmq.Request({ linger: 0, receiveTimeout: 5000 });
  s.connect(endpoint);
  await s.send(encodeMessage(msg));
  const [r] = await s.receive();
  s.close();
  return decodeMessage(r!) as Record<string, unknown>;
}

/** The live loop's decisions over the same bars (15,000 bars of warm-up to A, then bars A..A+N as Kraken ohlc messages). */
async function loopDecisions(policy: (ctx: PolicyContext) => LivePolicy): Promise<Decision[]> {
  const out: Decision[] = [];
  const loop = await LiveLoop.create({
    symbols: ['BTC/USD'],
    timeframe: '1h',
    policies: [policy],
    bookDepth: 0,
    keepTrades: 0,
    warmup: { source: 'bundled', until: frame.time[A]!, maxBars: 15_000 },
    onDecision: (d) => out.push(d),
  });
  feedBars(loop, frame, A, A + N);
  await loop.stop();
  return out;
}

describe('tg4 policy serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg4-policy-serve-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers hello and act for a saved MLP, refuses bad input clearly, binds loopback only', async () => {
    const setup = liveTradingSetup({}, '1h');
    saveRandomMlp(join(dir, 'm'), {
      obsSize: setup.obsSize,
      nActions: 3,
      specHash: setup.specHash,
      envKwargs: {},
      seed: 5,
    });
    expect(
      () =>
        new PolicyServer({
          bind: 'tcp://0.0.0.0:5999',
          timeframe: '1h',
          policy: (ctx) => modelPolicy(join(dir, 'm'), ctx),
        }),
    ).toThrow(/loopback/);
    const server = new PolicyServer({
      bind: 'tcp://127.0.0.1:*',
      timeframe: '1h',
      policy: (ctx) => modelPolicy(join(dir, 'm'), ctx, 'mlp'),
    });
    await server.start();
    try {
      const hello = await ask(server.endpoint, { op: 'hello' });
      expect(hello).toMatchObject({
        ok: true,
        protocol: 'tg4-policy/1',
        policy: 'mlp',
        obs_size: setup.obsSize,
        spec_hash: setup.specHash,
      });
      const obs = Float32Array.from({ length: setup.obsSize }, (_, i) => Math.sin(i));
      const a = await ask(server.endpoint, { op: 'act', obs: new Uint8Array(obs.buffer) });
      const direct = modelPolicy(join(dir, 'm'), server.ctx).decide({
        obs,
        history: () => frame,
        t: 0,
        exposure: 0,
        mask: null,
      });
      expect(a).toMatchObject({ ok: true, action: direct });
      const bad = await ask(server.endpoint, { op: 'act', obs: [1, 2, 3] });
      expect(bad).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
      expect(String(bad.error)).toMatch(new RegExp(`${setup.obsSize} float32`));
      expect(await ask(server.endpoint, { op: 'launch' })).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
      expect(
        await ask(server.endpoint, { op: 'signal', symbol: 'BTC/USD', bars: [[1, -1, 1, 1, 1, 1]] }),
      ).toMatchObject({ ok: false });
    } finally {
      server.close();
    }
  });

  it("the bot plugin (Python) gets the live loop's decisions on the same bars; a dead server is a hold", async () => {
    const server = new PolicyServer({
      bind: 'tcp://127.0.0.1:*',
      timeframe: '1h',
      policy: (ctx) => baselinePolicy('ema-trend-flip', ctx),
    });
    await server.start();
    const bars = Array.from({ length: A + N + 1 }, (_, k) => bar(k)).filter(
      (_, k) => !frame.filled![k] && k >= A - 15_000,
    );
    const file = join(dir, 'bars.json');
    writeFileSync(
      file,
      JSON.stringify({
        warm: bars.filter((b) => b[0]! <= frame.time[A]!),
        live: bars.filter((b) => b[0]! > frame.time[A]!),
      }),
    );
    const script = `
import json, sys
from tg4gym import strategy
d = json.load(open(sys.argv[1]))
cfg = {"address": sys.argv[2], "timeout_ms": 10000, "max_bars": 100000}
state = {}
hist = d["warm"]
out = [strategy.generate_signal(hist, cfg, state)]
for b in d["live"]:
    hist.append(b)
    out.append(strategy.generate_signal([{"time": x[0], "open": x[1], "high": x[2], "low": x[3], "close": x[4], "volume": x[5]} for x in hist[-50:]], cfg, state))
dead = strategy.generate_signal(hist, {"address": "tcp://127.0.0.1:1", "timeout_ms": 200}, {})
print(json.dumps({"signals": out, "dead": dead}))
`;
    // Asynchronous: the server answers from this process's event loop.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(PYTHON, ['-c', script, file, server.endpoint], {
        env: { ...process.env, PYTHONPATH: join(ROOT, 'agents', 'python'), PYTHONDONTWRITEBYTECODE: '1' },
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      p.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      p.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    server.close();
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const res = JSON.parse(r.stdout) as {
      signals: {
        action: string;
        price: number;
        stop_loss: number | null;
        metadata: { target_exposure: number; bar_time: number };
      }[];
      dead: { action: string; error: string };
    };
    const ref = await loopDecisions((ctx) => baselinePolicy('ema-trend-flip', ctx));
    // The first signal is the decision at bar A; then one per live bar (A+1 … A+N, gaps filled as the loop fills them).
    const times = res.signals.map((s) => s.metadata.bar_time);
    const targets = res.signals.map((s) => s.metadata.target_exposure);
    const refByTime = new Map(ref.map((d) => [d.time, d.target]));
    // (The loop never closes bar A+N: no later update comes. The plugin sends it as closed.)
    for (let i = 0; i < times.length - 1; i++)
      expect([times[i], targets[i]]).toEqual([times[i], refByTime.get(times[i]!)]);
    expect(times.at(-1)).toBe(frame.time[A + N]);
    expect(times.length).toBeGreaterThan(N - 5);
    expect(new Set(res.signals.map((s) => s.action)).size).toBeGreaterThan(1);
    const entry = res.signals.find((s) => s.action === 'buy' || s.action === 'sell');
    expect(entry?.stop_loss).toBeGreaterThan(0); // the trend flip's ATR stop comes with the signal
    expect(res.dead.action).toBe('hold');
    expect(res.dead.error).toMatch(/policy server/);
  }, 120_000);

  it('hot swap: a new policy takes over between two requests, the bars and the portfolio go on', async () => {
    let swap: ((ctx: PolicyContext) => LivePolicy) | null = null;
    const server = new PolicyServer({
      bind: 'tcp://127.0.0.1:*',
      timeframe: '1h',
      policy: (ctx) => baselinePolicy('buy-and-hold', ctx),
      reload: () => {
        const s = swap;
        swap = null;
        return s;
      },
      reloadEveryMs: 1,
    });
    await server.start();
    try {
      const r1 = await ask(server.endpoint, {
        op: 'signal',
        symbol: 'BTC/USD',
        bars: Array.from({ length: 15_001 }, (_, k) => bar(A - 15_000 + k)),
      });
      expect(r1).toMatchObject({ ok: true, policy: 'buy-and-hold', target: 1, ready: true });
      swap = (ctx) => ({ ...baselinePolicy('buy-and-hold', ctx), name: 'flat', decide: () => 1 });
      await new Promise((r) => setTimeout(r, 5));
      const r2 = await ask(server.endpoint, { op: 'signal', symbol: 'BTC/USD', bars: [bar(A + 1)] });
      expect(r2).toMatchObject({ ok: true, policy: 'flat', target: 0, bar_time: frame.time[A + 1] });
      expect(server.stats.swaps).toBe(1);
    } finally {
      server.close();
    }
  });

  it('a remote policy (the live loop asking tg4 policy serve over ZeroMQ) decides as the same model run locally; a dead server holds', async () => {
    const setup = liveTradingSetup({}, '1h');
    saveRandomMlp(join(dir, 'r'), {
      obsSize: setup.obsSize,
      nActions: 3,
      specHash: setup.specHash,
      envKwargs: {},
      seed: 3,
    });
    const server = new PolicyServer({
      bind: 'tcp://127.0.0.1:*',
      timeframe: '1h',
      policy: (ctx) => modelPolicy(join(dir, 'r'), ctx, 'served'),
    });
    await server.start();
    const decisions: Decision[] = [];
    const loop = await LiveLoop.create({
      symbols: ['BTC/USD'],
      timeframe: '1h',
      policies: [
        (ctx) => ({ ...resolvePolicy(server.endpoint, ctx), name: 'remote' }),
        (ctx) => modelPolicy(join(dir, 'r'), ctx, 'local'),
      ],
      bookDepth: 0,
      keepTrades: 0,
      warmup: { source: 'bundled', until: frame.time[A]! },
      onDecision: (d) => decisions.push(d),
    });
    const lane = loop.lanes.get('BTC/USD')!;
    feedBars(loop, frame, A, A + 30);
    await lane.idle();
    const remote = decisions.filter((d) => d.policy === 'remote');
    const local = decisions.filter((d) => d.policy === 'local');
    expect(remote.length).toBe(30);
    expect(remote.map((d) => [d.time, d.action])).toEqual(local.map((d) => [d.time, d.action]));
    expect(new Set(remote.map((d) => d.action)).size).toBeGreaterThan(1);
    // The server goes away: the remote policy times out, its position is held, bars go on.
    server.close();
    lane.policies[0]!.close?.();
    const before = lane.decisions;
    const t0 = Date.now();
    feedBars(loop, frame, A + 31, A + 31);
    await lane.idle();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500); // waited for the 2 s timeout, not forever
    expect(lane.decisions - before).toBe(1); // only the local policy decided
    expect(Number.isNaN(lane.traders[0]!.pending)).toBe(true);
    await loop.stop();
  }, 30_000);
});
