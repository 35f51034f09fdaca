// Data sources (CSV, PostgreSQL through prepareTradingKwargs: same env as from the file), the backtest report,
// baselines run through the env against a direct computation, and a model backtested under its training conditions.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import '../../../envs/index.ts';
import { prepareTradingKwargs, TradingEnv } from '../../../envs/trading/index.ts';
import { runBacktest } from '../../../agents/common/backtest.ts';
import { trainTradingAndCompare } from '../../../agents/common/trading-run.ts';
import { BASELINE_NAMES, createBaseline, runBaseline } from '../../../agents/baselines/index.ts';
import { migrate } from '../../../replay/db/migrate.ts';
import { ingestFile } from '../../../replay/db/ingest.ts';
import { saveModel } from '../../../agents/common/model-io.ts';
import { frameFromCloses, randomWalk, simpleFeatures } from './helpers.ts';
import type { MarketFrame } from '../../../replay/market-frame.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg4-trading-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeCsv(f: MarketFrame, name: string): string {
  const lines = ['time,open,high,low,close,volume'];
  for (let t = 0; t < f.length; t++)
    lines.push([new Date(f.time[t]!).toISOString(), f.open[t], f.high[t], f.low[t], f.close[t], f.volume[t]].join(','));
  const p = join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

const SPEC = {
  window: 4,
  features: [
    { feature: 'returns', params: { horizons: [1, 3] } },
    { feature: 'rsi', params: { period: 5 } },
  ],
  normalization: { method: 'none' },
};

function episode(env: TradingEnv): number[][] {
  const out = [Array.from(env.reset({ seed: 0 }).observation)];
  for (let k = 0; k < 20; k++) out.push(Array.from(env.step(k % 3).observation));
  return out;
}

describe('data sources', () => {
  const frame = frameFromCloses(randomWalk(150, 8).map((v) => Math.round(v * 100) / 100));
  const csv = writeCsv(frame, 'TESTUSD_1h.csv');
  const kw = { symbol: 'TEST/USD', timeframe: '1h', features: SPEC, start: 'first', episodeLength: 20 };

  it('a CSV file and the same frame in memory give the same episode', () => {
    expect(episode(new TradingEnv({ ...kw, data: csv }))).toEqual(episode(new TradingEnv({ ...kw, frame })));
  });

  it('PostgreSQL (prepareTradingKwargs → frame) gives the same episode as the CSV it was ingested from', async () => {
    const admin = process.env.TG4_TEST_PG_URL;
    expect(admin, 'the test PostgreSQL (test/setup/postgres.ts) must be running').toBeTruthy();
    const name = `trading_${process.pid}`;
    const c = new pg.Client(admin);
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
    const u = new URL(admin!);
    u.pathname = `/${name}`;
    const url = u.toString();
    try {
      const d = new pg.Client(url);
      await d.connect();
      try {
        await migrate(d, url);
        await ingestFile(d, url, { file: csv, symbol: 'TEST/USD', timeframe: '1h', format: 'csv' });
      } finally {
        await d.end();
      }
      const prepared = await prepareTradingKwargs({ ...kw, data: url });
      expect(prepared.frame).toBeDefined();
      expect(episode(new TradingEnv(prepared))).toEqual(episode(new TradingEnv({ ...kw, data: csv })));
      // Without preparation the env says what to do instead of blocking.
      expect(() => new TradingEnv({ ...kw, data: url })).toThrow(/prepareTradingKwargs/);
    } finally {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    }
  });

  it('named splits select the chronological 70/15/15 ranges', () => {
    const big = frameFromCloses(randomWalk(1000, 3));
    const env = new TradingEnv({
      frame: big,
      featureMatrix: simpleFeatures(big),
      windowSize: 4,
      range: 'test',
      start: 'first',
      episodeLength: null,
    });
    env.reset({ seed: 0 });
    expect(env.barIndex).toBe(850);
    expect(env.data.rangeEnd).toBe(1000);
  });
});

