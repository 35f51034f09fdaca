// Ingest of candle CSVs (Kraken OHLCVT archives, header-named CSV), trade CSVs and JSONL event logs into PostgreSQL.
//
// The file is streamed; rows go into batches. Each batch is one transaction: COPY into a temp staging table, then
// INSERT … SELECT … ON CONFLICT DO NOTHING into the real table. So a re-run inserts 0 rows (the primary keys see the
// duplicates), and a failure (a lost connection, a bad row under --on-error stop) rolls back the batch in flight: no half
// batch is ever stored, and batches already committed stay (a re-run completes the import). JSONL ohlc candles are the
// exception to "first wins": Kraken streams several updates per open interval, so the last one in the log wins (upsert).
// Rows travel in PostgreSQL's binary COPY format (raw doubles and µs timestamps: no decimal text on either side).
// Fast path: a candle batch of one series, ascending in time, whose time range holds no stored rows yet is COPied straight
// into candles (no staging, no ON CONFLICT: about 3x faster on first import). If another writer got there first, the
// unique violation rolls back to a savepoint and the batch takes the staging path; nothing is lost or doubled.
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import { InvalidArgumentError, Tg4Error } from '../../src/core/errors.ts';
import { CandleLineParser, type BadRow } from '../csv/candle-parser.ts';
import { TradeLineParser } from '../csv/trade-parser.ts';
import { DataError } from '../errors.ts';
import { parseJsonlLine } from '../jsonl-events.ts';
import { guessFormat, type OnError } from '../load-csv.ts';
import { openLines } from '../line-stream.ts';
import { normalizeSymbol } from '../symbol.ts';
import { normalizeTimeframe, timeframeMs, timeframeName } from '../timeframe.ts';
import { isoUtc } from '../time-range.ts';
import { requireMigrated } from './migrate.ts';
import { toDbError } from './connect.ts';
import { BinaryCopyWriter } from './pg-binary.ts';
import { CandleBatch, encodeCandleBatch } from './candle-batch.ts';
import { copyOutColumns } from './copy-out.ts';

export type IngestFormat = 'kraken-ohlcvt' | 'csv' | 'trades' | 'jsonl';
export const INGEST_FORMATS: readonly IngestFormat[] = ['kraken-ohlcvt', 'csv', 'trades', 'jsonl'];

export interface IngestProgress {
  bytesRead: number;
  totalBytes: number;
  rowsRead: number;
  inserted: number;
}

export interface IngestOptions {
  file: string;
  /** Required for CSV formats; for JSONL it fills in events that carry none. */
  symbol?: string;
  /** Required for candle CSVs; for JSONL it fills in bars that carry none. */
  timeframe?: string;
  /** Default: from the file (.jsonl → jsonl; 7 numbers a line → kraken-ohlcvt; else csv). */
  format?: IngestFormat;
  /** 'skip' (default): report bad rows and go on; 'stop': roll back the batch in flight and throw at the first one. */
  onError?: OnError;
  /** Rows per transaction (default 50,000). */
  batchSize?: number;
  /** 'copy' (default) or 'insert' (multi-row INSERT; the benchmark's baseline). */
  method?: 'copy' | 'insert';
  /** Allow the direct COPY fast path into an empty range (default true; the benchmark turns it off to time staging). */
  directCopy?: boolean;
  onProgress?: (p: IngestProgress) => void;
}

export interface IngestSummary {
  file: string;
  format: IngestFormat;
  rowsRead: number;
  /** New rows stored (candles + trades + book levels). */
  inserted: number;
  /** Rows already present (same primary key), skipped. */
  duplicates: number;
  /** JSONL candles whose stored values changed (a later update of the same interval). */
  updated: number;
  /** JSONL lines of other event kinds. */
  ignored: number;
  bad: BadRow[];
  batches: number;
  seconds: number;
  /** Symbols/timeframes touched, e.g. ['BTC/USD 1h', 'BTC/USD trades', 'BTC/USD book']. */
  series: string[];
}

