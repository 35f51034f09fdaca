// How ingest stores a parsed batch (see ingest.ts for the whole flow): the staging tables and the binary COPY into them,
// the move into the real tables, the direct COPY fast path for a fresh candle range, and the multi-row INSERT baseline.
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import { BinaryCopyWriter } from './pg-binary.ts';
import { type CandleBatch, encodeCandleBatch } from './candle-batch.ts';
import { copyOutColumns } from './copy-out.ts';

/** Rows encoded as they are pushed, straight into the binary COPY payload of their staging table. */
class StagedRows {
  length = 0;
  protected readonly w = new BinaryCopyWriter();
  /** The payload of the rows pushed so far, with its trailer (call once, then drop the batch). */
  payload(): Buffer {
    return this.w.finish();
  }
}

/** Trades for tg4_stage_trades2 (COPY_STAGE_TRADES's columns); ord is the row's place in the batch. */
export class TradeBatch extends StagedRows {
  /** `dup`: how many trades with the same symbol, time, price, volume, side and id came before this one in the file. */
  push(sym: string, tUs: number, dup: number, p: number, v: number, side: string, id: number): void {
    const w = this.w;
    w.row(8);
    w.text(sym);
    w.timestampUs(tUs);
    w.int4(this.length++);
    w.int4(dup);
    w.float8(p);
    w.float8(v);
    if (side) w.text(side);
    else w.null();
    w.int8(id);
  }
}

/** Book levels for tg4_stage_book (COPY_STAGE_BOOK's columns). */
export class BookBatch extends StagedRows {
  push(sym: string, tUs: number, side: string, level: number, p: number, v: number): void {
    const w = this.w;
    w.row(6);
    w.text(sym);
    w.timestampUs(tUs);
    w.text(side);
    w.int2(level);
    w.float8(p);
    w.float8(v);
    this.length++;
  }
}

export const STAGE_SQL = `
  CREATE TEMP TABLE IF NOT EXISTS tg4_stage_candles (ord integer, symbol text, timeframe text, time timestamptz,
    open float8, high float8, low float8, close float8, volume float8, trades integer, vwap float8) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS tg4_stage_trades2 (symbol text, time timestamptz, ord integer, dup integer,
    price float8, volume float8, side char(1), trade_id bigint) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS tg4_stage_book (symbol text, time timestamptz, side char(1), level smallint, price float8,
    volume float8) ON COMMIT DELETE ROWS;`;

const CANDLE_COLS = 'symbol, timeframe, time, open, high, low, close, volume, trades, vwap';
export const STAGE_TO_CANDLES = `INSERT INTO candles (${CANDLE_COLS}) SELECT ${CANDLE_COLS} FROM tg4_stage_candles ON CONFLICT DO NOTHING`;
// Last update of an interval wins; rows whose values did not change are not counted as updated.
export const STAGE_UPSERT_CANDLES = `WITH src AS (
    SELECT DISTINCT ON (symbol, timeframe, time) * FROM tg4_stage_candles ORDER BY symbol, timeframe, time, ord DESC),
  up AS (
    INSERT INTO candles (${CANDLE_COLS}) SELECT ${CANDLE_COLS} FROM src
    ON CONFLICT (symbol, timeframe, time) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
      close = EXCLUDED.close, volume = EXCLUDED.volume, trades = EXCLUDED.trades, vwap = EXCLUDED.vwap
    WHERE (candles.open, candles.high, candles.low, candles.close, candles.volume, candles.trades, candles.vwap)
      IS DISTINCT FROM (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.volume, EXCLUDED.trades, EXCLUDED.vwap)
    RETURNING (xmax = 0) AS fresh)
  SELECT count(*) FILTER (WHERE fresh)::int AS inserted, count(*) FILTER (WHERE NOT fresh)::int AS updated FROM up`;
