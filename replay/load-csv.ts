// Reads a candle CSV (plain or .gz) into a MarketFrame: the database-free path and the bundled default.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InvalidArgumentError } from '../src/core/errors.ts';
import { CandleColumnsBuilder, columnsToFrame, type CandleColumns } from './columns.ts';
import { CANDLE_FORMATS, CandleLineParser, type BadRow, type CandleFormat } from './csv/candle-parser.ts';
import { DataError } from './errors.ts';
import { detectGaps, fillGaps, GAP_POLICIES, type GapPolicy, type GapReport } from './gaps.ts';
import type { MarketFrame } from './market-frame.ts';
import { normalizeSymbol } from './symbol.ts';
import { isoUtc, rangeIndex, toMs, type TimeInput } from './time-range.ts';
import { normalizeTimeframe, timeframeMs, timeframeName } from './timeframe.ts';

export type OnError = 'skip' | 'stop';

export interface LoadCsvOptions {
  /** 'kraken-ohlcvt' (headerless Kraken archive) or 'csv' (header-named columns). Default: guessed from the first line. */
  format?: CandleFormat;
  /** Default: from a Kraken archive file name (XBTUSD_60.csv → BTC/USD), else the file name. */
  symbol?: string;
  /** Default: from a Kraken archive file name (_60 → 1h), else the smallest spacing between rows. */
  timeframe?: string;
  /** Inclusive start (ms, Date or ISO). */
  from?: TimeInput;
  /** Exclusive end. */
  to?: TimeInput;
  /** Default 'fill' (see gaps.ts). */
  gaps?: GapPolicy;
  /** Bad rows: 'stop' (default) throws DATA_ERROR naming the first bad line; 'skip' leaves them out and reports them. */
  onError?: OnError;
}

export interface LoadCsvResult {
  frame: MarketFrame;
  rowsRead: number;
  bad: BadRow[];
  /** Gaps of the data as read (before any fill). */
  gaps: GapReport;
}

/** Kraken archive names: <PAIR>_<minutes>.csv, optionally with a suffix (XBTUSD_60_2017-2020Q3.csv.gz). */
function fromFileName(path: string): { symbol?: string; timeframe?: string } {
  const m = /^([A-Z0-9]{5,12})_(\d+)(?:[_.]|$)/.exec(basename(path));
  if (!m) return {};
  return { symbol: normalizeSymbol(m[1]!), timeframe: timeframeName(Number(m[2]) * 60_000) };
}

export function readText(path: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(`cannot read '${path}' (${code ?? String(err)}): check the path`, { cause: err });
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      throw new DataError(`'${path}' looks gzipped but does not decompress: the file is corrupt`, { cause: err });
    }
  }
  return buf.toString('utf8');
}

/** 'kraken-ohlcvt' when the first line is 7 numbers, else 'csv'. */
export function guessFormat(firstLine: string): CandleFormat {
  const f = firstLine.trim().split(',');
  return f.length === 7 && f.every((x) => x.length > 0 && Number.isFinite(Number(x))) ? 'kraken-ohlcvt' : 'csv';
}

/** Parses candle text; rows must ascend in time (a repeated or earlier time is a bad row). */
export function parseCandleText(
  text: string,
  format: CandleFormat,
  source: string,
  onError: OnError,
): { cols: CandleColumns; rowsRead: number; bad: BadRow[] } {
  const parser = new CandleLineParser(format);
  const builder = new CandleColumnsBuilder(Math.ceil(text.length / 48));
  const bad: BadRow[] = [];
  let rowsRead = 0;
  let lastTime = -Infinity;
  let line = 0;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const s = text.slice(pos, nl);
    pos = nl + 1;
    line++;
    const res = parser.parse(s);
    if (parser.headerError) throw new DataError(`${source}:${line}: ${parser.headerError}`);
    if (res === 'skip') continue;
    rowsRead++;
    let reason: string | null = res === 'row' ? null : res;
    if (reason === null && parser.row.time <= lastTime) {
      reason = `time ${isoUtc(parser.row.time)} is not after the previous row's ${isoUtc(lastTime)} (rows must ascend)`;
    }
    if (reason !== null) {
      if (onError === 'stop') {
        throw new DataError(
          `${source}:${line}: bad row (${reason}): '${s.slice(0, 120)}'; fix it or pass onError 'skip' (--on-error skip)`,
        );
      }
      bad.push({ line, reason, text: s.slice(0, 200) });
      continue;
    }
    lastTime = parser.row.time;
    builder.push(parser.row);
  }
  return { cols: builder.finish(), rowsRead, bad };
}

