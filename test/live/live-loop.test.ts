// The live loop end to end against the local Kraken server (public feed + private order socket on one server, which
// counts every order that reaches it): paper mode sends nothing; live mode sends only what the risk engine allows,
// stops at exchange status cancel_only, and the kill file flattens and halts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBundled } from '../../replay/index.ts';
import type { ClosedBar } from '../../src/live/candle-series.ts';
import { KrakenGateway, LIVE_CONFIRMATION } from '../../src/live/gateway/gateway.ts';
import { RiskEngine } from '../../src/live/gateway/risk.ts';
import { LiveLoop } from '../../src/live/loop.ts';
import { baselinePolicy } from '../../src/live/policy.ts';
import { waitFor, serverCandle } from './helpers.ts';
import { KrakenTestServer } from './kraken-server.ts';

const SYMBOL = 'BTC/USD';
const A = 21_000;
const frame = loadBundled({ symbol: SYMBOL, timeframe: '1h' });
const KWARGS = { executor: { initialCapital: 200 }, exposure: 0.5 };

describe('live loop against the local Kraken server', () => {
  let server: KrakenTestServer;
  let loop: LiveLoop | null = null;
  let gw: KrakenGateway | null = null;
  let dir: string;
  const closed: ClosedBar[] = [];
  beforeEach(async () => {
    server = await new KrakenTestServer().start();
    dir = mkdtempSync(join(tmpdir(), 'tg4-live-loop-'));
    closed.length = 0;
  });
  afterEach(async () => {
    await loop?.stop();
    await gw?.stop();
    loop = null;
    gw = null;
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const build = async (gateway: KrakenGateway | null, killFile: string | null = null): Promise<LiveLoop> =>
    LiveLoop.create({
      symbols: [SYMBOL],
      timeframe: '1h',
      kwargs: KWARGS,
      policies: [(ctx) => baselinePolicy('ema-cross-flip', ctx)],
      wsUrl: server.url,
      bookDepth: 0,
      keepTrades: 0,
      graceMs: Number.POSITIVE_INFINITY,
      staleAfterMs: 0,
      warmup: { source: 'bundled', until: frame.time[A]! },
      gateway,
      killFile,
      router: { minNotional: 1 },
      onBar: (b) => closed.push(b),
    });

  const stream = async (from: number, to: number): Promise<void> => {
    for (let k = from; k <= to; k++) {
      if (frame.filled![k]) continue;
      server.fillPrice = frame.open[k]!;
      server.ohlc(serverCandle(frame, k));
      // One bar at a time, as the market would: the decision (and any order) of bar k-1 before bar k+1 arrives.
      await waitFor(() => closed.length >= k - A, `bar ${k - 1}`, 5000);
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  it('paper mode: the policy trades on paper and no order, token request or private subscription reaches the exchange', async () => {
    loop = await build(null);
    await loop.start();
    await stream(A, A + 120);
    const p = loop.lanes.get(SYMBOL)!.executor.portfolio('ema-cross-flip-BTC_USD');
    expect(p.trades.length + (p.position(SYMBOL) ? 1 : 0)).toBeGreaterThan(2);
    expect(server.counts.addOrder).toBe(0);
    expect(server.counts.tokenCalls).toBe(0);
    expect(server.received.some((m) => (m.params as { channel?: string } | undefined)?.channel === 'executions')).toBe(
      false,
    );
  });

  it('live mode: only orders within the risk limits leave; cancel_only stops them; the kill file flattens and halts', async () => {
    const risk = new RiskEngine({
      maxOrderNotional: 120,
      maxPositionNotional: 150,
      maxOrdersPerMinute: 1000,
      maxDailyLoss: 1000,
    });
    gw = new KrakenGateway({
      credentials: { apiKey: server.apiKey, apiSecret: server.apiSecret },
      confirmation: LIVE_CONFIRMATION,
      risk,
      url: server.url,
      restUrl: server.restUrl,
      deadManRefreshMs: 1000,
      backoff: { initialMs: 20 },
    });
    await gw.start();
    const killFile = join(dir, 'KILL');
    loop = await build(gw, killFile);
    await loop.start();
    await stream(A, A + 80);
    await waitFor(
      () => [...gw!.orders.values()].every((o) => o.state !== 'sent' && o.state !== 'pending_new' && o.state !== 'new'),
      'orders settled',
    );
    const log = loop.router!.log.filter((l) => l.result.startsWith('sent'));
    expect(log.length, JSON.stringify(loop.router!.log.slice(0, 5))).toBeGreaterThan(1);
    expect(server.counts.addOrder).toBe(gw.stats.ordersSent);
    expect(server.counts.addOrder).toBe(log.length);
    const closeAt = new Map(closed.map((b) => [b.time, b.close]));
    for (const l of log) {
      const notional = Math.abs(l.sent) * closeAt.get(l.time)!;
      expect(notional).toBeLessThanOrEqual(120);
    }
    // Every order the exchange saw was one of those (same quantities, in order).
    const received = server.received
      .filter((m) => m.method === 'add_order')
      .map((m) => (m.params as { order_qty: number }).order_qty);
    expect(received).toEqual(log.map((l) => Math.abs(l.sent)));
    // At the pair's quantity precision (8 decimals, from the instrument channel), never rounded up.
    for (const q of received) expect(Math.round(q * 1e8) / 1e8).toBe(q);
    // Spot without margin: never short.
    expect(gw.position(SYMBOL)).toBeGreaterThanOrEqual(-1e-12);

    server.setStatus('cancel_only');
    await waitFor(() => gw!.status === 'cancel_only', 'cancel_only on the auth socket');
    const before = server.counts.addOrder;
    await stream(A + 81, A + 140);
    expect(server.counts.addOrder).toBe(before);
    expect(loop.router!.log.some((l) => /cancel_only/.test(l.result))).toBe(true);

    server.setStatus('online');
    await waitFor(() => gw!.status === 'online', 'online again');
    if (gw.position(SYMBOL) === 0) {
      // Make sure there is something to flatten.
      expect((await gw.submit({ symbol: SYMBOL, qty: 0.001, price: frame.close[A + 140]!, reason: 'test' })).ok).toBe(
        true,
      );
      await waitFor(() => gw!.position(SYMBOL) > 0, 'a position');
    }
    writeFileSync(killFile, 'stop\n');
    await waitFor(() => loop!.killed !== null && gw!.position(SYMBOL) === 0, 'the kill switch', 5000);
    expect(gw.risk.state).toBe('HALTED');
    const last = server.received.filter((m) => m.method === 'add_order').at(-1) as { params: Record<string, unknown> };
    expect(last.params.reduce_only).toBe(true);
    const n = server.counts.addOrder;
    const decisions = loop.lanes.get(SYMBOL)!.decisions;
    await stream(A + 141, A + 150);
    expect(server.counts.addOrder).toBe(n);
    expect(loop.lanes.get(SYMBOL)!.decisions).toBe(decisions);
    expect(loop.lanes.get(SYMBOL)!.executor.portfolio('ema-cross-flip-BTC_USD').position(SYMBOL)).toBeNull();
  });
});