// Trades have no natural key: (symbol, time, seq) with seq the trade's place among those of its microsecond. A staged trade
// is already stored when the stored trades of its microsecond hold as many identical ones (same price, volume, side, id)
// as came before it in the file (a re-run, or the same rows in two overlapping files); the others are new and get the
// seqs after the stored ones, in file order. So a file that continues a microsecond where the previous file ended adds
// its trades instead of colliding with seq 0 (identical trades at one microsecond are told apart only by their count).
export const STAGE_TO_TRADES = `WITH keys AS (SELECT DISTINCT symbol, time FROM tg4_stage_trades2),
  stored AS (
    SELECT t.symbol, t.time, t.seq, t.price, t.volume, t.side, t.trade_id,
      row_number() OVER (PARTITION BY t.symbol, t.time, t.price, t.volume, t.side, t.trade_id ORDER BY t.seq) - 1 AS dup
    FROM trades t JOIN keys k ON t.symbol = k.symbol AND t.time = k.time),
  fresh AS (
    SELECT s.* FROM tg4_stage_trades2 s WHERE NOT EXISTS (
      SELECT 1 FROM stored x WHERE x.symbol = s.symbol AND x.time = s.time AND x.price = s.price AND x.volume = s.volume
        AND x.side IS NOT DISTINCT FROM s.side AND x.trade_id IS NOT DISTINCT FROM s.trade_id AND x.dup = s.dup)),
  top AS (SELECT symbol, time, max(seq) AS seq FROM stored GROUP BY symbol, time)
  INSERT INTO trades (symbol, time, seq, price, volume, side, trade_id)
  SELECT f.symbol, f.time, coalesce(top.seq + 1, 0) + row_number() OVER (PARTITION BY f.symbol, f.time ORDER BY f.ord) - 1,
    f.price, f.volume, f.side, f.trade_id
  FROM fresh f LEFT JOIN top ON top.symbol = f.symbol AND top.time = f.time
  ON CONFLICT DO NOTHING`;

export const STAGE_TO_BOOK = `INSERT INTO book_snapshots (symbol, time, side, level, price, volume)
  SELECT symbol, time, side, level, price, volume FROM tg4_stage_book ON CONFLICT DO NOTHING`;

export async function copyIn(c: pg.ClientBase, sql: string, payload: Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const stream = c.query(copyFrom(sql));
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(payload);
  });
}

export const COPY_STAGE_CANDLES =
  'COPY tg4_stage_candles (ord, symbol, timeframe, time, open, high, low, close, volume, trades, vwap) FROM STDIN (FORMAT binary)';
export const COPY_STAGE_TRADES =
  'COPY tg4_stage_trades2 (symbol, time, ord, dup, price, volume, side, trade_id) FROM STDIN (FORMAT binary)';
export const COPY_STAGE_BOOK =
  'COPY tg4_stage_book (symbol, time, side, level, price, volume) FROM STDIN (FORMAT binary)';

/** COPYs a batch of `rows` into its staging table, moves it into the real table (`moveSql`: ON CONFLICT DO NOTHING)
 * and counts what went in and what was already there. */
export async function stageAndMove(
  c: pg.ClientBase,
  copySql: string,
  payload: Buffer,
  moveSql: string,
  rows: number,
  n: { inserted: number; duplicates: number },
): Promise<void> {
  await copyIn(c, copySql, payload);
  const r = await c.query(moveSql);
  n.inserted += r.rowCount ?? 0;
  n.duplicates += rows - (r.rowCount ?? 0);
}

/** WHERE clause of a simple batch's series and time range (literals: symbol and timeframe are validated; times are integers). */
function rangeWhere(c: pg.ClientBase, b: CandleBatch): string {
  return `symbol = ${c.escapeLiteral(b.sym[0]!)} AND timeframe = ${c.escapeLiteral(b.tf[0]!)} AND time BETWEEN
    timestamptz 'epoch' + ${Math.trunc(b.columns.time[0]!)}::bigint * interval '1 microsecond'
    AND timestamptz 'epoch' + ${Math.trunc(b.columns.time[b.length - 1]!)}::bigint * interval '1 microsecond'`;
}

