// Against the real PostgreSQL started by test/setup/postgres.ts (or TG4_PG_URL): one fresh database for this file.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLED,
  bundledPath,
  DataError,
  DbError,
  loadBundled,
  loadCsvWithReport,
  resample,
  type MarketFrame,
} from '../../replay/index.ts';
import { connectClient } from '../../replay/db/connect.ts';
import { dataInfo } from '../../replay/db/info.ts';
import { ingestFile } from '../../replay/db/ingest.ts';
import { migrate } from '../../replay/db/migrate.ts';
import { loadFromDb } from '../../replay/db/reader.ts';
import { freshDatabase, tempDir } from './helpers.ts';

const run = promisify(execFile);
let db: { url: string; drop: () => Promise<void> };
let c: pg.Client;
const tmp = tempDir();
const h1 = bundledPath(BUNDLED[0]!); // BTC/USD 1h
const m1 = bundledPath(BUNDLED[2]!); // BTC/USDC 1m

beforeAll(async () => {
  db = await freshDatabase('tg4_replay');
  c = await connectClient(db.url);
});
afterAll(async () => {
  await c?.end();
  await db?.drop();
  tmp.cleanup();
});

type Col = 'time' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'trades';
const ALL: readonly Col[] = ['time', 'open', 'high', 'low', 'close', 'volume', 'trades'];

function same(a: MarketFrame, b: MarketFrame, cols: readonly Col[] = ALL): void {
  expect(a.length).toBe(b.length);
  for (const k of cols) {
    const x = a[k]!;
    const y = b[k]!;
    let diff = -1;
    for (let i = 0; i < x.length; i++)
      if (!Object.is(x[i], y[i])) {
        diff = i;
        break;
      }
    expect(diff, `${k} differs at ${diff}: ${x[diff]} vs ${y[diff]}`).toBe(-1);
  }
}

