// What a bad file must never do to an ingest (issue 20, items 8-12): store a wrapped timestamp, abort a `skip` ingest,
// lose a trade at a file boundary, store an off-grid bar or a hex number, or fail without saying what was committed.
// Against the real PostgreSQL of the test setup.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../../replay/db/connect.ts';
import { ingestFile } from '../../replay/db/ingest.ts';
import { migrate } from '../../replay/db/migrate.ts';
import { BinaryCopyWriter } from '../../replay/db/pg-binary.ts';
import { decimal, parseNumber } from '../../replay/csv/candle-parser.ts';
import { loadCsvWithReport } from '../../replay/load-csv.ts';
import { freshDatabase, tempDir } from './helpers.ts';

const run = promisify(execFile);
let db: { url: string; drop: () => Promise<void> };
let c: pg.Client;
const tmp = tempDir();

beforeAll(async () => {
  db = await freshDatabase('tg4_ingest_hard');
  c = await connectClient(db.url);
  await migrate(c, db.url);
});
afterAll(async () => {
  await c?.end();
  await db?.drop();
  tmp.cleanup();
});

const H = 3600;
const T0 = 1_672_531_200; // 2023-01-01T00:00:00Z
const bar = (t: number, p = 100): string => `${t},${p},${p + 1},${p - 1},${p},1,1`;

async function count(sql: string): Promise<number> {
  return Number((await c.query(sql)).rows[0]!.n);
}

