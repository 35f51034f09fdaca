// Parity beyond discrete3: a saved MLP over the five-level 'discrete-sized' scheme (partial exposures, re-sizing between
// levels of one side, flips under a cooldown that only close) with an ATR stop and max-hold, fed as Kraken ohlc
// messages: the live lane's decisions, fills and equity equal the backtest's over the same 200 real bars, bit for bit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InferencePolicy } from '../../agents/infer/policy.ts';
import { loadBundled } from '../../replay/index.ts';
import type { Fill } from '../../src/execution/types.ts';
import type { Decision } from '../../src/live/lane.ts';
import { liveTradingSetup } from '../../src/live/live-config.ts';
import { LiveLoop } from '../../src/live/loop.ts';
import { modelPolicy } from '../../src/live/policy.ts';
import { backtestRun, feedBars, signedFills } from './helpers.ts';
import { saveRandomMlp } from './model-fixture.ts';

const A = 30_000;
const N = 200;
const KW = {
  actionScheme: 'discrete-sized',
  cooldownBars: 3,
  executor: { stopLossAtr: 1.5, maxHoldBars: 12, feeRate: 0.0026 },
};

describe('paper live == backtest with the discrete-sized scheme and a cooldown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg4-parity-sized-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decisions, fills and equity, bit for bit', async () => {
    const frame = loadBundled({ symbol: 'BTC/USD', timeframe: '1h' });
    const setup = liveTradingSetup(KW, '1h');
    expect(setup.scheme.levels?.length).toBe(5);
    saveRandomMlp(join(dir, 'm'), {
      obsSize: setup.obsSize,
      nActions: 5,
      specHash: setup.specHash,
      envKwargs: KW,
      seed: 21,
    });
    const decisions: Decision[] = [];
    const fills: Fill[] = [];
    const loop = await LiveLoop.create({
      symbols: ['BTC/USD'],
      timeframe: '1h',
      kwargs: KW,
      policies: [(ctx) => modelPolicy(join(dir, 'm'), ctx, 'mlp')],
      bookDepth: 0,
      keepTrades: 0,
      warmup: { source: 'bundled', until: frame.time[A]! },
      onDecision: (d) => decisions.push(d),
    });
    const lane = loop.lanes.get('BTC/USD')!;
    lane.executor.onEvent((e) => {
      if (e.type === 'fill') fills.push(e.fill);
    });
    feedBars(loop, frame, A, A + N);
    await loop.stop();
    const iso = (ms: number): string => new Date(ms).toISOString();
    const policy = InferencePolicy.load(join(dir, 'm'));
    const bt = await backtestRun(
      'BTC/USD',
      `${iso(frame.time[A]!)}..${iso(frame.time[A + N]!)}`,
      KW,
      (_env, obs) => policy.decide(obs) as number,
    );
    expect(decisions.slice(0, N - 1).map((d) => d.action)).toEqual(bt.actions);
    expect(new Set(bt.actions).size).toBeGreaterThan(2);
    const live = signedFills(fills);
    expect(live.length).toBeGreaterThan(3);
    expect(live).toEqual(bt.fills);
    expect(Array.from(lane.executor.portfolios()[0]!.equityHistory.equity)).toEqual(bt.equity);
  });
});
