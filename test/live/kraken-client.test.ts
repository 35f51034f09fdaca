// The Kraken WS v2 client against a local server that speaks Kraken's messages (test/live/kraken-server.ts) and the
// real samples in test/fixtures/kraken_ws_v2: book checksums (the docs' worked example, every update of a random walk,
// a corrupted update caught and the book resubscribed), the real samples parsed, a stale feed, status cancel_only.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bookChecksum, checksumToken, OrderBook, textAtPrecision, type BookLevel } from '../../src/live/kraken/book.ts';
import { parseMessage } from '../../src/live/kraken/messages.ts';
import { KrakenWsClient } from '../../src/live/kraken/ws-client.ts';
import { LiveError } from '../../src/live/errors.ts';
import { krakenSamples, sleep, waitFor } from './helpers.ts';
import { KrakenTestServer } from './kraken-server.ts';

const samples = krakenSamples();

describe('book checksum (Kraken book-checksum-v2)', () => {
  it("reproduces the docs' worked example 3310070434 from the snapshot at the pair's precision", () => {
    const msg = samples.get('book_snapshot')!.message as {
      data: [{ bids: { price: number; qty: number }[]; asks: { price: number; qty: number }[]; checksum: number }];
    };
    const d = msg.data[0];
    // The sample went through a float round trip (0.10000000 → 0.1): re-pad to BTC/USD's precision (price 1, qty 8).
    const lv = (l: { price: number; qty: number }): BookLevel => ({
      price: l.price,
      qty: l.qty,
      priceText: textAtPrecision(String(l.price), 1),
      qtyText: textAtPrecision(String(l.qty), 8),
    });
    expect(d.checksum).toBe(3310070434);
    expect(bookChecksum(d.asks.map(lv), d.bids.map(lv))).toBe(3310070434);
    // Read as plain floats the digits are wrong: this is why the client keeps the wire text.
    const raw = (l: { price: number; qty: number }): BookLevel => ({
      price: l.price,
      qty: l.qty,
      priceText: String(l.price),
      qtyText: String(l.qty),
    });
    expect(bookChecksum(d.asks.map(raw), d.bids.map(raw))).not.toBe(3310070434);
  });

  it('strips the dot and leading zeros, keeps trailing zeros', () => {
    expect(checksumToken('0.00100000')).toBe('100000');
    expect(checksumToken('45285.2')).toBe('452852');
    expect(textAtPrecision('0.1', 8)).toBe('0.10000000');
    expect(textAtPrecision('1e-7', 8)).toBe('0.00000010');
  });

  it('keeps the wire text of book numbers through parsing', () => {
    const m = parseMessage(
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":45283.50,"qty":0.10000000}],"asks":[],"checksum":1}]}',
    );
    if (m.kind !== 'book') throw new Error('not a book');
    expect(m.books[0]!.bids[0]).toEqual({ price: 45283.5, qty: 0.1, priceText: '45283.50', qtyText: '0.10000000' });
  });

  it('applies updates: insert, replace, delete (qty 0), truncate to depth', () => {
    const b = new OrderBook('X', 3);
    const l = (price: number, qty: number): BookLevel => ({
      price,
      qty,
      priceText: price.toFixed(1),
      qtyText: qty.toFixed(8),
    });
    b.snapshot([l(10, 1), l(9, 1), l(8, 1)], [l(11, 1), l(12, 1)]);
    b.update([l(9.5, 2), l(9, 0)], [l(11, 0), l(10.5, 3)]);
    expect(b.bids.map((x) => x.price)).toEqual([10, 9.5, 8]);
    expect(b.asks.map((x) => x.price)).toEqual([10.5, 12]);
    b.update([l(10.2, 1)], []);
    expect(b.bids.map((x) => x.price)).toEqual([10.2, 10, 9.5]);
  });
});