describe('ingest hardening', () => {
  it('a Kraken row with a time beyond int64 µs is a bad row, never stored as 2000-01-01 (item 8)', async () => {
    const f = tmp.file('wrap.csv', [bar(T0), '18447690758510,3,3,3,3,1,1', bar(T0 + H)].join('\n'));
    const s = await ingestFile(c, db.url, { file: f, symbol: 'WRAP/USD', timeframe: '1h', format: 'kraken-ohlcvt' });
    expect([s.inserted, s.bad.length]).toEqual([2, 1]);
    expect(s.bad[0]!.reason).toMatch(/outside 1970-01-01/);
    expect(await count(`SELECT count(*) AS n FROM candles WHERE symbol = 'WRAP/USD' AND time < '2001-01-01'`)).toBe(0);
    // And the encoder itself never wraps.
    expect(() => new BinaryCopyWriter().timestampUs(18447690758510 * 1e6)).toThrow(RangeError);
  });

  it('under --on-error skip one out-of-range time skips that row only; the batch is stored (item 9)', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => bar(T0 + i * H));
    rows.splice(25, 0, '99999999999999,3,3,3,3,1,1', '-5,3,3,3,3,1,1');
    const f = tmp.file('skip.csv', rows.join('\n'));
    const s = await ingestFile(c, db.url, { file: f, symbol: 'SKIP/USD', timeframe: '1h', onError: 'skip' });
    expect([s.inserted, s.bad.map((b) => b.line)]).toEqual([50, [26, 27]]);
    expect(await count(`SELECT count(*) AS n FROM candles WHERE symbol = 'SKIP/USD'`)).toBe(50);
  });

  it('trades split across two files at one microsecond keep every trade; re-runs add none (item 10)', async () => {
    const a = tmp.file('t1.csv', ['1672531200.5,100,1', '1672531201.25,101,2', '1672531201.25,102,3'].join('\n'));
    // The second file starts with more trades of the microsecond the first ended on (a trade identical in price,
    // volume, side and id to a stored one at the same microsecond cannot be told from an overlap: it counts as stored).
    const b = tmp.file('t2.csv', ['1672531201.25,103,4', '1672531201.25,101,2.5', '1672531202,104,5'].join('\n'));
    const opts = { symbol: 'SPLIT/USD', format: 'trades' as const };
    const r1 = await ingestFile(c, db.url, { ...opts, file: a });
    const r2 = await ingestFile(c, db.url, { ...opts, file: b });
    expect([r1.inserted, r2.inserted, r2.duplicates]).toEqual([3, 3, 0]);
    const rows = await c.query(
      `SELECT seq, price FROM trades WHERE symbol = 'SPLIT/USD' AND time = to_timestamp(1672531201.25) ORDER BY seq`,
    );
    expect(rows.rows.map((r) => [r.seq, r.price])).toEqual([
      [0, 101],
      [1, 102],
      [2, 103],
      [3, 101],
    ]);
    for (const f of [a, b, a]) {
      const again = await ingestFile(c, db.url, { ...opts, file: f });
      expect([again.inserted, again.duplicates]).toEqual([0, 3]);
    }
    expect(await count(`SELECT count(*) AS n FROM trades WHERE symbol = 'SPLIT/USD'`)).toBe(6);
  });

  it('off-grid bars and hex numbers are reported, not stored as candles (item 11)', async () => {
    const f = tmp.file(
      'grid.csv',
      [
        bar(T0),
        bar(T0 + 1800),
        bar(T0 + H),
        `${T0 + 2 * H},0x10,17,15,16,1,1`,
        `0x${(T0 + 3 * H).toString(16)},1,2,1,1,1,1`,
      ].join('\n'),
    );
    const s = await ingestFile(c, db.url, { file: f, symbol: 'GRID/USD', timeframe: '1h', format: 'kraken-ohlcvt' });
    expect(s.inserted).toBe(2);
    expect(s.bad.map((b) => b.line)).toEqual([2, 4, 5]);
    expect(s.bad[0]!.reason).toMatch(/not on the 1h grid/);
    expect(await count(`SELECT count(*) AS n FROM candles WHERE symbol = 'GRID/USD'`)).toBe(2);
    // The number parser: plain decimals only.
    for (const x of ['0x10', '0b1', '0o7', ' ', '', 'Infinity', '1_000']) expect(decimal(x), x).toBeNaN();
    expect(parseNumber('0x10', 0, 4)).toBeNaN();
    expect([decimal('1e3'), decimal('-2.5'), decimal('.5')]).toEqual([1000, -2.5, 0.5]);
    // loadCsv refuses them too.
    const csv = tmp.file('hex.csv', [bar(T0), `${T0 + H},0x10,17,15,16,1,1`].join('\n'));
    expect(loadCsvWithReport(csv, { onError: 'skip', timeframe: '1h' }).bad).toHaveLength(1);
  });

  it('a truncated .gz says how many rows were committed before it failed (item 12)', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => bar(T0 + i * H, 100 + (i % 7)));
    const gz = gzipSync(Buffer.from(`${rows.join('\n')}\n`));
    const path = `${tmp.dir}/cut.csv.gz`;
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const err = await ingestFile(c, db.url, {
      file: path,
      symbol: 'CUT/USD',
      timeframe: '1h',
      format: 'kraken-ohlcvt',
      batchSize: 500,
    }).then(
      () => null,
      (e: unknown) => e as Error & { code: string; partial?: { inserted: number } },
    );
    if (err === null) throw new Error('the truncated file was ingested without an error');
    const stored = await count(`SELECT count(*) AS n FROM candles WHERE symbol = 'CUT/USD'`);
    expect(stored).toBeGreaterThan(0);
    expect(err.message).toMatch(/truncated|corrupt/);
    expect(err.message).toContain(`${stored} new rows stored`);
    expect(err.partial?.inserted).toBe(stored);
    expect(readFileSync(path).length).toBeLessThan(gz.length);
    // The CLI prints what is stored, then the one-line error, and exits 2.
    const cli = await run('node', [
      'bin/tg4.js',
      'data',
      'ingest',
      '--file',
      path,
      '--symbol',
      'CUT2/USD',
      '--timeframe',
      '1h',
      '--batch-size',
      '500',
      '--db',
      db.url,
    ]).catch((e: { stdout: string; stderr: string; code: number }) => e);
    const stored2 = await count(`SELECT count(*) AS n FROM candles WHERE symbol = 'CUT2/USD'`);
    expect((cli as { code: number }).code).toBe(2);
    expect((cli as { stdout: string }).stdout).toMatch(new RegExp(`inserted: ${stored2}\\n`));
    expect((cli as { stderr: string }).stderr).toMatch(new RegExp(`truncated.*${stored2} new rows stored`));
  }, 60_000);
});
