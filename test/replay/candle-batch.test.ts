// The ingest's binary COPY encoder against a real PostgreSQL: rows encoded by encodeCandleBatch and COPied into candles
// read back bit for bit (extreme doubles, -0, NULL trades/vwap, times before and after 2000-01-01, several series).
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectClient } from '../../replay/db/connect.ts';
import { ingestFile } from '../../replay/db/ingest.ts';
import { CandleBatch, encodeCandleBatch } from '../../replay/db/candle-batch.ts';
import { migrate } from '../../replay/db/migrate.ts';
import type { CandleRow } from '../../replay/columns.ts';
import { freshDatabase } from './helpers.ts';

let db: { url: string; drop: () => Promise<void> };
let c: pg.Client;
beforeAll(async () => {
  db = await freshDatabase('tg4_encoder');
  c = await connectClient(db.url);
  await migrate(c, db.url);
}, 60_000);
afterAll(async () => {
  await c?.end();
  await db?.drop();
});

const row = (
  time: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  trades: number,
  vwap: number,
): CandleRow => ({ time, open, high, low, close, volume, trades, vwap }) as CandleRow;

async function copy(sql: string, payload: Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = c.query(copyFrom(sql));
    s.on('error', reject);
    s.on('finish', resolve);
    s.end(payload);
  });
}

// Exact values: float8 as its IEEE bits in hex (so -0 and the last bit count), times as µs since the Unix epoch.
const READ = `SELECT symbol, timeframe, (extract(epoch FROM time) * 1000000)::bigint::text AS us,
  float8send(open)::text AS o, float8send(high)::text AS h, float8send(low)::text AS l, float8send(close)::text AS c,
  float8send(volume)::text AS v, trades, float8send(vwap)::text AS w FROM candles WHERE symbol LIKE 'ENC/%' ORDER BY symbol, timeframe, time`;
const hex = (x: number): string => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return `\\x${b.toString('hex')}`;
};

describe('binary COPY candle encoder', () => {
  it('rows read back exactly: -0, 1e-300, huge volumes, NULL trades/vwap, times before and after 2000, several series', async () => {
    const rows: [string, string, CandleRow][] = [
      ['ENC/A', '1m', row(Date.UTC(1970, 0, 1, 0, 1), -0, 1e-300, -1e308, 5e-324, 1.7976931348623157e308, 0, NaN)],
      [
        'ENC/A',
        '1m',
        row(
          Date.UTC(1999, 11, 31, 23, 59),
          0.1 + 0.2,
          16522.66,
          16522.65,
          // biome-ignore lint/correctness/noPrecisionLoss: the literal is the nearest double on purpose (round-trip test)
          16522.659999999998,
          123456789.12345678,
          2147483647,
          16522.655,
        ),
      ],
      ['ENC/A', '1m', row(Date.UTC(2000, 0, 1), 1, 2, 0.5, 1.5, 0, NaN, 1.25)],
      ['ENC/A', '1m', row(Date.UTC(2000, 0, 1, 0, 1), 1, 2, 0.5, 1.5, 0, 7, NaN)],
      ['ENC/B', '1h', row(Date.UTC(2263, 0, 1), Math.PI, Math.E, Number.MIN_VALUE, -0, 9.999999999999999e22, 3, -0)],
      ['ENC/Ünï', '1d', row(Date.UTC(1900, 5, 15), 42, 43, 41, 42.5, 1e-300, 1, 42.25)],
    ];
    const b = new CandleBatch(2); // tiny: forces growth
    for (const [s, tf, r] of rows) b.push(s, tf, r.time * 1000, r);
    expect(b.simple).toBe(false);
    await copy(
      'COPY candles (symbol, timeframe, time, open, high, low, close, volume, trades, vwap) FROM STDIN (FORMAT binary)',
      encodeCandleBatch(b, false),
    );
    const got = (await c.query(READ)).rows;
    const want = rows
      .map(([s, tf, r]) => ({
        symbol: s,
        timeframe: tf,
        us: String(r.time * 1000),
        o: hex(r.open),
        h: hex(r.high),
        l: hex(r.low),
        c: hex(r.close),
        v: hex(r.volume),
        trades: r.trades === r.trades ? r.trades : null,
        w: r.vwap === r.vwap ? hex(r.vwap) : null,
      }))
      .sort((x, y) =>
        x.symbol + x.timeframe < y.symbol + y.timeframe
          ? -1
          : x.symbol + x.timeframe > y.symbol + y.timeframe
            ? 1
            : Number(x.us) - Number(y.us),
      );
    expect(got).toEqual(want);
  });

  it('a simple batch (one series, ascending) keeps one symbol string and encodes the same bytes; withOrd numbers the rows', async () => {
    const simple = new CandleBatch(4);
    const mixed = new CandleBatch(4);
    const t0 = Date.UTC(2023, 0, 1);
    for (let i = 0; i < 1000; i++) {
      const r = row(
        t0 + i * 60_000,
        100 + i,
        101 + i,
        99 + i,
        100.5 + i,
        i * 0.001,
        i % 3 === 0 ? NaN : i,
        i % 5 === 0 ? NaN : 100.25 + i,
      );
      simple.push('ENC/S', '1m', r.time * 1000, r);
      mixed.push('ENC/S', '1m', r.time * 1000, r);
    }
    expect(simple.simple).toBe(true);
    expect(simple.sym.length).toBe(1);
    expect(encodeCandleBatch(simple, false).equals(encodeCandleBatch(mixed, false))).toBe(true);
    // The staging table's ord column carries each row's position (last-wins for JSONL depends on it).
    await c.query('BEGIN');
    await c.query(`CREATE TEMP TABLE enc_stage (ord integer, symbol text, timeframe text, time timestamptz, open float8, high float8,
      low float8, close float8, volume float8, trades integer, vwap float8) ON COMMIT DROP`);
    await copy('COPY enc_stage FROM STDIN (FORMAT binary)', encodeCandleBatch(simple, true));
    const r = await c.query<{ n: number; bad: number; nulls: number }>(`SELECT count(*)::int AS n,
      count(*) FILTER (WHERE time <> timestamptz '2023-01-01Z' + ord * interval '1 minute' OR open <> 100 + ord)::int AS bad,
      count(*) FILTER (WHERE trades IS NULL)::int AS nulls FROM enc_stage`);
    await c.query('COMMIT');
    expect(r.rows[0]).toEqual({ n: 1000, bad: 0, nulls: 334 });
  });

  it('a trade count beyond int4 is a DATA_ERROR, not a silently wrapped number', () => {
    const b = new CandleBatch();
    b.push('ENC/X', '1m', 0, row(0, 1, 1, 1, 1, 1, 2 ** 31, NaN));
    expect(() => encodeCandleBatch(b, false)).toThrow(/exceeds the int4 column/);
  });
});

