// DataManager and its parts: closed-bar detection from Kraken's ohlc updates (the next interval, the timer, gaps, late
// and duplicate updates), warm-up from Kraken's REST OHLC (an injected fetch answering Kraken's JSON), and closed bars
// written to PostgreSQL idempotently with `tg4 data ingest` (a real database from the test setup).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile, migrate } from '../../replay/index.ts';
import { BarAssembler } from '../../src/live/bar-assembler.ts';
import { BarStore } from '../../src/live/bar-store.ts';
import type { ClosedBar } from '../../src/live/candle-series.ts';
import { DataManager } from '../../src/live/data-manager.ts';
import type { OhlcCandle } from '../../src/live/kraken/messages.ts';
import { krakenRestOhlc, loadWarmup, restPair } from '../../src/live/warmup.ts';
import { freshDatabase } from '../replay/helpers.ts';
import { loadBundled } from '../../replay/index.ts';
import { LiveLoop } from '../../src/live/loop.ts';
import { baselinePolicy } from '../../src/live/policy.ts';
import { feedBars } from './helpers.ts';

const M = 60_000;
const T0 = Date.parse('2026-01-05T10:00:00Z');
const candle = (k: number, close: number, over: Partial<OhlcCandle> = {}): OhlcCandle => ({
  symbol: 'BTC/USD',
  interval: 1,
  intervalBegin: T0 + k * M,
  open: 100,
  high: Math.max(100, close),
  low: Math.min(100, close),
  close,
  volume: 1,
  vwap: close,
  trades: 3,
  ...over,
});

describe('BarAssembler', () => {
  it('closes a bar when the next interval begins, keeps its last update, fills intervals with no trade', () => {
    const out: ClosedBar[] = [];
    const a = new BarAssembler('BTC/USD', '1m', M, (b) => out.push(b), 2000);
    a.seed(T0 - M, 99);
    a.onCandle(candle(0, 101));
    a.onCandle(candle(0, 102));
    expect(out).toEqual([]);
    a.onCandle(candle(1, 103));
    expect(out.map((b) => [b.time, b.close, b.filled])).toEqual([[T0, 102, false]]);
    a.onCandle(candle(4, 104)); // intervals 2 and 3 had no trade
    expect(out.map((b) => [b.time - T0, b.close, b.volume, b.filled])).toEqual([
      [0, 102, 1, false],
      [M, 103, 1, false],
      [2 * M, 103, 0, true],
      [3 * M, 103, 0, true],
    ]);
    // A snapshot after a reconnect re-sends closed bars: ignored, counted.
    a.onCandle(candle(1, 103));
    a.onCandle(candle(3, 103));
    expect(a.stats.duplicates).toBe(2);
    expect(out.length).toBe(4);
  });

  it('the timer closes a quiet bar after its interval + grace, fills empty intervals, and ignores a late update', () => {
    const out: ClosedBar[] = [];
    const a = new BarAssembler('BTC/USD', '1m', M, (b) => out.push(b), 2000);
    a.seed(T0 - M, 99);
    a.onCandle(candle(0, 101));
    a.onTimer(T0 + M + 1999);
    expect(out).toEqual([]);
    a.onTimer(T0 + M + 2000);
    expect(out.map((b) => b.time)).toEqual([T0]);
    a.onCandle(candle(0, 150)); // a trade of the closed interval, reported late
    expect(a.stats.late).toBe(1);
    expect(out.length).toBe(1);
    a.onTimer(T0 + 3 * M + 2000); // two whole intervals with nothing: flat bars at the last close
    expect(out.map((b) => [b.time - T0, b.close, b.filled])).toEqual([
      [0, 101, false],
      [M, 101, true],
      [2 * M, 101, true],
    ]);
    expect(a.stats.closedByTimer).toBe(1);
  });
});

