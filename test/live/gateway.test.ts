// The live gateway against the local Kraken server (which counts every order that reaches it): the typed confirmation
// and keys, the signed token call, an order rejection, a partial fill, reconciliation after a reconnect (an order placed
// before the drop, a fill that happened while away, an order whose fate cannot be proven: HALTED), risk limits, status
// cancel_only, the dead-man's switch, the kill switch.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsFromEnv, krakenSignature } from '../../src/live/gateway/kraken-auth.ts';
import { KrakenGateway, LIVE_CONFIRMATION, type GatewayOptions } from '../../src/live/gateway/gateway.ts';
import { RiskEngine } from '../../src/live/gateway/risk.ts';
import { LiveError } from '../../src/live/errors.ts';
import { sleep, waitFor } from './helpers.ts';
import { KrakenTestServer } from './kraken-server.ts';

describe('KrakenGateway', () => {
  let server: KrakenTestServer;
  let gw: KrakenGateway | null = null;
  beforeEach(async () => {
    server = await new KrakenTestServer().start();
  });
  afterEach(async () => {
    await gw?.stop();
    gw = null;
    await server.close();
  });

  const make = (over: Partial<GatewayOptions> = {}, limits = {}): KrakenGateway =>
    new KrakenGateway({
      credentials: { apiKey: server.apiKey, apiSecret: server.apiSecret },
      confirmation: LIVE_CONFIRMATION,
      risk: new RiskEngine({
        maxOrderNotional: 1000,
        maxPositionNotional: 5000,
        maxDailyLoss: 100,
        maxOrdersPerMinute: 10,
        ...limits,
      }),
      url: server.url,
      restUrl: server.restUrl,
      deadManRefreshMs: 50,
      backoff: { initialMs: 20 },
      requestTimeoutMs: 2000,
      ...over,
    });

  it('refuses to exist without the typed confirmation or keys: nothing reaches the exchange', () => {
    expect(() => make({ confirmation: 'yes' })).toThrow(LiveError);
    expect(() => make({ confirmation: 'yes' })).toThrow(/typed confirmation/);
    expect(() => make({ credentials: { apiKey: '', apiSecret: '' } })).toThrow(/credentials/);
    expect(() => credentialsFromEnv({})).toThrow(/KRAKEN_API_KEY and KRAKEN_API_SECRET/);
    expect(credentialsFromEnv({ KRAKEN_API_KEY: 'k', KRAKEN_API_SECRET: 'c2VjcmV0' })).toEqual({
      apiKey: 'k',
      apiSecret: 'c2VjcmV0',
    });
    expect(server.counts.connections + server.counts.tokenCalls + server.counts.addOrder).toBe(0);
  });

  it('signs the token request as Kraken does; a wrong secret is refused without leaking it', async () => {
    // Kraken's documented example (docs: "Authentication", spot REST): nonce 1616492376594, this body and secret.
    const sig = krakenSignature(
      '/0/private/AddOrder',
      '1616492376594',
      'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25',
      'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==',
    );
    expect(sig).toBe('4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==');
    gw = make({ credentials: { apiKey: server.apiKey, apiSecret: Buffer.from('wrong').toString('base64') } });
    const err = await gw.start().catch((e: Error) => e);
    expect(err).toBeInstanceOf(LiveError);
    expect((err as Error).message).toMatch(/GetWebSocketsToken refused: EAPI:Invalid key/);
    expect((err as Error).message).not.toMatch(/wrong|d3Jvbmc/);
    expect(server.counts.badAuth).toBe(1);
    gw = null;
  });

  it('an order rejection leaves the position alone; a partial fill is booked as Kraken reports it', async () => {
    gw = make();
    await gw.start();
    expect(server.counts.tokenCalls).toBe(1);
    server.rejectNext = 'EOrder:Insufficient funds';
    const r1 = await gw.submit({ symbol: 'BTC/USD', qty: 0.01, price: 30_000, reason: 'test' });
    expect(r1.ok).toBe(false);
    expect(r1.ok === false && r1.reason).toMatch(/Insufficient funds/);
    expect(r1.order?.state).toBe('rejected');
    expect(gw.position('BTC/USD')).toBe(0);

    server.fillMode = 'partial';
    const r2 = await gw.submit({ symbol: 'BTC/USD', qty: 0.02, price: 30_000, reason: 'test' });
    expect(r2.ok).toBe(true);
    const o = r2.ok ? r2.order : null;
    await waitFor(() => o!.state === 'filled', 'the filled event');
    expect(gw.fills.map((f) => f.qty)).toEqual([0.02 * 0.4, 0.02 - 0.02 * 0.4]);
    expect(gw.position('BTC/USD')).toBeCloseTo(0.02, 12);
    expect(o!.cumQty).toBeCloseTo(0.02, 12);
    expect(o!.clOrdId).toMatch(/^tg4-/);
    expect(
      server.received
        .filter((m) => m.method === 'add_order')
        .every((m) => typeof (m.params as { cl_ord_id?: unknown }).cl_ord_id === 'string'),
    ).toBe(true);
    expect(server.counts.addOrder).toBe(2);
  });

  it('reconciliation after a reconnect finds the order placed before the drop, and books a fill made while away once', async () => {
    gw = make();
    await gw.start();
    server.fillMode = 'none';
    const r = await gw.submit({ symbol: 'BTC/USD', qty: 0.01, price: 30_000, reason: 'rests' });
    expect(r.ok).toBe(true);
    const o = r.ok ? r.order : null;
    await waitFor(() => o!.state === 'new', 'the new event');
    gw.dropConnection();
    expect(gw.connected).toBe(false);
    const refused = await gw.submit({ symbol: 'BTC/USD', qty: 0.01, price: 30_000, reason: 'while away' });
    expect(refused.ok).toBe(false); // nothing leaves until reconciled
    await waitFor(() => gw!.connected && gw!.reconciled, 'reconnect + reconciliation');
    expect(gw.stats.reconciliations).toBe(2);
    expect(gw.risk.state).toBe('ACTIVE');
    expect(o!.state).toBe('new');
    // Filled while the client is away: the next snapshot's trades carry it.
    gw.dropConnection();
    server.fill([...server.orders.values()][0]!, 0.01);
    await waitFor(() => gw!.reconciled && gw!.stats.reconciliations === 3, 'the third reconciliation');
    expect(o!.state).toBe('filled');
    expect(gw.position('BTC/USD')).toBeCloseTo(0.01, 12);
    gw.dropConnection();
    await waitFor(() => gw!.reconciled && gw!.stats.reconciliations === 4, 'the fourth reconciliation');
    expect(gw.fills.length).toBe(1); // the same exec_id in the next snapshot is not booked twice
    expect(gw.risk.state).toBe('ACTIVE');
  });

  it('fails closed: an order whose fate the snapshot cannot show, or an open order that is not ours, halts', async () => {
    gw = make();
    await gw.start();
    server.fillMode = 'none';
    const r = await gw.submit({ symbol: 'BTC/USD', qty: 0.01, price: 30_000, reason: 'rests' });
    expect(r.ok).toBe(true);
    gw.dropConnection();
    // Cancelled while away (e.g. by the dead-man's switch): it is neither open nor filled in the next snapshot.
    [...server.orders.values()][0]!.status = 'canceled';
    await waitFor(() => gw!.reconciled, 'reconciliation');
    expect(gw.risk.state).toBe('HALTED');
    expect(gw.risk.reason).toMatch(/fate cannot be proven/);
    const n = server.counts.addOrder;
    const after = await gw.submit({ symbol: 'BTC/USD', qty: 0.001, price: 30_000, reason: 'x' });
    expect(after.ok).toBe(false);
    expect(server.counts.addOrder).toBe(n);
    await gw.stop();
    // A fresh run that finds an open order it did not send.
    server.orders.set('OFOREIGN', {
      orderId: 'OFOREIGN',
      clOrdId: null,
      symbol: 'BTC/USD',
      side: 'buy',
      qty: 1,
      cumQty: 0,
      status: 'new',
      orderType: 'limit',
      receivedAt: Date.now(),
    });
    gw = make();
    await gw.start();
    expect(gw.risk.state).toBe('HALTED');
    expect(gw.risk.reason).toMatch(/OFOREIGN.*not one this run sent/);
  });

  it('no order beyond a risk limit leaves: notional, position, rate, daily loss (REDUCING), exchange status', async () => {
    gw = make({}, { maxOrderNotional: 500, maxPositionNotional: 900, maxOrdersPerMinute: 3, maxDailyLoss: 50 });
    await gw.start();
    const sent = (): number => server.counts.addOrder;
    expect((await gw.submit({ symbol: 'BTC/USD', qty: 0.02, price: 30_000, reason: 'x' })).ok).toBe(false); // 600 > 500
    expect(sent()).toBe(0);
    expect((await gw.submit({ symbol: 'BTC/USD', qty: 0.015, price: 30_000, reason: 'x' })).ok).toBe(true); // 450
    await waitFor(() => gw!.position('BTC/USD') > 0, 'the fill');
    expect((await gw.submit({ symbol: 'BTC/USD', qty: 0.016, price: 30_000, reason: 'x' })).ok).toBe(false); // position 930 > 900
    expect((await gw.submit({ symbol: 'BTC/USD', qty: 0.01, price: 30_000, reason: 'x' })).ok).toBe(true);
    expect((await gw.submit({ symbol: 'BTC/USD', qty: -0.001, price: 30_000, reason: 'x' })).ok).toBe(true);
    const r = await gw.submit({ symbol: 'BTC/USD', qty: -0.001, price: 30_000, reason: 'x' });
    expect(r.ok === false && r.reason).toMatch(/maxOrdersPerMinute/);
    expect(sent()).toBe(3);
    const risk = new RiskEngine({ maxDailyLoss: 50 });
    risk.updatePnl(0, Date.parse('2026-01-05T01:00:00Z'));
    risk.updatePnl(-60, Date.parse('2026-01-05T02:00:00Z'));
    expect(risk.state).toBe('REDUCING');
    expect(risk.check({ symbol: 'X', qty: 1, price: 10, position: 0 }).ok).toBe(false);
    expect(risk.check({ symbol: 'X', qty: -1, price: 10, position: 2 }).ok).toBe(true);
    risk.updatePnl(-60, Date.parse('2026-01-06T00:00:01Z'));
    expect(risk.state).toBe('ACTIVE');
    server.setStatus('cancel_only');
    await waitFor(() => gw!.status === 'cancel_only', 'the status');
    await sleep(0);
    const r2 = await gw.submit({ symbol: 'BTC/USD', qty: -0.001, price: 30_000, reason: 'x' });
    expect(r2.ok === false && r2.reason).toMatch(/cancel_only/);
    expect(sent()).toBe(3);
  });

  it("keeps the dead-man's switch armed, and the kill switch flattens and halts", async () => {
    gw = make({ deadManTimeoutS: 60, deadManRefreshMs: 40 });
    await gw.start();
    await waitFor(() => server.counts.cancelAfter >= 3, 'three refreshes');
    expect(server.lastCancelAfter).toBe(60);
    expect((await gw.submit({ symbol: 'BTC/USD', qty: 0.01, price: 30_000, reason: 'x' })).ok).toBe(true);
    await waitFor(() => gw!.position('BTC/USD') > 0, 'the fill');
    const res = await gw.kill('operator', new Map([['BTC/USD', 30_000]]));
    expect(res.map((r) => r.ok)).toEqual([true]);
    await waitFor(() => gw!.position('BTC/USD') === 0, 'flat');
    const last = server.received.filter((m) => m.method === 'add_order').at(-1) as { params: Record<string, unknown> };
    expect(last.params.reduce_only).toBe(true);
    expect(last.params.side).toBe('sell');
    expect(gw.risk.state).toBe('HALTED');
    expect((await gw.submit({ symbol: 'BTC/USD', qty: 0.01, price: 30_000, reason: 'x' })).ok).toBe(false);
    await gw.stop();
    expect(server.lastCancelAfter).toBe(0); // disarmed on a clean stop
    gw = null;
  });

  it('a fill of an order this run did not send halts (history in the first snapshot does not); a kill while away flattens after the reconnect', async () => {
    // History: an old trade of another order is in the first snapshot; it is neither booked nor a reason to halt.
    const old = {
      orderId: 'OOLD',
      clOrdId: null,
      symbol: 'BTC/USD',
      side: 'buy' as const,
      qty: 1,
      cumQty: 0,
      status: 'new' as const,
      orderType: 'market',
      receivedAt: Date.now(),
    };
    server.fill(old, 1);
    gw = make();
    await gw.start();
    expect(gw.risk.state).toBe('ACTIVE');
    expect(gw.position('BTC/USD')).toBe(0);
    expect((await gw.submit({ symbol: 'BTC/USD', qty: 0.01, price: 30_000, reason: 'x' })).ok).toBe(true);
    await waitFor(() => gw!.position('BTC/USD') > 0, 'the fill');
    // The kill switch fires while the link is down: nothing can be sent now; it flattens once reconciled.
    gw.dropConnection();
    const now = await gw.kill('operator', new Map([['BTC/USD', 30_000]]));
    expect(now).toEqual([]);
    await waitFor(() => gw!.position('BTC/USD') === 0, 'flat after the reconnect');
    expect(gw.risk.state).toBe('HALTED');
    await gw.stop();
    // A manual trade on the account while the bot runs: halted, not booked.
    gw = make();
    await gw.start();
    const foreign = { ...old, orderId: 'OMANUAL', cumQty: 0, status: 'new' as const };
    server.orders.set('OMANUAL', foreign);
    server.fill(foreign, 0.5);
    await waitFor(() => gw!.risk.state === 'HALTED', 'the halt');
    expect(gw.risk.reason).toMatch(/did not send \(OMANUAL\)/);
    expect(gw.position('BTC/USD')).toBe(0);
  });

  it('a dead-man refresh that gets no answer replaces the auth socket (reconnect, reconcile)', async () => {
    gw = make({ deadManRefreshMs: 50, requestTimeoutMs: 200 });
    await gw.start();
    server.ignoreMethods.add('cancel_all_orders_after');
    await waitFor(() => gw!.stats.connects >= 2, 'a new auth socket', 5000);
    server.ignoreMethods.clear();
    await waitFor(() => gw!.reconciled && gw!.stats.deadManRefreshes > 0, 'reconciled and refreshing again', 5000);
    expect(gw.risk.state).toBe('ACTIVE');
  });
});
