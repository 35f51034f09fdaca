// Signal fusion: each mode's arithmetic, and a fused policy (a saved MLP gating the bot's EMA-9 trend flip) taking
// the same decisions in the live loop (bars as Kraken ohlc messages) as in the backtest's episode loop over the same
// bars (agents/common/trading-episode.ts through asTradingDecision).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baselineKwargs, createBaseline } from '../../agents/baselines/index.ts';
import { runTradingEpisode } from '../../agents/common/trading-episode.ts';
import { createActionScheme } from '../../envs/trading/actions.ts';
import { prepareTradingKwargs } from '../../envs/trading/prepare.ts';
import { TradingEnv } from '../../envs/trading/trading-env.ts';
import { loadBundled } from '../../replay/index.ts';
import { fusePolicies } from '../../src/live/fusion.ts';
import type { Decision } from '../../src/live/lane.ts';
import { liveTradingSetup, policyContext } from '../../src/live/live-config.ts';
import { LiveLoop } from '../../src/live/loop.ts';
import { asTradingDecision, baselinePolicy, type LivePolicy, modelPolicy } from '../../src/live/policy.ts';
import { feedBars } from './helpers.ts';
import { saveRandomMlp } from './model-fixture.ts';

const scheme = createActionScheme('discrete-sized', 1, [-1, -0.5, 0, 0.5, 1]);
const fixed = (name: string, target: number): LivePolicy => ({
  name,
  kind: 'baseline',
  source: name,
  featureSpecHash: null,
  decide: () => [-1, -0.5, 0, 0.5, 1].indexOf(target),
});
const input = {
  obs: new Float32Array(1),
  history: () => {
    throw new Error('unused');
  },
  t: 0,
  exposure: 0,
  mask: null,
};
const level = (a: number | Promise<number>): number => scheme.levels![a as number]!;

describe('fusion modes', () => {
  it('gate, size, weight, alone', () => {
    expect(level(fusePolicies('gate', [fixed('m', 0.5), fixed('b', 1)], scheme).decide(input))).toBe(1);
    expect(level(fusePolicies('gate', [fixed('m', -0.5), fixed('b', 1)], scheme).decide(input))).toBe(0);
    expect(level(fusePolicies('gate', [fixed('m', 0), fixed('b', -1)], scheme).decide(input))).toBe(0);
    expect(level(fusePolicies('size', [fixed('m', -0.5), fixed('b', 1)], scheme).decide(input))).toBe(0.5);
    expect(level(fusePolicies('size', [fixed('m', 1), fixed('b', -1)], scheme).decide(input))).toBe(-1);
    const w = fusePolicies('weight', [fixed('a', 1), fixed('b', -1), fixed('c', 0.5)], scheme, [2, 1, 2]);
    expect(level(w.decide(input))).toBe(0.5); // (2 − 1 + 1) / 5 = 0.4 → nearest level 0.5
    expect(w.lastParts).toEqual({ a: 1, b: -1, c: 0.5, fused: 0.4 });
    expect(level(fusePolicies('alone', [fixed('m', -1)], scheme).decide(input))).toBe(-1);
    expect(() => fusePolicies('gate', [fixed('m', 1)], scheme)).toThrow(/a model and a baseline/);
    expect(() => fusePolicies('weight', [fixed('a', 1), fixed('b', 1)], scheme, [0, 0])).toThrow(/positive sum/);
    expect(() => fusePolicies('vote' as never, [fixed('a', 1)], scheme)).toThrow(/not one of/);
  });
});

describe('a fused policy decides the same in the live loop and in the backtest loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg4-fusion-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gate(MLP, EMA-9 trend flip) over 150 real BTC/USD 1h bars', async () => {
    const frame = loadBundled({ symbol: 'BTC/USD', timeframe: '1h' });
    const A = 25_000;
    const N = 150;
    const KW = {};
    const setup = liveTradingSetup(KW, '1h');
    saveRandomMlp(join(dir, 'm'), {
      obsSize: setup.obsSize,
      nActions: 3,
      specHash: setup.specHash,
      envKwargs: KW,
      seed: 11,
    });
    const make = (ctx = policyContext(setup)): LivePolicy =>
      fusePolicies(
        'gate',
        [modelPolicy(join(dir, 'm'), ctx, 'mlp'), baselinePolicy('ema-trend-flip', ctx)],
        ctx.scheme,
      );
    const decisions: Decision[] = [];
    const loop = await LiveLoop.create({
      symbols: ['BTC/USD'],
      timeframe: '1h',
      kwargs: KW,
      policies: [(ctx) => make(ctx)],
      bookDepth: 0,
      keepTrades: 0,
      warmup: { source: 'bundled', until: frame.time[A]! },
      onDecision: (d) => decisions.push(d),
    });
    feedBars(loop, frame, A, A + N);
    await loop.stop();
    const iso = (ms: number): string => new Date(ms).toISOString();
    const env = new TradingEnv(
      await prepareTradingKwargs({
        ruinFraction: 0,
        ...baselineKwargs(createBaseline('ema-trend-flip'), KW),
        data: 'bundled',
        symbol: 'BTC/USD',
        timeframe: '1h',
        range: `${iso(frame.time[A]!)}..${iso(frame.time[A + N]!)}`,
        start: 'first',
        episodeLength: null,
      }),
    );
    const fused = make();
    const decide = asTradingDecision(fused);
    const actions: number[] = [];
    const parts: number[] = [];
    const res = runTradingEpisode(
      env,
      (obs, e) => {
        const a = decide(obs, e) as number;
        actions.push(a);
        parts.push((fused as ReturnType<typeof fusePolicies>).lastParts.mlp!);
        return a;
      },
      { seed: 0, start: 'first' },
    );
    expect(actions.length).toBe(N - 1);
    expect(decisions.slice(0, N - 1).map((d) => d.action)).toEqual(actions);
    expect(new Set(actions).size).toBeGreaterThan(1);
    expect(new Set(parts).size).toBeGreaterThan(1); // the model did vary; the gate let some through and blocked others
    const p = loop.lanes.get('BTC/USD')!.executor.portfolios()[0]!;
    expect(Array.from(p.equityHistory.equity)).toEqual(Array.from(res.equity));
  });
});