describe('the real samples', () => {
  it('parse as Kraken documents them', () => {
    const hb = parseMessage(JSON.stringify(samples.get('heartbeat')!.message));
    expect(hb.kind).toBe('heartbeat');
    const t = parseMessage(JSON.stringify(samples.get('trade_update')!.message));
    expect(
      t.kind === 'trade' && t.trades.length === 2 && t.trades[0]!.price === 105944.2 && t.trades[1]!.side === 'sell',
    ).toBe(true);
    const o = parseMessage(JSON.stringify(samples.get('ohlc_update')!.message));
    expect(
      o.kind === 'ohlc' &&
        o.candles[0]!.intervalBegin === Date.parse('2023-10-04T16:25:00Z') &&
        o.candles[0]!.trades === 12,
    ).toBe(true);
    const tk = parseMessage(JSON.stringify(samples.get('ticker_snapshot')!.message));
    expect(tk.kind === 'ticker' && tk.tickers[0]!.bid === 105944.2).toBe(true);
    const ack = parseMessage(JSON.stringify(samples.get('subscribe_ack')!.message));
    expect(ack.kind === 'response' && ack.response.success && ack.response.reqId === 1).toBe(true);
    const add = parseMessage(JSON.stringify(samples.get('add_order_response')!.message));
    expect(add.kind === 'response' && add.response.result?.order_id === 'OABCDE-12345-FGHIJ').toBe(true);
    const bu = parseMessage(JSON.stringify(samples.get('book_update')!.message));
    expect(
      bu.kind === 'book' && bu.books[0]!.checksum === 2114181697 && bu.books[0]!.bids[0]!.qtyText === '1098.3947558',
    ).toBe(true);
  });

  it('parses the instrument snapshot (its data is an object: assets and pairs)', () => {
    const m = parseMessage(
      '{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"BTC","status":"enabled","precision":10}],"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","qty_precision":8,"qty_increment":0.00000001,"price_precision":1,"cost_precision":5,"marginable":true,"has_index":true,"cost_min":0.5,"tick_size":0.1,"price_increment":0.1,"qty_min":0.0001}]}}',
    );
    expect(m).toEqual({
      kind: 'instrument',
      pairs: [{ symbol: 'BTC/USD', pricePrecision: 1, qtyPrecision: 8, qtyMin: 0.0001, status: 'online' }],
    });
  });

  it('refuses malformed messages with the field named, never half-applied', () => {
    const err = (s: string): string => {
      try {
        parseMessage(s);
      } catch (e) {
        expect(e).toBeInstanceOf(LiveError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(
      err(
        '{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","interval":1,"interval_begin":"yesterday","open":1,"high":1,"low":1,"close":1,"volume":0}]}',
      ),
    ).toMatch(/interval_begin/);
    expect(
      err(
        '{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","interval":1,"interval_begin":"2023-10-04T16:25:00Z","open":1,"high":0.5,"low":1,"close":1,"volume":0}]}',
      ),
    ).toMatch(/not a valid candle/);
    expect(err('{"channel":"book","type":"update","data":[{"symbol":"X","bids":[],"asks":[],"checksum":-1}]}')).toMatch(
      /uint32/,
    );
    expect(err('not json')).toMatch(/not JSON/);
    expect(err('{"channel":"nope","data":[]}')).toMatch(/unknown channel/);
  });
});

describe('KrakenWsClient against the local server', () => {
  let server: KrakenTestServer;
  let client: KrakenWsClient | null = null;
  beforeEach(async () => {
    server = await new KrakenTestServer().start();
  });
  afterEach(async () => {
    client?.stop();
    client = null;
    await server.close();
  });

  it('verifies the checksum of the snapshot and of every update; a corrupted update is caught and the book resubscribed', async () => {
    // A seeded random walk of 200 updates on a 10-level book.
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const bids = Array.from({ length: 12 }, (_, i) => ({ price: 30000 - i * 0.5, qty: 0.1 + i / 100 }));
    const asks = Array.from({ length: 12 }, (_, i) => ({ price: 30000.5 + i * 0.5, qty: 0.2 + i / 100 }));
    server.setBook('BTC/USD', bids, asks);
    const mismatches: [number, number][] = [];
    client = new KrakenWsClient({
      url: server.url,
      subscriptions: [{ channel: 'instrument' }, { channel: 'book', symbols: ['BTC/USD'], depth: 10 }],
      handlers: { onChecksumMismatch: (_s, want, got) => mismatches.push([want, got]) },
    });
    await client.start();
    await waitFor(() => client!.books.has('BTC/USD'), 'the book snapshot');
    expect(client.stats.checksumOk).toBe(1);
    for (let k = 0; k < 200; k++) {
      const side = rnd() < 0.5 ? 'bid' : 'ask';
      const price = side === 'bid' ? 30000 - Math.floor(rnd() * 14) * 0.5 : 30000.5 + Math.floor(rnd() * 14) * 0.5;
      const qty = rnd() < 0.3 ? 0 : Math.round(rnd() * 1e8) / 1e8;
      if (side === 'bid') server.bookUpdate('BTC/USD', [{ price, qty }], []);
      else server.bookUpdate('BTC/USD', [], [{ price, qty }]);
    }
    await waitFor(() => client!.stats.checksumOk === 201, '201 verified checksums');
    expect(mismatches).toEqual([]);
    const serverSum = server.bookUpdate('BTC/USD', [{ price: 29999, qty: 1.23456789 }], [], true);
    await waitFor(() => mismatches.length === 1, 'the mismatch');
    expect(mismatches[0]).toEqual([(serverSum + 1) >>> 0, serverSum]);
    // The book was dropped and a fresh snapshot asked for: unsubscribe + subscribe reached the server.
    await waitFor(() => client!.books.has('BTC/USD'), 'the book after resubscribing');
    expect(server.received.filter((m) => m.method === 'unsubscribe').length).toBe(1);
    expect(client.books.get('BTC/USD')!.checksum()).toBe(serverSum);
    server.bookUpdate('BTC/USD', [{ price: 29999, qty: 0 }], []);
    await waitFor(() => client!.stats.checksumOk === 203, 'checksums verified again after the resync');
    expect(client.stats.checksumMismatches).toBe(1);
  });

  it("pads book numbers to the pair's precision from the instrument channel (a float round trip loses the digits)", async () => {
    server.padWire = false;
    server.setBook(
      'BTC/USD',
      [
        { price: 30000, qty: 0.1 },
        { price: 29999.5, qty: 1.5 },
      ],
      [{ price: 30000.5, qty: 0.25 }],
    );
    const mism: number[] = [];
    client = new KrakenWsClient({
      url: server.url,
      subscriptions: [{ channel: 'instrument' }, { channel: 'book', symbols: ['BTC/USD'] }],
      handlers: { onChecksumMismatch: (_s, w) => mism.push(w) },
    });
    await client.start();
    await waitFor(() => client!.stats.checksumOk === 1, 'the verified snapshot');
    expect(client.precision.get('BTC/USD')).toEqual({ price: 1, qty: 8, qtyMin: 0.0001 });
    expect(client.books.get('BTC/USD')!.bids[0]!.qtyText).toBe('0.10000000');
    server.bookUpdate('BTC/USD', [{ price: 29999, qty: 2 }], []);
    await waitFor(() => client!.stats.checksumOk === 2, 'the verified update');
    expect(mism).toEqual([]);
    client.stop();
    // Without the instrument channel the short text cannot give Kraken's digits: the mismatch is caught.
    client = new KrakenWsClient({
      url: server.url,
      subscriptions: [{ channel: 'book', symbols: ['BTC/USD'] }],
      handlers: { onChecksumMismatch: (_s, w) => mism.push(w) },
    });
    await client.start();
    await waitFor(() => mism.length >= 1, 'the mismatch');
  });

  it('passes the real samples through the socket', async () => {
    const got: string[] = [];
    client = new KrakenWsClient({
      url: server.url,
      subscriptions: [{ channel: 'ticker', symbols: ['BTC/USD'] }],
      handlers: { onMessage: (m) => got.push(m.kind) },
    });
    await client.start();
    for (const k of ['heartbeat', 'ticker_snapshot', 'trade_update', 'ohlc_update'])
      server.sendRaw(JSON.stringify(samples.get(k)!.message));
    await waitFor(() => got.includes('ohlc'), 'the samples');
    expect(got).toEqual(expect.arrayContaining(['status', 'heartbeat', 'ticker', 'trade', 'ohlc']));
    expect(client.stats.badMessages).toBe(0);
  });

  it('a stale feed is reported and the socket replaced; subscriptions are renewed', async () => {
    const stale: number[] = [];
    client = new KrakenWsClient({
      url: server.url,
      subscriptions: [{ channel: 'trade', symbols: ['BTC/USD'] }],
      staleAfterMs: 150,
      backoff: { initialMs: 20 },
      handlers: { onStale: (ms) => stale.push(ms) },
    });
    await client.start();
    const heart = setInterval(() => server.heartbeat(), 30);
    await sleep(300);
    expect(stale).toEqual([]);
    server.setSilent(true);
    await waitFor(() => stale.length >= 1, 'the stale report', 2000);
    expect(stale[0]).toBeGreaterThanOrEqual(150);
    server.setSilent(false);
    await waitFor(
      () => client!.stats.connects >= 2 && server.counts.subscribes >= 2,
      'a new connection with its subscription',
      3000,
    );
    clearInterval(heart);
  });

  it('follows the exchange status (cancel_only)', async () => {
    const seen: string[] = [];
    client = new KrakenWsClient({
      url: server.url,
      subscriptions: [{ channel: 'trade', symbols: ['BTC/USD'] }],
      handlers: { onStatus: (s) => seen.push(s) },
    });
    await client.start();
    await waitFor(() => client!.status === 'online', 'status online');
    server.setStatus('cancel_only');
    await waitFor(() => client!.status === 'cancel_only', 'status cancel_only');
    expect(seen).toEqual(['online', 'cancel_only']);
  });

  it('refuses a bad URL and an interval Kraken does not serve', () => {
    expect(() => new KrakenWsClient({ url: 'http://x', subscriptions: [] })).toThrow(/ws:\/\//);
    expect(
      () => new KrakenWsClient({ subscriptions: [{ channel: 'ohlc', symbols: ['BTC/USD'], interval: 2 }] }),
    ).toThrow(/interval 2/);
  });
});
