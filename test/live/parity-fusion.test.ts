// The same signal fusion in `tg4 backtest` as in the live loop: a saved MLP gating the bot's EMA-9 trend flip (its own
// ATR stop/target), run by the paper live loop over real BTC/USD candles streamed by the local Kraken WS v2 server, and
// by `tg4 backtest --policy <model>,ema-trend-flip --fusion gate` (runBacktest through the one model runner and episode
// loop, the fusion built by the same fusedDecisionRef the command builds): same decisions, every fill, equity curve,
// equity.csv and metrics, bit for bit. Also: the command itself over the same range, and its flag errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../agents/common/backtest.ts';
import type { TradingDecision } from '../../agents/common/trading-episode.ts';
import type { FillLoggingTradingEnv } from '../../envs/trading/fill-log.ts';
import { loadBundled } from '../../replay/index.ts';
import type { Fill } from '../../src/execution/types.ts';
import type { ClosedBar } from '../../src/live/candle-series.ts';
import { fusedDecisionRef, fusePolicies, parseFusionFlags } from '../../src/live/fusion.ts';
import type { Decision } from '../../src/live/lane.ts';
import { liveTradingSetup } from '../../src/live/live-config.ts';
import { LiveLoop } from '../../src/live/loop.ts';
import { resolvePolicy } from '../../src/live/policy.ts';
import { serverCandle, signedFills, waitFor } from './helpers.ts';
import { KrakenTestServer } from './kraken-server.ts';
import { saveRandomMlp } from './model-fixture.ts';

const SYMBOL = 'BTC/USD';
const A = 22_000;
const N = 250;
const KWARGS = { executor: { maxHoldBars: 36, rolloverRate: 0.0002 }, cooldownBars: 1 };
const frame = loadBundled({ symbol: SYMBOL, timeframe: '1h' });
const iso = (ms: number): string => new Date(ms).toISOString();
const range = `${iso(frame.time[A]!)}..${iso(frame.time[A + N]!)}`;

