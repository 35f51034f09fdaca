// The parity guarantee: a paper run of the live loop over real Kraken candles (the bundled BTC/USD 1h data) streamed by
// the local Kraken WS v2 server — partial updates, a gap of intervals with no trade, and a connection dropped mid-stream
// — takes the same decisions, books the same fills and has the same equity, bit for bit, as `tg4 backtest` over the
// same bars. Checked for a baseline (the bot's EMA-9 trend flip) and a saved MLP policy, with ATR stops/targets, max-hold,
// rollover
// and a cooldown on.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineKwargs, createBaseline, toAction } from '../../agents/baselines/index.ts';
import { InferencePolicy } from '../../agents/infer/policy.ts';
import { runBacktest } from '../../agents/common/backtest.ts';
import { loadBundled } from '../../replay/index.ts';
import type { Fill } from '../../src/execution/types.ts';
import type { ClosedBar } from '../../src/live/candle-series.ts';
import type { Decision } from '../../src/live/lane.ts';
import { liveTradingSetup } from '../../src/live/live-config.ts';
import { LiveLoop } from '../../src/live/loop.ts';
import { baselinePolicy, modelPolicy } from '../../src/live/policy.ts';
import { backtestRun, signedFills, waitFor } from './helpers.ts';
import { KrakenTestServer } from './kraken-server.ts';
import { saveRandomMlp } from './model-fixture.ts';

const SYMBOL = 'BTC/USD';
const A = 22_000; // first live bar; bars 22198–22200 had no trade (a gap the live path must fill like the replay)
const N = 300; // live bars the backtest steps over
const KWARGS = {
  executor: { stopLossAtr: 2, takeProfitAtr: 3, maxHoldBars: 24, rolloverRate: 0.0002 },
  cooldownBars: 2,
};

const frame = loadBundled({ symbol: SYMBOL, timeframe: '1h' });
const iso = (ms: number): string => new Date(ms).toISOString();
const range = `${iso(frame.time[A]!)}..${iso(frame.time[A + N]!)}`;