/**
 * Opens the batch's transaction. For a batch eligible for the direct COPY (one series, ascending), the same round trip
 * also asks whether its time range holds stored rows and sets a savepoint, so the fast path costs two round trips besides
 * the COPY (the client is busy parsing the next batch meanwhile, so each round trip can wait for it). Returns whether the
 * range holds stored rows, or null when the batch must take the staging path.
 * synchronous_commit off: a crash may lose the last few commits, never half a batch, and a re-run re-inserts them.
 */
export async function beginBatch(c: pg.ClientBase, b: CandleBatch | null): Promise<boolean | null> {
  const begin = 'BEGIN; SET LOCAL synchronous_commit = off';
  if (!b?.simple || b.length === 0) {
    await c.query(begin);
    return null;
  }
  const r = (await c.query(
    `${begin}; SELECT EXISTS (SELECT 1 FROM candles WHERE ${rangeWhere(c, b)}) AS e; SAVEPOINT tg4_direct`,
  )) as unknown as pg.QueryResult[];
  return (r[2]!.rows[0] as { e: boolean }).e;
}

/**
 * Direct binary COPY of a simple batch. When its range holds stored rows, their times are read (binary COPY out, exact µs)
 * and merged with the batch's ascending times on the client, and only the new rows are COPied: a re-run or an overlapping
 * import costs an index range scan instead of an ON CONFLICT probe per row. Returns the rows inserted, or -1 when the
 * batch must take the staging path (another writer stored some of these rows meanwhile: the unique violation rolls back
 * to the savepoint, nothing is lost or doubled).
 */
export async function directCopy(c: pg.ClientBase, b: CandleBatch, rangeHasRows: boolean): Promise<number> {
  let keep: Uint8Array | undefined;
  let kept = b.length;
  if (rangeHasRows) {
    const stored = (
      await copyOutColumns(c, `SELECT time FROM candles WHERE ${rangeWhere(c, b)} ORDER BY time`, ['timestamptz-us'])
    ).cols[0]!;
    keep = new Uint8Array(b.length).fill(1);
    const t = b.columns.time;
    for (let i = 0, j = 0; i < b.length && j < stored.length; ) {
      if (t[i]! < stored[j]!) i++;
      else if (t[i]! > stored[j]!) j++;
      else {
        keep[i++] = 0;
        j++;
        kept--;
      }
    }
    if (kept === 0) return 0;
  }
  try {
    await copyIn(c, `COPY candles (${CANDLE_COLS}) FROM STDIN (FORMAT binary)`, encodeCandleBatch(b, false, keep));
    return kept; // the savepoint is released by COMMIT
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    await c.query('ROLLBACK TO SAVEPOINT tg4_direct');
    return -1;
  }
}

/** Baseline path: multi-row INSERT … VALUES with parameters, 1,000 rows per statement. */
export async function insertCandlesMultiRow(c: pg.ClientBase, b: CandleBatch): Promise<number> {
  let inserted = 0;
  const per = 1000;
  for (let s = 0; s < b.length; s += per) {
    const e = Math.min(b.length, s + per);
    const params: unknown[] = [];
    const rows: string[] = [];
    const { time, open, high, low, close, volume, trades, vwap } = b.columns;
    for (let i = s; i < e; i++) {
      const k = params.length;
      rows.push(
        `($${k + 1}, $${k + 2}, timestamptz 'epoch' + $${k + 3}::bigint * interval '1 microsecond', $${k + 4}, $${k + 5}, $${k + 6}, $${k + 7}, $${k + 8}, $${k + 9}, $${k + 10})`,
      );
      params.push(
        b.symbolAt(i),
        b.timeframeAt(i),
        time[i],
        open[i],
        high[i],
        low[i],
        close[i],
        volume[i],
        trades[i] === trades[i] ? trades[i] : null,
        vwap[i] === vwap[i] ? vwap[i] : null,
      );
    }
    const r = await c.query(
      `INSERT INTO candles (${CANDLE_COLS}) VALUES ${rows.join(',')} ON CONFLICT DO NOTHING`,
      params,
    );
    inserted += r.rowCount ?? 0;
  }
  return inserted;
}
