// Two symbols on one feed: the messages of BTC/USD and ETH/USD interleave as Kraken sends them; each lane decides on
// its own bars with its own portfolio, and each equals the backtest of that symbol over the same bars.
import { describe, expect, it } from 'vitest';
import { baselineKwargs, createBaseline, toAction } from '../../agents/baselines/index.ts';
import { loadBundled } from '../../replay/index.ts';
import type { Decision } from '../../src/live/lane.ts';
import { LiveLoop } from '../../src/live/loop.ts';
import { baselinePolicy } from '../../src/live/policy.ts';
import { backtestRun, ohlcUpdate } from './helpers.ts';

describe('several symbols on one feed', () => {
  it('BTC/USD and ETH/USD lanes each equal their own backtest', async () => {
    const frames = {
      'BTC/USD': loadBundled({ symbol: 'BTC/USD', timeframe: '1h' }),
      'ETH/USD': loadBundled({ symbol: 'ETH/USD', timeframe: '1h' }),
    };
    const t0 = Date.parse('2019-03-01T00:00:00Z');
    const N = 120;
    const decisions: Decision[] = [];
    const loop = await LiveLoop.create({
      symbols: ['BTC/USD', 'ETH/USD'],
      timeframe: '1h',
      policies: [(ctx) => baselinePolicy('ema-trend-flip', ctx)],
      bookDepth: 0,
      keepTrades: 0,
      warmup: { source: 'bundled', until: t0 },
      onDecision: (d) => decisions.push(d),
    });
    for (let h = 0; h <= N; h++)
      for (const [, f] of Object.entries(frames)) {
        const k = f.time.indexOf(t0 + h * 3_600_000);
        if (k >= 0 && !f.filled![k]) loop.client.onFrame(ohlcUpdate(f, k), Date.now());
      }
    await loop.stop();
    const iso = (ms: number): string => new Date(ms).toISOString();
    for (const sym of Object.keys(frames)) {
      const ema = createBaseline('ema-trend-flip');
      const bt = await backtestRun(
        sym,
        `${iso(t0)}..${iso(t0 + N * 3_600_000)}`,
        baselineKwargs(ema, {}),
        (env) => toAction(env.scheme, ema.position(env.barIndex, env.currentExposure / env.scheme.exposure)),
        (env) => ema.prepare(env.data.frames[0]!),
      );
      const live = decisions.filter((d) => d.symbol === sym);
      expect(live.slice(0, N - 1).map((d) => d.action)).toEqual(bt.actions);
      const p = loop.lanes.get(sym)!.executor.portfolios()[0]!;
      expect(Array.from(p.equityHistory.equity)).toEqual(bt.equity);
      expect(p.id).toBe(`ema-trend-flip-${sym.replace('/', '_')}`);
    }
    expect(new Set(decisions.map((d) => d.symbol)).size).toBe(2);
  });
});