describe('tg4 backtest --fusion == the paper live loop with the same fusion', () => {
  let server: KrakenTestServer;
  let loop: LiveLoop;
  let dir: string;
  let model: string;
  const decisions: Decision[] = [];
  const closed: ClosedBar[] = [];
  const fills: Fill[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tg4-parity-fusion-'));
    model = join(dir, 'mlp', 'v0001');
    const setup = liveTradingSetup(KWARGS, '1h');
    saveRandomMlp(model, { obsSize: setup.obsSize, nActions: 3, specHash: setup.specHash, envKwargs: KWARGS, seed: 7 });
    server = await new KrakenTestServer().start();
    const flags = parseFusionFlags([model, 'ema-trend-flip'], 'gate')!;
    loop = await LiveLoop.create({
      symbols: [SYMBOL],
      timeframe: '1h',
      kwargs: KWARGS,
      // What `tg4 live --policy <model>,ema-trend-flip --fusion gate` builds.
      policies: [
        (ctx) =>
          fusePolicies(
            flags.mode,
            [model, 'ema-trend-flip'].map((s) => resolvePolicy(s, ctx)),
            ctx.scheme,
          ),
      ],
      wsUrl: server.url,
      bookDepth: 0,
      keepTrades: 0,
      graceMs: Number.POSITIVE_INFINITY,
      staleAfterMs: 0,
      backoff: { initialMs: 20 },
      warmup: { source: 'bundled', until: frame.time[A]! },
      onDecision: (d) => decisions.push(d),
      onBar: (b) => closed.push(b),
    });
    loop.lanes.get(SYMBOL)!.executor.onEvent((e) => {
      if (e.type === 'fill') fills.push(e.fill);
    });
    await loop.start();
    for (let k = A; k <= A + N; k++) if (!frame.filled![k]) server.ohlc(serverCandle(frame, k));
    await waitFor(() => closed.length === N, `${N} closed bars`, 30_000);
  }, 120_000);

  afterAll(async () => {
    await loop?.stop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decisions, fills, equity, equity.csv and metrics, bit for bit', async () => {
    const ref = fusedDecisionRef([model, 'ema-trend-flip'], { mode: 'gate' }, (s, ctx) => resolvePolicy(s, ctx));
    expect(ref.executor).toEqual({ atrPeriod: 14, stopLossAtr: 1.5, takeProfitAtr: 3 }); // the trend flip's own exits
    // Record what the backtest's episode loop decides and the fills its (fill-logging) env books.
    const actions: number[] = [];
    let env: FillLoggingTradingEnv | null = null;
    const out = join(dir, 'bt');
    const res = await runBacktest({
      policy: model,
      data: 'bundled',
      symbol: SYMBOL,
      timeframe: '1h',
      range,
      out,
      compare: ['ema-trend-flip'],
      kwargs: KWARGS,
      decision: {
        ...ref,
        decision: (e): TradingDecision => {
          env = e as FillLoggingTradingEnv;
          const d = ref.decision(e);
          return (obs, en) => {
            const a = d(obs, en) as number;
            actions.push(a);
            return a;
          };
        },
      },
    });
    expect(res.runs[0]!.name).toBe('gate(mlp-v0001+ema-trend-flip)');
    // The model's own executor and cooldown (only where the data comes from is given: the fixture records none).
    expect(res.overridden.map((o) => o.key).sort()).toEqual(['data', 'symbol', 'timeframe']);
    expect(actions.length).toBe(N - 1);
    expect(decisions.slice(0, N - 1).map((d) => d.action)).toEqual(actions);
    // The gate mattered: it let some of the baseline's trades through and blocked others.
    expect(new Set(actions).size).toBeGreaterThan(1);
    expect(res.runs[1]!.metrics.totalTrades).not.toBe(res.runs[0]!.metrics.totalTrades);
    const bt = env!.fills.map((f) => ({ qty: f.qty, price: f.price, fee: f.fee, reason: f.reason, time: f.time }));
    const live = signedFills(fills);
    expect(live.length).toBeGreaterThan(3);
    expect(new Set(live.map((f) => f.reason)).size).toBe(3); // orders, and the baseline's stop-loss and take-profit
    expect(live).toEqual(bt);
    const p = loop.lanes.get(SYMBOL)!.executor.portfolios()[0]!;
    expect(Array.from(p.equityHistory.time)).toEqual(Array.from(res.runs[0]!.time));
    expect(Array.from(p.equityHistory.equity)).toEqual(Array.from(res.runs[0]!.equity));
    const csv = readFileSync(join(out, 'equity.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[1]));
    expect(csv).toEqual(Array.from(p.equityHistory.equity));
    const m = res.runs[0]!.metrics;
    const pm = p.metrics();
    for (const k of ['equity', 'totalReturnPct', 'maxDrawdown', 'sharpe', 'totalTrades', 'feesPaid'] as const)
      expect([k, pm[k]]).toEqual([k, m[k]]);
  });

  it('the command: tg4 backtest --policy <model>,ema-trend-flip --fusion gate gives the live equity', () => {
    const out = join(dir, 'cli');
    const r = spawnSync(
      process.execPath,
      [
        'bin/tg4.js',
        'backtest',
        '--policy',
        `${model},ema-trend-flip`,
        '--fusion',
        'gate',
        '--data',
        'bundled',
        '--range',
        range,
        '--compare',
        'none',
        '--kwargs',
        JSON.stringify(KWARGS),
        '--out',
        out,
        '--json',
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { runs: { name: string; metrics: { equity: number } }[] };
    expect(j.runs[0]!.name).toBe('gate(mlp-v0001+ema-trend-flip)');
    expect(j.runs[0]!.metrics.equity).toBe(loop.lanes.get(SYMBOL)!.executor.portfolios()[0]!.metrics().equity);
  }, 60_000);

  it('flag errors: several policies without --fusion, a bad mode, weights that do not fit', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/tg4.js', 'backtest', '--out', join(dir, 'x'), ...args], { encoding: 'utf8' });
    expect(run('--policy', 'ema-trend-flip,buy-and-hold').stderr).toMatch(/fuse them with --fusion/);
    expect(run('--policy', 'ema-trend-flip,buy-and-hold', '--fusion', 'vote').stderr).toMatch(
      /--fusion 'vote' is not one of alone, gate, size, weight/,
    );
    expect(run('--policy', 'ema-trend-flip,buy-and-hold', '--fusion', 'weight', '--weights', '1').stderr).toMatch(
      /gives 1 weights for 2 policies/,
    );
    expect(() => parseFusionFlags(['a'], undefined, '1')).toThrow(/--weights goes with --fusion weight/);
    expect(() => parseFusionFlags(['a', 'b'], 'gate', '1,2')).toThrow(/not 'gate'/);
    expect(parseFusionFlags(['a', 'b'], 'weight', '2, 1')).toEqual({ mode: 'weight', weights: [2, 1] });
  }, 60_000);
});
