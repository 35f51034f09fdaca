// Resting exchange-side exits in the live loop (router option exchangeExits) against the local Kraken server: the
// bot's EMA-9 trend flip with its own ATR stop/target trades real BTC/USD 1h bars; each bar's low and high trade on
// the test exchange, triggering resting exits there. Checked over the whole run: every entry (a market order that is
// not reduce-only) reached the exchange only after every earlier resting exit was final (cancelled or filled); exits
// were placed, cancelled on the paper exits and triggered on the exchange; each exchange fill booked once; an open
// position ends protected by a stop for its whole quantity; never short on spot; no halt.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBundled } from '../../replay/index.ts';
import type { ClosedBar } from '../../src/live/candle-series.ts';
import type { KrakenGateway } from '../../src/live/gateway/gateway.ts';
import { LiveLoop } from '../../src/live/loop.ts';
import { liveTradingSetup } from '../../src/live/live-config.ts';
import { baselinePolicy, modelPolicy } from '../../src/live/policy.ts';
import { serverCandle, sleep, testGateway, waitFor } from './helpers.ts';
import { KrakenTestServer } from './kraken-server.ts';
import { saveRandomMlp } from './model-fixture.ts';

const SYMBOL = 'BTC/USD';
const A = 22_000;
const N = 160;
const frame = loadBundled({ symbol: SYMBOL, timeframe: '1h' });