describe('PostgreSQL replay store', () => {
  it('before migration: a missing table says to run tg4 db migrate', async () => {
    await expect(loadFromDb(c, db.url, { symbol: 'BTC/USD', timeframe: '1h' })).rejects.toThrow(/run `tg4 db migrate`/);
    await expect(ingestFile(c, db.url, { file: h1, symbol: 'BTC/USD', timeframe: '1h' })).rejects.toThrow(DbError);
  });

  it('migrates, and a second migrate is a no-op', async () => {
    const first = await migrate(c, db.url);
    expect(first.applied.map((m) => m.version)).toEqual([1, 2]);
    expect(['postgresql', 'timescaledb']).toContain(first.mode.mode);
    const second = await migrate(c, db.url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(2);
    const r = await c.query('SELECT count(*)::int AS n FROM tg4_migrations');
    expect(r.rows[0].n).toBe(2);
  });

  it('ingests the bundled data; a second ingest adds 0 rows', async () => {
    const a = await ingestFile(c, db.url, { file: h1, symbol: 'XBTUSD', timeframe: '1h', batchSize: 10_000 });
    expect([a.rowsRead, a.inserted, a.duplicates, a.bad.length, a.batches]).toEqual([32_800, 32_800, 0, 0, 4]);
    expect(a.series).toEqual(['BTC/USD 1h']);
    const b = await ingestFile(c, db.url, { file: h1, symbol: 'BTC/USD', timeframe: '1h', batchSize: 10_000 });
    expect([b.rowsRead, b.inserted, b.duplicates]).toEqual([32_800, 0, 32_800]);
    const m = await ingestFile(c, db.url, { file: m1, symbol: 'BTC/USDC', timeframe: '1m' });
    expect([m.inserted, m.duplicates]).toEqual([56_717, 0]);
    const again = await ingestFile(c, db.url, { file: m1, symbol: 'BTC/USDC', timeframe: '1m' });
    expect([again.inserted, again.duplicates]).toEqual([0, 56_717]);
  });

  it('reads back exactly what went in (raw rows and with the gap policy)', async () => {
    const csv = loadCsvWithReport(h1, { symbol: 'BTC/USD', timeframe: '1h', gaps: 'keep' }).frame;
    const fromDb = await loadFromDb(c, db.url, { symbol: 'BTC/USD', timeframe: '1h', gaps: 'keep' });
    same(fromDb, csv);
    expect(fromDb.vwap).toBeUndefined();
    same(await loadFromDb(c, db.url, { symbol: 'BTC/USD', timeframe: '1h' }), loadBundled());
    const m = await loadFromDb(c, db.url, { symbol: 'btcusdc', timeframe: '1m', from: '2023-02-01', to: '2023-02-08' });
    same(m, loadBundled({ symbol: 'BTC/USDC', timeframe: '1m', from: '2023-02-01', to: '2023-02-08' }));
    expect([...m.filled!]).toEqual([
      ...loadBundled({ symbol: 'BTC/USDC', timeframe: '1m', from: '2023-02-01', to: '2023-02-08' }).filled!,
    ]);
  });

  it('the database aggregates of 1m (views / continuous aggregates) equal the TypeScript resample', async () => {
    const base = loadBundled({ symbol: 'BTC/USDC', timeframe: '1m', gaps: 'keep' });
    for (const tf of ['5m', '15m', '1h', '4h', '1d']) {
      const ts = resample(base, tf);
      const fromDb = await loadFromDb(c, db.url, { symbol: 'BTC/USDC', timeframe: tf, gaps: 'keep' });
      same(fromDb, ts, ['time', 'open', 'high', 'low', 'close', 'trades']);
      let worst = 0;
      for (let i = 0; i < ts.length; i++)
        worst = Math.max(worst, Math.abs(fromDb.volume[i]! - ts.volume[i]!) / Math.max(1e-12, ts.volume[i]!));
      expect(worst).toBeLessThan(1e-9); // sums in another order
    }
    // With the default gap policy: the same frame as the bundled loader's (fill, then resample), filled flags included.
    const dbFilled = await loadFromDb(c, db.url, { symbol: 'BTC/USDC', timeframe: '15m', from: '2023-02-01' });
    const tsFilled = loadBundled({ symbol: 'BTC/USDC', timeframe: '15m', from: '2023-02-01' });
    same(dbFilled, tsFilled, ['time', 'open', 'high', 'low', 'close', 'trades']);
    expect([...dbFilled.filled!]).toEqual([...tsFilled.filled!]);
    // 4h of the 1h series (not an aggregate view: resampled from the stored 1h rows).
    same(await loadFromDb(c, db.url, { symbol: 'BTC/USD', timeframe: '4h' }), loadBundled({ timeframe: '4h' }));
  });

  it('bad inputs: wrong URL, unknown database, unknown symbol, unknown timeframe, empty range', async () => {
    await expect(connectClient('postgres://postgres@127.0.0.1:1/x')).rejects.toThrow(
      /ECONNREFUSED\): nothing listens there: start PostgreSQL or fix the host\/port/,
    );
    const u = new URL(db.url);
    u.pathname = '/no_such_db';
    await expect(connectClient(u.toString())).rejects.toThrow(/database does not exist: create it/);
    const err = await loadFromDb(c, db.url, { symbol: 'DOGE/USD', timeframe: '1h' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe("no candles for symbol 'DOGE/USD': the database has BTC/USD, BTC/USDC");
    await expect(loadFromDb(c, db.url, { symbol: 'BTC/USD', timeframe: '1m' })).rejects.toThrow(
      /BTC\/USD has 1h candles; 1m is neither stored nor a multiple/,
    );
    await expect(
      loadFromDb(c, db.url, { symbol: 'BTC/USD', timeframe: '1h', from: '2024-01-01', to: '2024-02-01' }),
    ).rejects.toThrow(
      'no BTC/USD 1h bars in [2024-01-01T00:00:00Z, 2024-02-01T00:00:00Z): stored 1h data cover 2017-01-01T00:00:00Z → 2020-09-30T23:00:00Z',
    );
  });

  it('a malformed row is reported with its line; --on-error stop stores no half batch, and a re-run completes the import', async () => {
    const lines = gunzipSync(readFileSync(m1)).toString('utf8').trim().split('\n').slice(0, 1000);
    lines[749] = lines[749]!.replace(/^(\d+),[^,]+/, '$1,oops'); // line 750
    const p = tmp.file('bad.csv', lines.join('\n'));
    const count = async (): Promise<number> =>
      (await c.query(`SELECT count(*)::int AS n FROM candles WHERE symbol = 'TEST/BAD'`)).rows[0].n;
    await expect(
      ingestFile(c, db.url, { file: p, symbol: 'TEST/BAD', timeframe: '1m', batchSize: 200, onError: 'stop' }),
    ).rejects.toThrow(/bad\.csv:750: bad row .*600 rows from 3 earlier batch\(es\) are stored/);
    expect(await count()).toBe(600); // batches 1–3 committed; the 149 rows of batch 4 are not stored
    const s = await ingestFile(c, db.url, {
      file: p,
      symbol: 'TEST/BAD',
      timeframe: '1m',
      batchSize: 200,
      onError: 'skip',
    });
    expect(s.bad.map((b) => b.line)).toEqual([750]);
    expect([s.rowsRead, s.inserted, s.duplicates]).toEqual([1000, 399, 600]);
    expect(await count()).toBe(999);
  });

  it('a database failure mid-import rolls back exactly the batch in flight; a re-run completes it', async () => {
    // A trigger that fails on one row stands in for a lost connection or a full disk half way through.
    await c.query(`CREATE FUNCTION tg4_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.symbol = 'TEST/FAIL' AND NEW.time = to_timestamp(1672531200 + 60 * 450) THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
    await c.query(
      'CREATE TRIGGER tg4_test_fail BEFORE INSERT ON candles FOR EACH ROW EXECUTE FUNCTION tg4_test_fail()',
    );
    const rows = Array.from({ length: 1000 }, (_, i) => `${1672531200 + 60 * i},100,101,99,100.5,1,3`);
    const p = tmp.file('fail.csv', rows.join('\n'));
    const count = async (): Promise<number> =>
      (await c.query(`SELECT count(*)::int AS n FROM candles WHERE symbol = 'TEST/FAIL'`)).rows[0].n;
    await expect(
      ingestFile(c, db.url, { file: p, symbol: 'TEST/FAIL', timeframe: '1m', batchSize: 200 }),
    ).rejects.toThrow(/batch 3 rolled back; earlier batches are stored, re-run to complete.*injected failure/);
    expect(await count()).toBe(400); // batches 1-2; nothing of batch 3 (rows 400-599)
    await c.query('DROP TRIGGER tg4_test_fail ON candles');
    const s = await ingestFile(c, db.url, { file: p, symbol: 'TEST/FAIL', timeframe: '1m', batchSize: 200 });
    expect([s.inserted, s.duplicates]).toEqual([600, 400]);
    expect(await count()).toBe(1000);
  });

  it('ingests trade ticks and JSONL event logs (Kraken WS v2 messages and TG4 events), idempotently', async () => {
    const trades = tmp.file(
      'trades.csv',
      [
        '1672531200.1234,16500.5,0.01',
        '1672531200.1234,16500.6,0.02',
        '1672531201,16501,0.5',
        '1672531202.5,16502,0.25,s',
      ].join('\n'),
    );
    const t1 = await ingestFile(c, db.url, { file: trades, symbol: 'BTC/USD', format: 'trades' });
    expect([t1.inserted, t1.duplicates]).toEqual([4, 0]);
    const t2 = await ingestFile(c, db.url, { file: trades, symbol: 'BTC/USD', format: 'trades' });
    expect([t2.inserted, t2.duplicates]).toEqual([0, 4]);
    const tr = await c.query(
      `SELECT seq, price, side, extract(epoch FROM time)::text AS t FROM trades WHERE symbol = 'BTC/USD' ORDER BY time, seq`,
    );
    expect(tr.rows.map((r) => [r.t, r.seq, r.price, r.side])).toEqual([
      ['1672531200.123400', 0, 16500.5, null],
      ['1672531200.123400', 1, 16500.6, null],
      ['1672531201.000000', 0, 16501, null],
      ['1672531202.500000', 0, 16502, 's'],
    ]);
    const jsonl = tmp.file(
      'bot.jsonl',
      [
        JSON.stringify({ channel: 'heartbeat' }),
        JSON.stringify({
          channel: 'ohlc',
          type: 'update',
          data: [
            {
              symbol: 'ETH/USD',
              interval: 5,
              interval_begin: '2023-10-04T16:25:00.000000000Z',
              open: 100,
              high: 101,
              low: 99,
              close: 100.5,
              volume: 2,
              vwap: 100.2,
              trades: 3,
            },
          ],
        }),
        JSON.stringify({
          ts: 1,
          message: {
            channel: 'ohlc',
            type: 'update',
            data: [
              {
                symbol: 'ETH/USD',
                interval: 5,
                interval_begin: '2023-10-04T16:25:00Z',
                open: 100,
                high: 102,
                low: 99,
                close: 101.5,
                volume: 3,
                vwap: 100.9,
                trades: 5,
              },
            ],
          },
        }),
        '{"channel":"ohlc", not json',
        JSON.stringify({
          channel: 'trade',
          type: 'update',
          data: [
            {
              symbol: 'ETH/USD',
              side: 'buy',
              price: 101.5,
              qty: 0.5,
              ord_type: 'market',
              trade_id: 77,
              timestamp: '2023-10-04T16:26:01.123456Z',
            },
          ],
        }),
        JSON.stringify({
          type: 'bar',
          symbol: 'ETH/USD',
          timeframe: '5m',
          time: Date.UTC(2023, 9, 4, 16, 30),
          open: 101.5,
          high: 103,
          low: 101,
          close: 102,
          volume: 1,
        }),
        JSON.stringify({ type: 'fill', order: 1 }),
        JSON.stringify({
          ts: '2023-10-04T16:27:00Z',
          message: {
            channel: 'book',
            type: 'snapshot',
            data: [
              {
                symbol: 'ETH/USD',
                bids: [
                  { price: 101.4, qty: 2 },
                  { price: 101.3, qty: 5 },
                ],
                asks: [{ price: 101.6, qty: 1 }],
                checksum: 1,
              },
            ],
          },
        }),
        JSON.stringify({
          channel: 'book',
          type: 'update',
          data: [{ symbol: 'ETH/USD', bids: [{ price: 101.4, qty: 0 }], asks: [], timestamp: '2023-10-04T16:27:01Z' }],
        }),
        JSON.stringify({
          type: 'book',
          symbol: 'ETH/USD',
          time: '2023-10-04T16:28:00Z',
          bids: [[101.5, 1]],
          asks: [
            [101.7, 3],
            [101.8, 4],
          ],
        }),
        JSON.stringify({ channel: 'book', type: 'snapshot', data: [{ symbol: 'ETH/USD', bids: [], asks: [] }] }),
      ].join('\n'),
    );
    const j1 = await ingestFile(c, db.url, { file: jsonl });
    expect(j1.format).toBe('jsonl');
    expect([j1.rowsRead, j1.inserted, j1.ignored]).toEqual([11, 3 + 6, 3]); // 2 candles, 1 trade, 6 book levels
    expect(j1.bad.map((b) => [b.line, b.reason.split(' (')[0]])).toEqual([
      [4, 'not JSON'],
      [11, 'book snapshot without a timestamp'],
    ]);
    const bk = await c.query(
      `SELECT extract(epoch FROM time)::int AS t, side, level, price, volume FROM book_snapshots WHERE symbol = 'ETH/USD' ORDER BY time, side DESC, level`,
    );
    expect(bk.rows.map((r) => [r.t - 1696436820, r.side, r.level, r.price, r.volume])).toEqual([
      [0, 'b', 0, 101.4, 2],
      [0, 'b', 1, 101.3, 5],
      [0, 'a', 0, 101.6, 1],
      [60, 'b', 0, 101.5, 1],
      [60, 'a', 0, 101.7, 3],
      [60, 'a', 1, 101.8, 4],
    ]);
    const k = await c.query(
      `SELECT close, volume, trades, vwap FROM candles WHERE symbol = 'ETH/USD' AND timeframe = '5m' ORDER BY time`,
    );
    expect(k.rows).toEqual([
      { close: 101.5, volume: 3, trades: 5, vwap: 100.9 },
      { close: 102, volume: 1, trades: null, vwap: null },
    ]); // last update wins
    const j2 = await ingestFile(c, db.url, { file: jsonl });
    expect([j2.inserted, j2.updated]).toEqual([0, 0]);
    const info = await dataInfo(c, db.url);
    expect(info.candles.find((s) => s.symbol === 'BTC/USD' && s.timeframe === '1h')).toMatchObject({
      rows: 32_800,
      gaps: { missingBars: 56, largest: 23 },
    });
    expect(info.trades.map((t) => [t.symbol, t.rows])).toEqual([
      ['BTC/USD', 4],
      ['ETH/USD', 1],
    ]);
    expect(info.books.map((b) => [b.symbol, b.snapshots, b.levels])).toEqual([['ETH/USD', 2, 6]]);
  });

  it('CLI: tg4 data ingest prints the summary; errors are one line with the fix', async () => {
    const p = tmp.file(
      'XBTUSD_60.csv',
      gunzipSync(readFileSync(h1)).toString('utf8').split('\n').slice(0, 500).join('\n'),
    );
    const ok = await run('node', [
      'bin/tg4.js',
      'data',
      'ingest',
      '--file',
      p,
      '--symbol',
      'LTC/USD',
      '--timeframe',
      '1h',
      '--db',
      db.url,
    ]);
    expect(ok.stdout).toMatch(/rows read: 500\n {2}inserted: 500\n {2}duplicates skipped: 0\n {2}bad rows: 0/);
    const bad = await run('node', ['bin/tg4.js', 'db', 'status', '--db', 'postgres://postgres@127.0.0.1:1/x']).catch(
      (e: { stderr: string; code: number }) => e,
    );
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr.trim()).toBe(
      'tg4: error [DB_ERROR]: cannot use PostgreSQL at postgres://postgres@127.0.0.1:1/x (ECONNREFUSED): nothing listens there: start PostgreSQL or fix the host/port',
    );
  }, 60_000);
});