describe('baselines through the env', () => {
  it('buy-and-hold on every action scheme earns exactly a long from the first decision (direct computation)', () => {
    const close = Array.from({ length: 80 }, (_, t) => 100 * 1.004 ** t);
    const frame = frameFromCloses(close);
    for (const actionScheme of ['discrete3', 'discrete-sized', 'continuous']) {
      const env = new TradingEnv({
        frame,
        featureMatrix: simpleFeatures(frame),
        windowSize: 4,
        start: 'first',
        episodeLength: null,
        actionScheme,
      });
      const r = runBaseline(env, createBaseline('buy-and-hold'));
      const s = 7;
      const qty = 10_000 / frame.open[s + 1]!;
      const buy = frame.open[s + 1]! * 1.0005;
      const want = 10_000 + qty * (frame.close[79]! - buy) - 0.001 * qty * buy;
      expect(r.equity[r.equity.length - 1]).toBeCloseTo(want, 6);
      expect(r.metrics.totalTrades).toBe(0); // still open at the end
      expect(r.time).toHaveLength(80 - s);
    }
  });
});

describe('backtest report', () => {
  it('writes a self-contained HTML report with metrics, equity and drawdown, for a baseline and its comparison', async () => {
    const out = join(dir, 'bt');
    const r = await runBacktest({
      policy: 'ema-cross-flip',
      range: '2020-06-01..2020-08-01',
      out,
      compare: ['buy-and-hold', 'mean-reversion'],
      kwargs: { executor: { stopLossAtr: 2 } },
    });
    expect(r.runs.map((x) => x.name)).toEqual(['ema-cross-flip', 'buy-and-hold', 'mean-reversion']);
    const html = readFileSync(r.files.html, 'utf8');
    // The price chart's code is inlined (no src): the markup around it is checked as before.
    const markup = html.replace(/<script>[\s\S]*?<\/script>/g, '<script></script>');
    expect(markup).toMatch(/<table>.*total return.*max drawdown.*sharpe/s);
    expect((markup.match(/<svg/g) ?? []).length).toBe(2);
    expect(markup).not.toMatch(/<script[^>]*\ssrc=|https?:\/\/(?!www\.w3\.org)/); // no external assets
    for (const f of Object.values(r.files)) expect(existsSync(f)).toBe(true);
    const metrics = JSON.parse(readFileSync(r.files.metricsJson, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(metrics)).toEqual(['ema-cross-flip', 'buy-and-hold', 'mean-reversion']);
    const bh = r.runs[1]!.metrics;
    expect(bh.steps).toBeGreaterThan(1400); // to the end of the range: ~61 days of 1h bars
    const csvLines = readFileSync(r.files.equityCsv, 'utf8').trim().split('\n');
    expect(csvLines[0]).toBe('time,equity_ema-cross-flip,equity_buy-and-hold,equity_mean-reversion');
    expect(Number(csvLines[csvLines.length - 1]!.split(',')[2])).toBeCloseTo(bh.equity, 6);
  });
  it('runs a saved model (the env kwargs in its manifest shape the env) and refuses one that does not fit', async () => {
    // A hand-set PPO actor with one linear layer whose bias always prefers 'long': it must equal buy-and-hold exactly.
    const envKwargs = { windowSize: 8, range: 'train', episodeLength: 256 };
    const probe = new TradingEnv({ ...envKwargs, range: '2020-06-01..2020-08-01' });
    const obsSize = probe.core.obsDim;
    const modelDir = join(dir, 'ppo-tg4-Trading-v0', 'v0001');
    saveModel(
      modelDir,
      {
        algo: 'ppo',
        envId: 'tg4/Trading-v0',
        observationSpace: probe.observationSpace.toJSON(),
        actionSpace: probe.actionSpace.toJSON(),
        obsSize,
        featureSpecHash: probe.data.specHash ?? null,
        normalization: null,
        network: { kind: 'actor-critic', shared: [], pi: [], vf: [], activation: 'tanh' },
        hyperparameters: {},
        metrics: {},
        created: new Date(0).toISOString(),
        seed: 0,
        backend: 'cpu',
        envKwargs,
      } as Parameters<typeof saveModel>[1],
      [
        { name: 'pi/out/kernel', shape: [obsSize, 3], data: new Float32Array(obsSize * 3) },
        { name: 'pi/out/bias', shape: [3], data: Float32Array.of(0, 0, 1) },
      ],
    );
    const r = await runBacktest({
      policy: modelDir,
      range: '2020-06-01..2020-08-01',
      out: join(dir, 'bt-model'),
      compare: ['buy-and-hold'],
    });
    expect(r.runs.map((x) => x.name)).toEqual(['ppo-tg4-Trading-v0/v0001', 'buy-and-hold']);
    expect(r.runs[0]!.metrics).toEqual(r.runs[1]!.metrics);
    await expect(
      runBacktest({
        policy: modelDir,
        range: '2020-06-01..2020-08-01',
        out: join(dir, 'x'),
        kwargs: { windowSize: 16 },
      }),
    ).rejects.toThrow(/MODEL_MISMATCH|trained on observations of size/);
  });

  it('a bad policy or comparison is a clear error', async () => {
    await expect(runBacktest({ policy: 'hodl', out: join(dir, 'x') })).rejects.toThrow(
      `'hodl' is neither a baseline (${BASELINE_NAMES.join(', ')}) nor a model directory`,
    );
    await expect(runBacktest({ policy: 'random', out: join(dir, 'x'), compare: ['nope'] })).rejects.toThrow(
      /--compare: unknown baseline 'nope'/,
    );
    await expect(runBacktest({ policy: dir, out: join(dir, 'x') })).rejects.toThrow(/holds no manifest.json/);
  });
});

/** Runs `tg4 backtest` as main.ts registers it, in-process (spawning the CLI loads every command, tfjs included), and
 * returns what it printed. */
async function backtestCli(args: string[]): Promise<string> {
  const { Command } = await import('commander');
  const { register } = await import('../../../src/cli/commands/backtest.ts');
  const program = new Command('tg4').exitOverride();
  register(program);
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    printed.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['backtest', ...args], { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return printed.join('');
}

describe('tg4 backtest (the command)', () => {
  it('writes the report and prints the metrics; bad flags are typed errors', async () => {
    const out = join(dir, 'cli-bt');
    const printed = await backtestCli([
      '--policy',
      'mean-reversion',
      '--range',
      '2020-07-01..2020-08-01',
      '--out',
      out,
      '--stop-loss-atr',
      '2',
      '--json',
    ]);
    const res = JSON.parse(printed) as {
      files: { html: string };
      runs: { name: string; metrics: { steps: number } }[];
    };
    expect(res.runs.map((r) => r.name)).toEqual(['mean-reversion', 'buy-and-hold', 'ema-trend-flip']);
    expect(existsSync(res.files.html)).toBe(true);
    await expect(backtestCli(['--policy', 'ema-cross-flip', '--out', out, '--fee', 'lots'])).rejects.toThrow(
      /--fee must be a number \(got "lots"\)/,
    );
    await expect(backtestCli(['--policy', 'ema-cross-flip', '--out', out, '--kwargs', '{bad'])).rejects.toThrow(
      /--kwargs is not valid JSON/,
    );
  });
});

describe("a model's backtest reproduces its training conditions", () => {
  // A model trained (briefly, for real) on a CSV market at fee 0.0004 and slippage 0.0002, with a small feature spec.
  const frame = frameFromCloses(randomWalk(900, 21).map((v) => Math.round(v * 100) / 100));
  const csv = writeCsv(frame, 'TRAINUSD_1h.csv');
  const trained = { feeRate: 0.0004, slippage: 0.0002 };
  let modelDir = '';
  let oos: Awaited<ReturnType<typeof trainTradingAndCompare>>['runs'] = [];

  it('trains on a CSV at fee 0.0004 (the manifest records data, symbol, timeframe and the whole executor)', async () => {
    const r = await trainTradingAndCompare({
      envId: 'tg4/Trading-v0',
      agent: 'ppo',
      seed: 3,
      steps: 256,
      out: join(dir, 'fee-model'),
      evalFreq: 0,
      overrides: { nSteps: 16, batchSize: 64, nEpochs: 1 },
      envKwargs: {
        data: csv,
        symbol: 'TRAIN/USD',
        timeframe: '1h',
        features: SPEC,
        executor: trained,
        episodeLength: 16, // × the preset's 24-bar decision interval: 384 of the 630 train bars
      },
    });
    modelDir = r.training.dir!;
    oos = r.runs;
    const kw = (r.training.manifest as unknown as { envKwargs: Record<string, unknown> }).envKwargs;
    expect(kw).toMatchObject({ data: csv, symbol: 'TRAIN/USD', timeframe: '1h', actionScheme: 'discrete-sized' });
    expect(kw['executor']).toMatchObject({ ...trained, maxLongLeverage: 1.5, stopLossAtr: null });
    // The out-of-sample comparison ran the model and the comparison baselines, the bot's trend flip among them.
    expect(oos[0]!.name).toMatch(/\/fee-model$/);
    expect(oos.slice(1).map((x) => x.name)).toEqual(['buy-and-hold', 'ema-trend-flip']);
    expect(oos[0]!.conditions).toMatchObject({ symbol: 'TRAIN/USD', executor: trained });
    expect(oos[2]!.conditions.executor).toMatchObject({ ...trained, stopLossAtr: 1.5, takeProfitAtr: 3 });
  }, 180_000);

  it('tg4 backtest --policy <model dir> runs at fee 0.0004 on the training data, as the OOS comparison did', async () => {
    const printed = await backtestCli([
      '--policy',
      modelDir,
      '--range',
      'test',
      '--out',
      join(dir, 'bt-fee'),
      '--compare',
      'none',
      '--json',
    ]);
    const res = JSON.parse(printed) as {
      runs: { name: string; metrics: Record<string, unknown>; conditions: Record<string, unknown> }[];
      overridden: unknown[];
    };
    expect(res.runs[0]!.conditions).toMatchObject({ symbol: 'TRAIN/USD', timeframe: '1h', executor: trained });
    expect(res.overridden).toEqual([]);
    // The very numbers of the out-of-sample run after training: same data, costs, features, actions.
    expect(res.runs[0]!.metrics).toEqual(JSON.parse(JSON.stringify(oos[0]!.metrics)));
    // The model decides every 24 bars (the preset's decisionInterval); the EMA-9 rule beside it every bar, as in the
    // out-of-sample comparison after training.
    const withRule = await runBacktest({
      policy: modelDir,
      range: 'test',
      out: join(dir, 'bt-fee-rule'),
      compare: ['ema-trend-flip'],
    });
    expect(withRule.runs[1]!.metrics).toEqual(oos[2]!.metrics);
    expect(withRule.runs[0]!.metrics.bars).toBe(withRule.runs[1]!.metrics.steps);
    expect(withRule.runs[0]!.metrics.steps).toBeLessThan(withRule.runs[1]!.metrics.steps / 20);
  }, 60_000);

  it('flags override single conditions (the executor field by field) and the backtest says which', async () => {
    const printed = await backtestCli(['--policy', modelDir, '--out', join(dir, 'bt-fee2'), '--fee', '0.001']);
    expect(printed).toMatch(/overridden from the model's training conditions: executor\.feeRate 0\.0004 → 0\.001\n/);
    const r = await runBacktest({
      policy: modelDir,
      out: join(dir, 'bt-fee3'),
      kwargs: { executor: { feeRate: 0.001 } },
    });
    expect(r.overridden).toEqual([{ key: 'executor.feeRate', trained: 0.0004, used: 0.001 }]);
    expect(r.runs[0]!.conditions.executor).toMatchObject({ feeRate: 0.001, slippage: 0.0002 });
    expect(readFileSync(r.files.html, 'utf8')).toMatch(
      /Overridden from the model(&apos;|&#39;|')s training conditions: executor\.feeRate 0\.0004 → 0\.001/,
    );
  }, 60_000);
});