describe('paper live loop == tg4 backtest over the same real candles', () => {
  let server: KrakenTestServer;
  let loop: LiveLoop;
  let dir: string;
  const decisions: Decision[] = [];
  const closed: ClosedBar[] = [];
  const fills = new Map<string, Fill[]>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tg4-live-parity-'));
    const setup = liveTradingSetup(KWARGS, '1h');
    saveRandomMlp(join(dir, 'mlp', 'v0001'), {
      obsSize: setup.obsSize,
      nActions: 3,
      specHash: setup.specHash,
      envKwargs: KWARGS,
      seed: 3,
    });
    server = await new KrakenTestServer().start();
    loop = await LiveLoop.create({
      symbols: [SYMBOL],
      timeframe: '1h',
      kwargs: KWARGS,
      policies: [
        (ctx) => baselinePolicy('ema-trend-flip', ctx),
        (ctx) => modelPolicy(join(dir, 'mlp', 'v0001'), ctx, 'mlp'),
      ],
      wsUrl: server.url,
      bookDepth: 0,
      keepTrades: 0,
      graceMs: Number.POSITIVE_INFINITY, // 2019 bars: the wall-clock timer must not close them
      staleAfterMs: 0,
      backoff: { initialMs: 20 },
      warmup: { source: 'bundled', until: frame.time[A]! },
      onDecision: (d) => decisions.push(d),
      onBar: (b) => closed.push(b),
    });
    const lane = loop.lanes.get(SYMBOL)!;
    lane.executor.onEvent((e) => {
      if (e.type !== 'fill') return;
      const l = fills.get(e.fill.portfolio) ?? [];
      l.push(e.fill);
      fills.set(e.fill.portfolio, l);
    });
    await loop.start();
    // Stream the real rows (Kraken sends no candle for an interval with no trade): a first partial update, then the
    // final one. Halfway, the connection drops; 5 bars go out while the client is away (it must recover them from the
    // ohlc snapshot on resubscribe without a duplicate).
    const send = (k: number): void => {
      if (frame.filled![k]) return;
      const base = { symbol: SYMBOL, interval: 60, time: frame.time[k]!, trades: frame.trades?.[k] ?? 1 };
      const o = frame.open[k]!;
      server.ohlc({ ...base, open: o, high: o, low: o, close: o, volume: frame.volume[k]! / 2 });
      server.ohlc({
        ...base,
        open: o,
        high: frame.high[k]!,
        low: frame.low[k]!,
        close: frame.close[k]!,
        volume: frame.volume[k]!,
      });
    };
    const half = A + 150;
    for (let k = A; k < half; k++) send(k);
    await waitFor(() => closed.length === half - 1 - A, 'the first half of the bars', 20_000);
    server.dropAll();
    await waitFor(() => !loop.client.connected, 'the drop');
    for (let k = half; k < half + 5; k++) send(k);
    await waitFor(
      () => loop.client.connected && closed.length === half + 4 - A,
      'the reconnect and the bars sent while away',
      20_000,
    );
    for (let k = half + 5; k <= A + N; k++) send(k);
    await waitFor(() => closed.length === N, `${N} closed bars`, 30_000);
  }, 120_000);

  afterAll(async () => {
    await loop?.stop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes every bar once, in order, across the drop (gaps filled as the replay fills them)', () => {
    expect(closed.length).toBe(N);
    for (let k = 0; k < N; k++) {
      expect(closed[k]!.time).toBe(frame.time[A + k]);
      expect([closed[k]!.open, closed[k]!.high, closed[k]!.low, closed[k]!.close, closed[k]!.volume]).toEqual([
        frame.open[A + k],
        frame.high[A + k],
        frame.low[A + k],
        frame.close[A + k],
        frame.volume[A + k],
      ]);
      expect(closed[k]!.filled).toBe(frame.filled![A + k] === 1);
    }
    const st = loop.data.assembler(SYMBOL, '1h').stats;
    expect(st.filled).toBe(3);
    expect(st.duplicates).toBeGreaterThan(0); // the snapshot after the reconnect re-sent closed bars: ignored
    expect(loop.client.stats.connects).toBe(2);
  });

  it("EMA-9 trend flip (the bot's rule, its own ATR stop/target): same decisions, fills, equity and metrics as the backtest", async () => {
    const ema = createBaseline('ema-trend-flip');
    const bt = await backtestRun(
      SYMBOL,
      range,
      baselineKwargs(ema, KWARGS),
      (env) => toAction(env.scheme, ema.position(env.barIndex, env.currentExposure / env.scheme.exposure)),
      (env) => ema.prepare(env.data.frames[0]!),
    );
    expect(bt.actions.length).toBe(N - 1);
    const live = decisions.filter((d) => d.policy === 'ema-trend-flip');
    expect(live.map((d) => d.time)).toEqual(Array.from(frame.time.subarray(A, A + N)));
    expect(live.slice(0, N - 1).map((d) => d.action)).toEqual(bt.actions);
    const lf = signedFills(fills.get('ema-trend-flip-BTC_USD') ?? []);
    expect(lf.length).toBeGreaterThan(5);
    expect(new Set(lf.map((f) => f.reason)).size).toBeGreaterThan(1); // orders and exits both happened
    expect(lf).toEqual(bt.fills);
    const p = loop.lanes.get(SYMBOL)!.executor.portfolio('ema-trend-flip-BTC_USD');
    expect(Array.from(p.equityHistory.time)).toEqual(bt.time);
    expect(Array.from(p.equityHistory.equity)).toEqual(bt.equity);

    // And the real `tg4 backtest` path: its equity.csv and metrics.
    const out = join(dir, 'bt-ema');
    const res = await runBacktest({
      policy: 'ema-trend-flip',
      data: 'bundled',
      symbol: SYMBOL,
      timeframe: '1h',
      range,
      out,
      compare: [],
      kwargs: KWARGS,
    });
    const csv = readFileSync(join(out, 'equity.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[1]));
    expect(csv).toEqual(bt.equity);
    const m = res.runs[0]!.metrics;
    const pm = p.metrics();
    for (const k of [
      'equity',
      'totalReturnPct',
      'maxDrawdown',
      'sharpe',
      'sortino',
      'totalTrades',
      'winRate',
      'feesPaid',
      'exposure',
      'turnover',
    ] as const)
      expect([k, pm[k as keyof typeof pm]]).toEqual([k, m[k as keyof typeof m]]);
  });

  it('MLP model (typed-array forward pass): same decisions, fills and equity as the backtest of the same folder', async () => {
    const policy = InferencePolicy.load(join(dir, 'mlp', 'v0001'));
    const bt = await backtestRun(SYMBOL, range, KWARGS, (_env, obs) => policy.decide(obs) as number);
    const live = decisions.filter((d) => d.policy === 'mlp');
    expect(live.slice(0, N - 1).map((d) => d.action)).toEqual(bt.actions);
    expect(new Set(bt.actions).size).toBeGreaterThan(1);
    const lf = signedFills(fills.get('mlp-BTC_USD') ?? []);
    expect(lf.length).toBeGreaterThan(0);
    expect(lf).toEqual(bt.fills);
    const p = loop.lanes.get(SYMBOL)!.executor.portfolio('mlp-BTC_USD');
    expect(Array.from(p.equityHistory.equity)).toEqual(bt.equity);
    const res = await runBacktest({
      policy: join(dir, 'mlp', 'v0001'),
      data: 'bundled',
      symbol: SYMBOL,
      timeframe: '1h',
      range,
      out: join(dir, 'bt-mlp'),
      compare: [],
    });
    expect(res.runs[0]!.metrics.equity).toBe(p.metrics().equity);
  });
});
