// Ingest of candle CSVs (Kraken OHLCVT archives, header-named CSV), trade CSVs and JSONL event logs into PostgreSQL.
// (~400 lines on purpose: candles, trades and event logs share one batch, transaction and report loop here.)
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
// This file parses and batches; ingest-store.ts writes a batch (staging, COPY, the fast path).
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
import { CandleBatch, encodeCandleBatch } from './candle-batch.ts';
import {
  TradeBatch,
  BookBatch,
  STAGE_SQL,
  STAGE_TO_CANDLES,
  STAGE_UPSERT_CANDLES,
  STAGE_TO_TRADES,
  STAGE_TO_BOOK,
  copyIn,
  COPY_STAGE_CANDLES,
  COPY_STAGE_TRADES,
  COPY_STAGE_BOOK,
  stageAndMove,
  beginBatch,
  directCopy,
  insertCandlesMultiRow,
} from './ingest-store.ts';

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
        await stageAndMove(c, COPY_STAGE_TRADES, trades.payload(), STAGE_TO_TRADES, trades.length, n);
      if (book.length > 0) await stageAndMove(c, COPY_STAGE_BOOK, book.payload(), STAGE_TO_BOOK, book.length, n);
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
  /** Parses a CSV line: true when the parser's `row` holds it; a bad header throws, a bad row goes to `bad`. */
  const parsedRow = (parser: CandleLineParser | TradeLineParser, line: string, lineNo: number): boolean => {
    const res = parser.parse(line);
    if (parser.headerError) throw new DataError(`${opts.file}:${lineNo}: ${parser.headerError}`);
    if (res === 'skip') return false;
    summary.rowsRead++;
    if (res === 'row') return true;
    bad(lineNo, res, line);
    return false;
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
          if (!parsedRow(candleParser, line, lineNo)) continue;
          const r = candleParser.row;
          const off = offGrid(r.time, timeframe!);
          if (off !== null) {
            bad(lineNo, off, line);
            continue;
          }
          candles.push(symbol!, timeframe!, r.time * 1000, r);
        } else if (tradeParser) {
          if (!parsedRow(tradeParser, line, lineNo)) continue;
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