class TradeBatch {
  sym: string[] = [];
  t: number[] = [];
  /** How many trades with the same symbol, time, price, volume, side and id came before this one in the file. */
  dup: number[] = [];
  p: number[] = [];
  v: number[] = [];
  side: string[] = [];
  id: number[] = [];
  get length(): number {
    return this.t.length;
  }
  push(sym: string, tUs: number, dup: number, p: number, v: number, side: string, id: number): void {
    this.sym.push(sym);
    this.t.push(tUs);
    this.dup.push(dup);
    this.p.push(p);
    this.v.push(v);
    this.side.push(side);
    this.id.push(id);
  }
  clear(): void {
    for (const k of ['sym', 't', 'dup', 'p', 'v', 'side', 'id'] as const) this[k].length = 0;
  }
}

class BookBatch {
  sym: string[] = [];
  t: number[] = [];
  side: string[] = [];
  level: number[] = [];
  p: number[] = [];
  v: number[] = [];
  get length(): number {
    return this.t.length;
  }
  push(sym: string, tUs: number, side: string, level: number, p: number, v: number): void {
    this.sym.push(sym);
    this.t.push(tUs);
    this.side.push(side);
    this.level.push(level);
    this.p.push(p);
    this.v.push(v);
  }
}

const STAGE_SQL = `
  CREATE TEMP TABLE IF NOT EXISTS tg4_stage_candles (ord integer, symbol text, timeframe text, time timestamptz,
    open float8, high float8, low float8, close float8, volume float8, trades integer, vwap float8) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS tg4_stage_trades2 (symbol text, time timestamptz, ord integer, dup integer,
    price float8, volume float8, side char(1), trade_id bigint) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS tg4_stage_book (symbol text, time timestamptz, side char(1), level smallint, price float8,
    volume float8) ON COMMIT DELETE ROWS;`;

const CANDLE_COLS = 'symbol, timeframe, time, open, high, low, close, volume, trades, vwap';
const STAGE_TO_CANDLES = `INSERT INTO candles (${CANDLE_COLS}) SELECT ${CANDLE_COLS} FROM tg4_stage_candles ON CONFLICT DO NOTHING`;
// Last update of an interval wins; rows whose values did not change are not counted as updated.
const STAGE_UPSERT_CANDLES = `WITH src AS (
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
const STAGE_TO_TRADES = `WITH keys AS (SELECT DISTINCT symbol, time FROM tg4_stage_trades2),
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

const STAGE_TO_BOOK = `INSERT INTO book_snapshots (symbol, time, side, level, price, volume)
  SELECT symbol, time, side, level, price, volume FROM tg4_stage_book ON CONFLICT DO NOTHING`;

function bookBinary(b: BookBatch): Buffer {
  const w = new BinaryCopyWriter(b.length * 70 + 64);
  for (let i = 0; i < b.length; i++) {
    w.row(6);
    w.text(b.sym[i]!);
    w.timestampUs(b.t[i]!);
    w.text(b.side[i]!);
    w.int2(b.level[i]!);
    w.float8(b.p[i]!);
    w.float8(b.v[i]!);
  }
  return w.finish();
}

async function copyIn(c: pg.ClientBase, sql: string, payload: Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const stream = c.query(copyFrom(sql));
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(payload);
  });
}

const COPY_STAGE_CANDLES =
  'COPY tg4_stage_candles (ord, symbol, timeframe, time, open, high, low, close, volume, trades, vwap) FROM STDIN (FORMAT binary)';
const COPY_STAGE_TRADES =
  'COPY tg4_stage_trades2 (symbol, time, ord, dup, price, volume, side, trade_id) FROM STDIN (FORMAT binary)';
const COPY_STAGE_BOOK = 'COPY tg4_stage_book (symbol, time, side, level, price, volume) FROM STDIN (FORMAT binary)';

/** COPYs a batch of `rows` into its staging table, moves it into the real table (`moveSql`: ON CONFLICT DO NOTHING)
 * and counts what went in and what was already there. */