describe('DataManager', () => {
  it('routes ohlc messages per symbol and interval, keeps trades, and subscribes to what it keeps', () => {
    const bars: ClosedBar[] = [];
    const dm = new DataManager({
      symbols: ['XBTUSD', 'ETH/USD'],
      timeframes: ['1m', '5m'],
      keepTrades: 2,
      onBar: (b) => bars.push(b),
    });
    expect(dm.symbols).toEqual(['BTC/USD', 'ETH/USD']);
    expect(dm.subscriptions().map((s) => `${s.channel}${'interval' in s ? s.interval : ''}`)).toEqual([
      'instrument',
      'ohlc1',
      'ohlc5',
      'book',
      'trade',
      'ticker',
    ]);
    dm.handle({ kind: 'ohlc', snapshot: false, candles: [candle(0, 101), candle(0, 101, { symbol: 'ETH/USD' })] }, 0);
    dm.handle({ kind: 'ohlc', snapshot: false, candles: [candle(1, 102), candle(0, 101, { interval: 5 })] }, 0);
    expect(bars.map((b) => `${b.symbol} ${b.timeframe}`)).toEqual(['BTC/USD 1m']);
    expect(dm.candles('BTC/USD', '1m').length).toBe(1);
    const tr = { symbol: 'BTC/USD', side: 'buy' as const, price: 1, qty: 1, ordType: 'market', tradeId: 1, time: 0 };
    dm.handle({ kind: 'trade', snapshot: false, trades: [tr, { ...tr, tradeId: 2 }, { ...tr, tradeId: 3 }] }, 0);
    expect(dm.recentTrades('BTC/USD').map((t) => t.tradeId)).toEqual([2, 3]);
    dm.handle({ kind: 'ticker', tickers: [{ symbol: 'ETH/USD', bid: 1, ask: 2, last: 1.5, volume: 9 }] }, 0);
    expect(dm.tickers.get('ETH/USD')?.ask).toBe(2);
    expect(() => new DataManager({ symbols: ['BTC/USD'], timeframes: ['2m'] })).toThrow(/Kraken's ohlc channel serves/);
  });
});

describe('warm-up from Kraken REST OHLC', () => {
  const rows = [
    [T0 / 1000, '100.0', '101.0', '99.0', '100.5', '100.2', '2.5', 7],
    [T0 / 1000 + 60, '100.5', '102.0', '100.0', '101.5', '101.0', '1.0', 3],
    // T0+2m had no trade; T0+3m is the interval still open (dropped)
    [T0 / 1000 + 180, '101.5', '101.5', '101.0', '101.2', '101.3', '0.5', 1],
  ];
  const fetchOk = async (url: string) => ({
    ok: true,
    status: 200,
    text: async () => JSON.stringify({ error: [], result: { XXBTZUSD: rows, last: T0 / 1000 + 120 }, url }),
  });

  it('parses Kraken rows, fills the gap, drops the open interval', async () => {
    const urls: string[] = [];
    const f = await krakenRestOhlc({
      source: 'kraken',
      symbol: 'BTC/USD',
      timeframe: '1m',
      until: T0 + 3 * M,
      fetch: async (u) => {
        urls.push(u);
        return fetchOk(u);
      },
    });
    expect(urls[0]).toBe('https://api.kraken.com/0/public/OHLC?pair=XBTUSD&interval=1');
    expect(Array.from(f.time)).toEqual([T0, T0 + M, T0 + 2 * M]);
    expect(Array.from(f.close)).toEqual([100.5, 101.5, 101.5]);
    expect(Array.from(f.filled!)).toEqual([0, 0, 1]);
    expect(Array.from(f.vwap!.subarray(0, 2))).toEqual([100.2, 101.0]);
    expect(restPair('ETH/USD')).toBe('ETHUSD');
  });

  it('reports Kraken errors and bad answers clearly', async () => {
    const answer =
      (body: unknown, ok = true) =>
      async () => ({ ok, status: ok ? 200 : 503, text: async () => JSON.stringify(body) });
    const base = { source: 'kraken', symbol: 'BTC/USD', timeframe: '1m', until: T0 + 3 * M };
    await expect(krakenRestOhlc({ ...base, fetch: answer({ error: ['EQuery:Unknown asset pair'] }) })).rejects.toThrow(
      /Unknown asset pair/,
    );
    await expect(krakenRestOhlc({ ...base, fetch: answer({}, false) })).rejects.toThrow(/HTTP 503/);
    await expect(krakenRestOhlc({ ...base, fetch: answer({ error: [], result: { X: [[1, 'a']] } }) })).rejects.toThrow(
      /row 0/,
    );
    await expect(
      krakenRestOhlc({ ...base, fetch: async () => Promise.reject(new Error('ECONNREFUSED')) }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('loads the bundled data up to a time, keeping only the last bars asked for', async () => {
    const f = await loadWarmup({
      source: 'bundled',
      symbol: 'BTC/USD',
      timeframe: '1h',
      until: Date.parse('2019-01-01T00:00:00Z'),
      maxBars: 500,
    });
    expect(f.length).toBe(500);
    expect(f.time[f.length - 1]).toBe(Date.parse('2018-12-31T23:00:00Z'));
  });
});

describe('closed bars into PostgreSQL', () => {
  let db: { url: string; drop: () => Promise<void> };
  let dir: string;
  beforeAll(async () => {
    db = await freshDatabase('tg4_live_bars');
    const c = new pg.Client(db.url);
    await c.connect();
    await migrate(c, db.url);
    await c.end();
    dir = mkdtempSync(join(tmpdir(), 'tg4-live-db-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores real bars once (not the filled ones) and agrees with tg4 data ingest of the same interval', async () => {
    const store = await BarStore.open(db.url);
    const bar = (k: number, filled = false): ClosedBar => ({
      symbol: 'BTC/USD',
      timeframe: '1m',
      time: T0 + k * M,
      open: 100 + k,
      high: 101 + k,
      low: 99 + k,
      close: 100.5 + k,
      volume: 2,
      trades: 4,
      vwap: Number.NaN,
      filled,
    });
    for (const b of [bar(0), bar(1), bar(2, true), bar(3), bar(1)]) store.write(b);
    await store.flush();
    expect(store.counts).toEqual({ inserted: 3, present: 1, failed: 0 });
    await store.close();
    // The archive of the same minutes (Kraken OHLCVT layout), plus one more: only the new minute is stored.
    const csv = [0, 1, 3, 4]
      .map((k) => `${(T0 + k * M) / 1000},${100 + k},${101 + k},${99 + k},${100.5 + k},2,4`)
      .join('\n');
    const file = join(dir, 'XBTUSD_1.csv');
    writeFileSync(file, `${csv}\n`);
    const c = new pg.Client(db.url);
    await c.connect();
    const sum = await ingestFile(c, db.url, { file, symbol: 'BTC/USD', timeframe: '1m' });
    expect([sum.inserted, sum.duplicates]).toEqual([1, 3]);
    const r = await c.query<{ n: string }>(
      `SELECT count(*) AS n FROM candles WHERE symbol = 'BTC/USD' AND timeframe = '1m'`,
    );
    expect(Number(r.rows[0]!.n)).toBe(4);
    await c.end();
  });

  it('the live loop writes every real closed bar of the feed (not the gap fills) when a database is configured', async () => {
    const frame = loadBundled({ symbol: 'BTC/USD', timeframe: '1h' });
    const A = 22_190; // bars 22198–22200 had no trade
    const loop = await LiveLoop.create({
      symbols: ['BTC/USD'],
      timeframe: '1h',
      policies: [(ctx) => baselinePolicy('buy-and-hold', ctx)],
      bookDepth: 0,
      keepTrades: 0,
      warmup: { source: 'bundled', until: frame.time[A]! },
      db: db.url,
    });
    feedBars(loop, frame, A, A + 20);
    await loop.stop();
    const c = new pg.Client(db.url);
    await c.connect();
    const r = await c.query<{ n: string }>(
      `SELECT count(*) AS n FROM candles WHERE symbol = 'BTC/USD' AND timeframe = '1h'`,
    );
    await c.end();
    expect(Number(r.rows[0]!.n)).toBe(20 - 3); // bars A … A+19 closed, three of them gap fills
  });
});