describe('live loop with resting exchange exits', () => {
  let server: KrakenTestServer;
  let loop: LiveLoop | null = null;
  let gw: KrakenGateway | null = null;
  let dir: string;
  beforeEach(async () => {
    server = await new KrakenTestServer().start();
    dir = mkdtempSync(join(tmpdir(), 'tg4-protection-'));
  });
  afterEach(async () => {
    await loop?.stop();
    await gw?.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (
    kwargs: Record<string, unknown>,
    policy: Parameters<typeof LiveLoop.create>[0]['policies'][number],
  ): Promise<number> => {
    gw = testGateway(
      server,
      { maxOrderNotional: 1000, maxPositionNotional: 1000, maxOrdersPerMinute: 10_000, maxDailyLoss: 1000 },
      { deadManRefreshMs: 1000 },
    );
    await gw.start();
    const closed: ClosedBar[] = [];
    loop = await LiveLoop.create({
      symbols: [SYMBOL],
      timeframe: '1h',
      kwargs,
      policies: [policy],
      wsUrl: server.url,
      bookDepth: 0,
      keepTrades: 0,
      graceMs: Number.POSITIVE_INFINITY,
      staleAfterMs: 0,
      warmup: { source: 'bundled', until: frame.time[A]! },
      gateway: gw,
      router: { minNotional: 1, exchangeExits: true, fillWaitMs: 2000 },
      onBar: (b) => closed.push(b),
    });
    await loop.start();
    const router = loop.router!;
    const trader = loop.lanes.get(SYMBOL)!.traders[0]!;
    const entriesSent = (): number =>
      [...server.orders.values()].filter((o) => o.orderType === 'market' && !o.reduceOnly).length;
    // After an exit triggered on the exchange: while the paper trade is still open, no entry may buy it back.
    let latched: number | null = null;
    let latchedBars = 0;
    let reentries = 0;
    for (let k = A; k <= A + N; k++) {
      if (frame.filled![k]) continue;
      server.fillPrice = frame.open[k]!;
      server.ohlc(serverCandle(frame, k));
      await waitFor(() => closed.length >= k - A, `bar ${k - 1}`, 5000);
      await router.idle();
      if (latched !== null) {
        if (trader.portfolio.book.size[0]! !== 0) {
          latchedBars++;
          if (entriesSent() > latched) reentries++;
        }
        latched = null;
      }
      // Bar k trades on the exchange while it is open: its low and its high (resting exits may trigger).
      const fills = gw.fills.length;
      const hit = [...server.lastTrade(SYMBOL, frame.low[k]!), ...server.lastTrade(SYMBOL, frame.high[k]!)];
      if (hit.length > 0) await waitFor(() => gw!.fills.length >= fills + hit.length, 'the exit fills');
      if (hit.length > 0 && trader.portfolio.book.size[0]! !== 0) latched = entriesSent();
      await sleep(1);
    }
    await router.idle();
    await waitFor(
      () => [...gw!.orders.values()].every((o) => o.state !== 'sent' && o.state !== 'pending_new'),
      'orders answered',
    );

    const orders = [...server.orders.values()];
    const exits = orders.filter((o) => o.orderType !== 'market');
    const entries = orders.filter((o) => o.orderType === 'market' && !o.reduceOnly);
    expect(exits.filter((o) => o.orderType === 'stop-loss').length).toBeGreaterThan(2);
    expect(exits.every((o) => o.reduceOnly)).toBe(true);
    expect(entries.length).toBeGreaterThan(2);
    // The rule: no entry while an earlier exit could still fire.
    for (const e of entries)
      for (const x of exits) if (x.seq! < e.seq!) expect([x.clOrdId, x.doneSeq! < e.seq!]).toEqual([x.clOrdId, true]);
    // Exits were both cancelled (paper exits, resizes) and triggered on the exchange.
    const triggered = exits.filter((o) => o.status === 'filled');
    expect(triggered.length).toBeGreaterThan(0);
    expect(exits.some((o) => o.status === 'canceled')).toBe(true);
    // Each exchange fill booked once: the gateway's fills are the server's trades, one for one.
    expect(gw.fills.map((f) => f.execId).sort()).toEqual(server.trades.map((t) => t.execId).sort());
    expect(gw.position(SYMBOL)).toBeCloseTo(server.position(SYMBOL), 12);
    expect(gw.position(SYMBOL)).toBeGreaterThanOrEqual(-1e-12);
    // Ends in step: an open position has its stop for the whole quantity resting; a flat one has none.
    const resting = exits.filter((o) => o.status === 'new');
    if (Math.abs(gw.position(SYMBOL)) > 1e-12) {
      const stop = resting.filter((o) => o.orderType === 'stop-loss');
      expect(stop.length).toBe(1);
      expect(stop[0]!.qty).toBeCloseTo(Math.abs(gw.position(SYMBOL)), 12);
    } else expect(resting).toEqual([]);
    expect(reentries).toBe(0);
    expect(gw.risk.state).toBe('ACTIVE');
    return latchedBars;
  };

  it(
    "the EMA-9 trend flip's own ATR stop/target: placed, cancelled before every entry, triggered and booked once",
    () => run({ executor: { initialCapital: 200 }, exposure: 0.5 }, (ctx) => baselinePolicy('ema-trend-flip', ctx)),
    120_000,
  );

  it('a model that re-sizes a position (discrete-sized): the exits are cancelled before each increase, then resized', async () => {
    const kwargs = {
      actionScheme: 'discrete-sized',
      exposure: 0.5,
      executor: { initialCapital: 200, stopLossAtr: 1, takeProfitAtr: 2 },
    };
    const setup = liveTradingSetup(kwargs, '1h');
    saveRandomMlp(join(dir, 'm'), {
      obsSize: setup.obsSize,
      nActions: 5,
      specHash: setup.specHash,
      envKwargs: kwargs,
      seed: 21,
    });
    await run(kwargs, (ctx) => modelPolicy(join(dir, 'm'), ctx, 'mlp'));
    // It did increase a position while exits were resting (so the cancel-before-entry rule was exercised).
    const orders = [...server.orders.values()];
    const increases = orders.filter(
      (e) => e.orderType === 'market' && !e.reduceOnly && Math.abs(e.positionAtAdd!) > 1e-12,
    );
    expect(increases.length).toBeGreaterThan(0);
  }, 120_000);
});
