// Resting exchange-side exits (src/live/gateway/protection.ts) against the local Kraken server, which rests
// stop-loss / take-profit orders and triggers them on a trade price: the stop and target are placed with the position
// (reduce-only, client order ids, the trade's levels), resized with it, cancelled on exit, survive a reconnect's
// reconciliation, a triggered stop is booked once (across a reconnect too) and its sibling target cancelled; clear()
// confirms the cancel before the router may send a new entry.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KrakenGateway } from '../../src/live/gateway/gateway.ts';
import { ExchangeProtection } from '../../src/live/gateway/protection.ts';
import { testGateway, waitFor } from './helpers.ts';
import { KrakenTestServer } from './kraken-server.ts';

const S = 'BTC/USD';
const LEVELS = (side: 1 | -1, entry: number) => ({ stop: entry - side * 600, target: entry + side * 900 });

describe('resting exchange-side exits', () => {
  let server: KrakenTestServer;
  let gw: KrakenGateway;
  let pr: ExchangeProtection;
  const events: string[] = [];
  beforeEach(async () => {
    server = await new KrakenTestServer().start();
    server.fillPrice = 30_000;
    gw = testGateway(
      server,
      { maxOrderNotional: 1000, maxPositionNotional: 5000, maxDailyLoss: 100, maxOrdersPerMinute: 100 },
      { deadManRefreshMs: 200, requestTimeoutMs: 2000 },
    );
    events.length = 0;
    pr = new ExchangeProtection(gw, (l, m) => events.push(`${l}: ${m}`));
    await gw.start();
  });
  afterEach(async () => {
    await gw.stop();
    await server.close();
  });

  const serverOrders = (type: string) => [...server.orders.values()].filter((o) => o.orderType === type);
  const buy = async (qty: number, reduceOnly = false) => {
    const r = await gw.submit({ symbol: S, qty, price: 30_000, reason: 't', reduceOnly });
    expect(r.ok).toBe(true);
    if (r.ok) expect(await gw.waitFinal([r.order.clOrdId], 2000)).toBe(true);
  };

  it('placed with the position (reduce-only, client ids, levels around the exchange entry), resized, cancelled on exit', async () => {
    await buy(0.01);
    expect(gw.position(S)).toBeCloseTo(0.01, 12);
    await pr.sync(S, LEVELS);
    const sent = server.received
      .filter((m) => m.method === 'add_order')
      .map((m) => m.params as Record<string, unknown>);
    const exits = sent.filter((p) => p.order_type !== 'market');
    expect(
      exits.map((p) => [p.order_type, p.side, p.order_qty, p.reduce_only, (p.triggers as { price: number }).price]),
    ).toEqual([
      ['stop-loss', 'sell', 0.01, true, 29_400],
      ['take-profit', 'sell', 0.01, true, 30_900],
    ]);
    expect(exits.every((p) => typeof p.cl_ord_id === 'string')).toBe(true);
    expect(serverOrders('stop-loss').map((o) => o.status)).toEqual(['new']);
    expect(gw.inFlight(S)).toBe(0); // resting exits are not flow
    // In step: a second sync with nothing changed sends nothing.
    const n = server.counts.addOrder;
    await pr.sync(S, LEVELS);
    expect(server.counts.addOrder).toBe(n);
    // The position grows: the exits are cancelled and replaced for the whole quantity, at the trade's levels.
    await buy(0.005);
    await pr.sync(S, LEVELS);
    expect(serverOrders('stop-loss').map((o) => [o.status, o.qty, o.triggerPrice])).toEqual([
      ['canceled', 0.01, 29_400],
      ['new', 0.015, 29_400],
    ]);
    expect(pr.resting(S).length).toBe(2);
    // Exit (the paper trade closed, the router sends a reduce-only market order): both exits cancelled.
    await buy(-0.015, true);
    expect(gw.position(S)).toBeCloseTo(0, 12);
    await pr.sync(S, LEVELS);
    expect([...server.orders.values()].filter((o) => o.status === 'new')).toEqual([]);
    expect(pr.resting(S)).toEqual([]);
    expect(gw.risk.state).toBe('ACTIVE');
  });

  it('survive a reconnect: reconciled as ours (no halt), nothing re-sent, still protecting', async () => {
    await buy(0.01);
    await pr.sync(S, LEVELS);
    const n = server.counts.addOrder;
    gw.dropConnection();
    await waitFor(() => gw.connected && gw.reconciled, 'reconnect + reconciliation');
    expect(gw.stats.reconciliations).toBe(2);
    expect(gw.risk.state).toBe('ACTIVE');
    expect(pr.resting(S).map((o) => [o.orderType, o.state])).toEqual([
      ['stop-loss', 'new'],
      ['take-profit', 'new'],
    ]);
    await pr.sync(S, LEVELS);
    expect(server.counts.addOrder).toBe(n);
    // After the reconnect the stop still fires.
    server.lastTrade(S, 29_300);
    await waitFor(() => gw.position(S) === 0, 'the stop fill');
  });

  it('a triggered stop is booked once (also across a reconnect), its target cancelled, and the trade marked exited', async () => {
    await buy(0.01);
    await pr.sync(S, LEVELS);
    expect(server.lastTrade(S, 29_500)).toEqual([]); // above the stop, below the target: nothing
    const hit = server.lastTrade(S, 29_350);
    expect(hit.map((o) => o.orderType)).toEqual(['stop-loss']);
    await waitFor(() => gw.position(S) === 0, 'the stop fill');
    const stopFills = gw.fills.filter((f) => f.price === 29_350);
    expect(stopFills.length).toBe(1);
    expect(stopFills[0]!.side).toBe('sell');
    gw.dropConnection();
    await waitFor(() => gw.connected && gw.reconciled, 'reconnect + reconciliation');
    expect(gw.fills.filter((f) => f.price === 29_350).length).toBe(1); // the snapshot's copy is not booked again
    expect(gw.position(S)).toBe(0);
    await pr.sync(S, LEVELS);
    expect(serverOrders('take-profit').map((o) => o.status)).toEqual(['canceled']);
    expect(pr.exitedSide(S)).toBe(1);
    expect(gw.risk.state).toBe('ACTIVE');
    expect(events.some((e) => e.includes('a resting exchange exit filled'))).toBe(true);
  });

  it('clear() before a new entry: the exits are confirmed cancelled before it returns true', async () => {
    await buy(0.01);
    await pr.sync(S, LEVELS);
    expect(await pr.clear(S)).toBe(true);
    expect(serverOrders('stop-loss').map((o) => o.status)).toEqual(['canceled']);
    expect(serverOrders('take-profit').map((o) => o.status)).toEqual(['canceled']);
    // An exchange that does not answer the cancel: clear() says false (the router then sends no entry).
    await pr.sync(S, LEVELS);
    server.ignoreMethods.add('cancel_order');
    expect(await pr.clear(S)).toBe(false);
    expect(events.some((e) => e.includes('not confirmed cancelled'))).toBe(true);
  }, 10_000);

  it('refused without a position to reduce, with a bad trigger, or in cancel_only', async () => {
    expect(
      (await gw.protect({ symbol: S, qty: -0.01, orderType: 'stop-loss', triggerPrice: 29_000, reason: 't' })).ok,
    ).toBe(false);
    await buy(0.01);
    expect(
      (await gw.protect({ symbol: S, qty: 0.01, orderType: 'stop-loss', triggerPrice: 29_000, reason: 't' })).ok,
    ).toBe(false);
    expect(
      (await gw.protect({ symbol: S, qty: -0.02, orderType: 'stop-loss', triggerPrice: 29_000, reason: 't' })).ok,
    ).toBe(false);
    expect(
      (await gw.protect({ symbol: S, qty: -0.01, orderType: 'stop-loss', triggerPrice: Number.NaN, reason: 't' })).ok,
    ).toBe(false);
    gw.risk.halt('test');
    expect(
      (await gw.protect({ symbol: S, qty: -0.01, orderType: 'stop-loss', triggerPrice: 29_000, reason: 't' })).ok,
    ).toBe(false);
    gw.risk.reset();
    gw.setExchangeStatus('cancel_only');
    expect(
      (await gw.protect({ symbol: S, qty: -0.01, orderType: 'stop-loss', triggerPrice: 29_000, reason: 't' })).ok,
    ).toBe(false);
    expect(serverOrders('stop-loss')).toEqual([]);
  });
});