describe('direct COPY into a range that already holds rows', () => {
  it('stores only the new rows of an overlapping file (first stored wins), counts the rest as duplicates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg4-enc-'));
    try {
      const t0 = 1672531200;
      const line = (i: number, price: number): string =>
        `${t0 + i * 60},${price},${price + 1},${price - 1},${price},1.5,${i}`;
      // a: minutes 0..299 (every third one missing); b: minutes 100..599 with other prices, so overlap and holes both occur.
      const a = Array.from({ length: 300 }, (_, i) => i)
        .filter((i) => i % 3 !== 0)
        .map((i) => line(i, 100));
      const b = Array.from({ length: 500 }, (_, k) => k + 100).map((i) => line(i, 200));
      writeFileSync(join(dir, 'a.csv'), `${a.join('\n')}\n`);
      writeFileSync(join(dir, 'b.csv'), `${b.join('\n')}\n`);
      const o = { symbol: 'ENC/OVL', timeframe: '1m', format: 'kraken-ohlcvt' as const, batchSize: 64 };
      const first = await ingestFile(c, db.url, { file: join(dir, 'a.csv'), ...o });
      expect([first.inserted, first.duplicates]).toEqual([200, 0]);
      const second = await ingestFile(c, db.url, { file: join(dir, 'b.csv'), ...o });
      const overlap = Array.from({ length: 200 }, (_, k) => k + 100).filter((i) => i % 3 !== 0).length; // stored by a
      expect([second.inserted, second.duplicates]).toEqual([500 - overlap, overlap]);
      const again = await ingestFile(c, db.url, { file: join(dir, 'b.csv'), ...o });
      expect([again.inserted, again.duplicates]).toEqual([0, 500]);
      const r = await c.query<{
        m: number;
        open: number;
      }>(`SELECT ((extract(epoch FROM time)::bigint - ${t0}) / 60)::int AS m, open
        FROM candles WHERE symbol = 'ENC/OVL' ORDER BY time`);
      const want = Array.from({ length: 600 }, (_, i) => i)
        .filter((i) => i >= 100 || i % 3 !== 0)
        .map((i) => ({ m: i, open: i < 300 && i % 3 !== 0 ? 100 : 200 }));
      expect(r.rows).toEqual(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