async function stageAndMove(
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

function tradeBinary(b: TradeBatch): Buffer {
  const w = new BinaryCopyWriter(b.length * 88 + 64);
  for (let i = 0; i < b.length; i++) {
    w.row(8);
    w.text(b.sym[i]!);
    w.timestampUs(b.t[i]!);
    w.int4(i);
    w.int4(b.dup[i]!);
    w.float8(b.p[i]!);
    w.float8(b.v[i]!);
    if (b.side[i]) w.text(b.side[i]!);
    else w.null();
    w.int8(b.id[i]!);
  }
  return w.finish();
}

/** WHERE clause of a simple batch's series and time range (literals: symbol and timeframe are validated; times are integers). */
function rangeWhere(c: pg.ClientBase, b: CandleBatch): string {
  return `symbol = ${c.escapeLiteral(b.sym[0]!)} AND timeframe = ${c.escapeLiteral(b.tf[0]!)} AND time BETWEEN
    timestamptz 'epoch' + ${Math.trunc(b.t[0]!)}::bigint * interval '1 microsecond'
    AND timestamptz 'epoch' + ${Math.trunc(b.t[b.length - 1]!)}::bigint * interval '1 microsecond'`;
}

/**
 * Opens the batch's transaction. For a batch eligible for the direct COPY (one series, ascending), the same round trip
 * also asks whether its time range holds stored rows and sets a savepoint, so the fast path costs two round trips besides
 * the COPY (the client is busy parsing the next batch meanwhile, so each round trip can wait for it). Returns whether the
 * range holds stored rows, or null when the batch must take the staging path.
 * synchronous_commit off: a crash may lose the last few commits, never half a batch, and a re-run re-inserts them.
 */
async function beginBatch(c: pg.ClientBase, b: CandleBatch | null): Promise<boolean | null> {
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
async function directCopy(c: pg.ClientBase, b: CandleBatch, rangeHasRows: boolean): Promise<number> {
  let keep: Uint8Array | undefined;
  let kept = b.length;
  if (rangeHasRows) {
    const stored = (
      await copyOutColumns(c, `SELECT time FROM candles WHERE ${rangeWhere(c, b)} ORDER BY time`, ['timestamptz-us'])
    ).cols[0]!;
    keep = new Uint8Array(b.length).fill(1);
    const t = b.t;
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
async function insertCandlesMultiRow(c: pg.ClientBase, b: CandleBatch): Promise<number> {
  let inserted = 0;
  const per = 1000;
  for (let s = 0; s < b.length; s += per) {
    const e = Math.min(b.length, s + per);
    const params: unknown[] = [];
    const rows: string[] = [];
    for (let i = s; i < e; i++) {
      const k = params.length;
      rows.push(
        `($${k + 1}, $${k + 2}, timestamptz 'epoch' + $${k + 3}::bigint * interval '1 microsecond', $${k + 4}, $${k + 5}, $${k + 6}, $${k + 7}, $${k + 8}, $${k + 9}, $${k + 10})`,
      );
      params.push(
        b.symbolAt(i),
        b.timeframeAt(i),
        b.t[i],
        b.o[i],
        b.h[i],
        b.l[i],
        b.c[i],
        b.v[i],
        b.n[i] === b.n[i] ? b.n[i] : null,
        b.w[i] === b.w[i] ? b.w[i] : null,
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

/** Why a bar's open time is not on its timeframe's grid (multiples of the bar length from 1970-01-01 UTC; days for
 * bars longer than a day), or null. A 10:30 row in a 1h series is not a 1h candle. */
function offGrid(timeMs: number, tf: string): string | null {
  const step = Math.min(timeframeMs(tf), 86_400_000);
  if (timeMs % step === 0) return null;
  return `time ${isoUtc(timeMs)} is not on the ${tf} grid (a ${tf} bar opens at a multiple of ${timeframeName(step)} from midnight UTC)`;
}

function validSymbol(s: string): string {
  const sym = normalizeSymbol(s);
  if (!/^[A-Z0-9][A-Z0-9./-]{0,31}$/.test(sym))
    throw new InvalidArgumentError(`symbol '${s}' is not valid: use letters/digits like BTC/USD or XBTUSD`);
  return sym;
}

function detectFormat(file: string, firstLine: string): IngestFormat {
  if (/\.jsonl?(\.gz)?$/i.test(file) || firstLine.trim().startsWith('{')) return 'jsonl';
  return guessFormat(firstLine);
}

/**
 * An ingest that failed after committing some batches (a truncated .gz, a lost connection) says how much is stored, so
 * that nobody takes "exit 2" for "nothing stored" or re-imports by hand what a re-run would skip.
 */
function withCommittedCounts(err: unknown, summary: IngestSummary, file: string, lineNo: number): unknown {
  if (!(err instanceof Tg4Error) || summary.batches === 0 || err.message.includes('earlier batch(es) are stored'))
    return err;
  const out = new Tg4Error(
    err.code,
    `${err.message}. Before this, ${summary.batches} batch(es) were committed: ${summary.inserted} new rows stored of ` +
      `${summary.rowsRead} read from ${file} (up to line ${lineNo}); the rows after the last committed batch were not stored. ` +
      'Fix the file (or the connection) and re-run: stored rows are skipped',
    { cause: err },
  );
  (out as Tg4Error & { partial?: IngestSummary }).partial = { ...summary, bad: [...summary.bad] };
  return out;
}

/** Imports one file. The client must not be inside a transaction. */
export async function ingestFile(c: pg.ClientBase, url: string, opts: IngestOptions): Promise<IngestSummary> {
  const started = performance.now();
  const onError = opts.onError ?? 'skip';
  if (onError !== 'skip' && onError !== 'stop')
    throw new InvalidArgumentError(`--on-error '${String(onError)}' is not valid: use skip or stop`);
  if (opts.format !== undefined && !INGEST_FORMATS.includes(opts.format)) {
    throw new InvalidArgumentError(`format '${opts.format}' is unknown: use ${INGEST_FORMATS.join(', ')}`);
  }
  const batchSize = opts.batchSize ?? 50_000;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new InvalidArgumentError(`batchSize must be an integer ≥ 1, got ${batchSize}`);
  const method = opts.method ?? 'copy';
  const src = openLines(opts.file);

  const summary: IngestSummary = {
    file: opts.file,
    format: opts.format ?? 'csv',
    rowsRead: 0,
    inserted: 0,
    duplicates: 0,
    updated: 0,
    ignored: 0,
    bad: [],
    batches: 0,
    seconds: 0,
    series: [],
  };
  const series = new Set<string>();
  // Double-buffered: the next batch is parsed while the previous one is in the database (client and server overlap).
  // Two candle batches alternate (typed-array columns reused): one fills while the other is stored.
  const candleCapacity = Math.min(batchSize, 1 << 20) + 1;
  let candles = new CandleBatch(candleCapacity);
  let spareCandles = new CandleBatch(candleCapacity);
  let trades = new TradeBatch();
  let book = new BookBatch();
  let pending: Promise<void> = Promise.resolve();
  let inFlight = false;
  let failure: unknown = null;
  let jsonlCandles = false;

  try {
    await requireMigrated(c, url);
    await c.query(STAGE_SQL);
  } catch (err) {
    throw toDbError(err, url, 'ingest');
  }

  const flush = async (candles: CandleBatch, trades: TradeBatch, book: BookBatch): Promise<void> => {
    if (candles.length === 0 && trades.length === 0 && book.length === 0) return;
    // Counted locally and added to the summary only once the batch is committed.
    const n = { inserted: 0, duplicates: 0, updated: 0 };
    try {
      const direct = candles.length > 0 && method === 'copy' && !jsonlCandles && opts.directCopy !== false;
      const rangeHasRows = await beginBatch(c, direct ? candles : null);
      const directRows = rangeHasRows === null ? -1 : await directCopy(c, candles, rangeHasRows);
      if (candles.length > 0) {
        if (method === 'insert' && !jsonlCandles) {
          const ins = await insertCandlesMultiRow(c, candles);
          n.inserted += ins;
          n.duplicates += candles.length - ins;
        } else if (directRows >= 0) {
          n.inserted += directRows;
          n.duplicates += candles.length - directRows;
        } else {
          const payload = encodeCandleBatch(candles, true);
          if (jsonlCandles) {
            await copyIn(c, COPY_STAGE_CANDLES, payload);
            const r = await c.query<{ inserted: number; updated: number }>(STAGE_UPSERT_CANDLES);
            const x = r.rows[0]!;
            n.inserted += x.inserted;
            n.updated += x.updated;
            n.duplicates += candles.length - x.inserted - x.updated;
          } else await stageAndMove(c, COPY_STAGE_CANDLES, payload, STAGE_TO_CANDLES, candles.length, n);
        }
      }
      if (trades.length > 0)
        await stageAndMove(c, COPY_STAGE_TRADES, tradeBinary(trades), STAGE_TO_TRADES, trades.length, n);
      if (book.length > 0) await stageAndMove(c, COPY_STAGE_BOOK, bookBinary(book), STAGE_TO_BOOK, book.length, n);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw toDbError(
        err,
        url,
        `ingest of ${opts.file} (batch ${summary.batches + 1} rolled back; earlier batches are stored, re-run to complete)`,
      );
    }
    summary.inserted += n.inserted;
    summary.duplicates += n.duplicates;
    summary.updated += n.updated;
    summary.batches++;
    opts.onProgress?.({
      bytesRead: src.bytesRead(),
      totalBytes: src.totalBytes,
      rowsRead: summary.rowsRead,
      inserted: summary.inserted,
    });
  };

  let format: IngestFormat | undefined = opts.format;
  let candleParser: CandleLineParser | null = null;
  let tradeParser: TradeLineParser | null = null;
  const symbol = opts.symbol !== undefined ? validSymbol(opts.symbol) : undefined;
  const timeframe = opts.timeframe !== undefined ? normalizeTimeframe(opts.timeframe) : undefined;
  // Per symbol: the current microsecond and how often each trade content occurred in it so far (see STAGE_TO_TRADES).
  const dupState = new Map<string, { t: number; seen: Map<string, number> }>();
  const nextDup = (
    sym: string,
    tUs: number,
    r: { price: number; volume: number; side: string; tradeId: number },
  ): number => {
    let s = dupState.get(sym);
    if (s === undefined || s.t !== tUs) {
      s = { t: tUs, seen: new Map() };
      dupState.set(sym, s);
    }
    const key = `${r.price}|${r.volume}|${r.side}|${r.tradeId}`;
    const n = s.seen.get(key) ?? 0;
    s.seen.set(key, n + 1);
    return n;
  };
  /** Waits for the batch in flight; rethrows its failure. */
  const settle = async (): Promise<void> => {
    await pending;
    if (failure) throw failure;
  };
  const ship = async (): Promise<void> => {
    await settle();
    const cb = candles;
    const tb = trades;
    const bb = book;
    candles = spareCandles; // free: its flush has settled
    candles.clear();
    spareCandles = cb;
    trades = new TradeBatch();
    book = new BookBatch();
    inFlight = true;
    pending = flush(cb, tb, bb)
      .catch((err: unknown) => {
        failure = err;
      })
      .finally(() => {
        inFlight = false;
      });
  };
  let stopAt: BadRow | null = null;
  const bad = (line: number, reason: string, text: string): void => {
    if (onError === 'stop') {
      stopAt = { line, reason, text };
      return;
    }
    summary.bad.push({ line, reason, text: text.slice(0, 200) });
  };

  let lineNo = 0;
  try {
    reading: for await (const chunk of src.chunks())
      for (const line of chunk) {
        if (stopAt) break reading;
        lineNo++;
        if (format === undefined) {
          if (line.trim() === '') continue;
          format = detectFormat(opts.file, line);
        }
        if (!candleParser && !tradeParser && format !== 'jsonl') {
          if (format === 'trades') {
            tradeParser = new TradeLineParser();
            if (!symbol) throw new InvalidArgumentError('trades need --symbol (e.g. --symbol BTC/USD)');
          } else {
            candleParser = new CandleLineParser(format);
            if (!symbol) throw new InvalidArgumentError(`${format} candles need --symbol (e.g. --symbol BTC/USD)`);
            if (!timeframe) throw new InvalidArgumentError(`${format} candles need --timeframe (e.g. --timeframe 1h)`);
            series.add(`${symbol} ${timeframe}`);
          }
          if (tradeParser) series.add(`${symbol} trades`);
        }
        if (format === 'jsonl') {
          const p = parseJsonlLine(line, symbol, timeframe);
          if (line.trim() === '') continue;
          summary.rowsRead++;
          if (p.error) {
            bad(lineNo, p.error, line);
            continue;
          }
          if (p.candles.length === 0 && p.trades.length === 0 && p.book.length === 0) {
            summary.ignored++;
            continue;
          }
          for (const l of p.book) {
            series.add(`${l.symbol} book`);
            book.push(l.symbol, l.timeUs, l.side, l.level, l.price, l.volume);
          }
          for (const k of p.candles) {
            jsonlCandles = true;
            const tf = normalizeTimeframe(k.timeframe);
            const off = offGrid(k.row.time, tf);
            if (off !== null) {
              bad(lineNo, off, line);
              continue;
            }
            series.add(`${k.symbol} ${tf}`);
            const r = k.row;
            candles.push(k.symbol, tf, r.time * 1000, r);
          }
          for (const t of p.trades) {
            series.add(`${t.symbol} trades`);
            const r = t.row;
            trades.push(t.symbol, r.timeUs, nextDup(t.symbol, r.timeUs, r), r.price, r.volume, r.side, r.tradeId);
          }
        } else if (candleParser) {
          const res = candleParser.parse(line);
          if (candleParser.headerError) throw new DataError(`${opts.file}:${lineNo}: ${candleParser.headerError}`);
          if (res === 'skip') continue;
          summary.rowsRead++;
          if (res !== 'row') {
            bad(lineNo, res, line);
            continue;
          }
          const r = candleParser.row;
          const off = offGrid(r.time, timeframe!);
          if (off !== null) {
            bad(lineNo, off, line);
            continue;
          }
          candles.push(symbol!, timeframe!, r.time * 1000, r);
        } else if (tradeParser) {
          const res = tradeParser.parse(line);
          if (tradeParser.headerError) throw new DataError(`${opts.file}:${lineNo}: ${tradeParser.headerError}`);
          if (res === 'skip') continue;
          summary.rowsRead++;
          if (res !== 'row') {
            bad(lineNo, res, line);
            continue;
          }
          const r = tradeParser.row;
          trades.push(symbol!, r.timeUs, nextDup(symbol!, r.timeUs, r), r.price, r.volume, r.side, r.tradeId);
        }
        if (candles.length + trades.length + book.length >= batchSize) await ship();
        else if (inFlight && (lineNo & 0xfff) === 0) {
          // Let the database's replies in while a batch is in flight: a 1 MB chunk of lines is ~50 ms of parsing, and each of
          // the batch's round trips would otherwise wait for it (the server idles, the two sides stop overlapping).
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        if ((lineNo & 0x3fff) === 0) {
          opts.onProgress?.({
            bytesRead: src.bytesRead(),
            totalBytes: src.totalBytes,
            rowsRead: summary.rowsRead,
            inserted: summary.inserted,
          });
        }
      }
    if (stopAt) {
      const b: BadRow = stopAt;
      await settle(); // the counts below include the batch that was in flight
      throw new DataError(
        `${opts.file}:${b.line}: bad row (${b.reason}): '${b.text.slice(0, 120)}'. Stopped; the rows after the last committed batch were not stored, ` +
          `${summary.inserted} rows from ${summary.batches} earlier batch(es) are stored. Fix the row or use --on-error skip`,
      );
    }
    await ship();
    await settle();
  } catch (err) {
    await pending; // a batch in flight commits or rolls back on its own; the counts below include it when it committed
    throw withCommittedCounts(err, summary, opts.file, lineNo);
  }
  summary.format = format ?? opts.format ?? 'csv';
  summary.series = [...series].sort();
  summary.seconds = (performance.now() - started) / 1000;
  if (summary.rowsRead === 0) {
    throw new DataError(`${opts.file}: no data rows found (${lineNo} lines): check the file and --format`);
  }
  return summary;
}