function smallestStep(time: Float64Array): number {
  let best = Infinity;
  for (let i = 1; i < time.length; i++) {
    const d = time[i]! - time[i - 1]!;
    if (d > 0 && d < best) best = d;
  }
  return best;
}

function sliceColumns(c: CandleColumns, lo: number, hi: number): CandleColumns {
  return {
    length: hi - lo,
    time: c.time.subarray(lo, hi),
    open: c.open.subarray(lo, hi),
    high: c.high.subarray(lo, hi),
    low: c.low.subarray(lo, hi),
    close: c.close.subarray(lo, hi),
    volume: c.volume.subarray(lo, hi),
    trades: c.trades.subarray(lo, hi),
    vwap: c.vwap.subarray(lo, hi),
  };
}

/** Loads candles from a CSV file with the full report (rows read, bad rows, gaps). */
export function loadCsvWithReport(path: string, opts: LoadCsvOptions = {}): LoadCsvResult {
  checkLoadOptions(opts);
  return parseCsvFrame(readText(path), path, opts);
}

function checkLoadOptions(opts: LoadCsvOptions): void {
  const gapPolicy = opts.gaps ?? 'fill';
  if (!GAP_POLICIES.includes(gapPolicy))
    throw new InvalidArgumentError(`gaps '${gapPolicy}' is not a gap policy: use ${GAP_POLICIES.join(' or ')}`);
  const onError = opts.onError ?? 'stop';
  if (onError !== 'skip' && onError !== 'stop')
    throw new InvalidArgumentError(`onError '${onError}' is not valid: use skip or stop`);
  if (opts.format !== undefined && !CANDLE_FORMATS.includes(opts.format)) {
    throw new InvalidArgumentError(
      `format '${opts.format}' is not a candle CSV format: use ${CANDLE_FORMATS.join(' or ')}`,
    );
  }
}

/**
 * Candle text (already read and gunzipped) into a frame with the report. `path` names the source in messages and gives
 * the symbol/timeframe defaults of a Kraken archive name. The server reads files itself (bounded) and calls this.
 */
export function parseCsvFrame(text: string, path: string, opts: LoadCsvOptions = {}): LoadCsvResult {
  checkLoadOptions(opts);
  const gapPolicy = opts.gaps ?? 'fill';
  const onError = opts.onError ?? 'stop';
  const nl = text.indexOf('\n');
  const format = opts.format ?? guessFormat(text.slice(0, nl < 0 ? text.length : nl));
  const { cols: all, rowsRead, bad } = parseCandleText(text, format, path, onError);
  const named = fromFileName(path);
  const symbol = normalizeSymbol(opts.symbol ?? named.symbol ?? basename(path).replace(/\.(csv)(\.gz)?$/i, ''));
  if (all.length === 0) throw new DataError(`${path}: no candle rows (${rowsRead} rows read, ${bad.length} bad)`);
  let tf: string;
  if (opts.timeframe ?? named.timeframe) tf = normalizeTimeframe((opts.timeframe ?? named.timeframe)!);
  else {
    const step = smallestStep(all.time);
    if (!Number.isFinite(step))
      throw new DataError(`${path}: one row only, cannot infer the timeframe: pass timeframe`);
    tf = timeframeName(step);
  }
  const tfMs = timeframeMs(tf);
  let lo = 0;
  let hi = all.length;
  if (opts.from !== undefined || opts.to !== undefined) {
    const from = opts.from !== undefined ? toMs(opts.from, 'from') : -Infinity;
    const to = opts.to !== undefined ? toMs(opts.to, 'to') : Infinity;
    [lo, hi] = rangeIndex(all.time, from, to);
    if (hi <= lo) {
      throw new DataError(
        `no ${symbol} ${tf} bars in [${isoUtc(from)}, ${isoUtc(to)}): ${path} covers ${isoUtc(all.time[0]!)} → ${isoUtc(all.time[all.length - 1]!)}`,
      );
    }
  }
  const cols = sliceColumns(all, lo, hi);
  const gaps = detectGaps(cols.time, tfMs);
  if (gapPolicy === 'fill') {
    const f = fillGaps(cols, tfMs);
    return { frame: columnsToFrame(f.cols, symbol, tf, tfMs, f.filled), rowsRead, bad, gaps };
  }
  return { frame: columnsToFrame(cols, symbol, tf, tfMs), rowsRead, bad, gaps };
}

/** Loads candles from a CSV file (plain or gzipped) into a MarketFrame. See LoadCsvOptions for defaults. */
export function loadCsv(path: string, opts: LoadCsvOptions = {}): MarketFrame {
  return loadCsvWithReport(path, opts).frame;
}
