// Market data a client sends in `make` kwargs as columns (tg4gym: a pandas DataFrame or a dict of arrays) instead of
// naming a file: `data: {columns: {time, open, high, low, close, volume, [trades, vwap], ...extra}}` (one symbol), or a
// list of those (Portfolio-v0, one per symbol). Each becomes a MarketFrame, checked row by row as a candle CSV is
// (replay's checkCandle, strictly ascending times on the timeframe's grid) and bounded before anything is allocated
// beyond the received message, then handed to the env as `frame` / `frames`. Extra columns become frame.extra, the
// feature spec's extra inputs (a `sentiment` column feeds the regime score).
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../core/errors.ts';
import type { CandleColumns } from '../../replay/columns.ts';
import { columnsToFrame, emptyRow } from '../../replay/columns.ts';
import { checkCandle } from '../../replay/csv/candle-parser.ts';
import { DataError } from '../../replay/errors.ts';
import { fillGaps } from '../../replay/gaps.ts';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { normalizeSymbol } from '../../replay/symbol.ts';
import { normalizeTimeframe, timeframeMs, timeframeName } from '../../replay/timeframe.ts';
import type { KwargsContext } from './client-kwargs.ts';
import { LimitExceededError } from './errors.ts';
import { frameBytes, type StoreLease } from './market-store.ts';
import { decodeWireArray, looksLikeWireArray, parseWireArray } from './protocol/arrays.ts';

export const CLIENT_DATA_LIMITS = Object.freeze({
  /** Bars per symbol after gap filling (a year of 1m bars is 525,600). */
  maxRows: 1_000_000,
  /** Columns per symbol, time and prices included. */
  maxColumns: 64,
  maxNameLength: 64,
  /** Symbols in one make (Portfolio-v0). */
  maxSymbols: 16,
});

const CANDLE_KEYS = ['open', 'high', 'low', 'close', 'volume'] as const;
const OPTIONAL_KEYS = ['trades', 'vwap'] as const;

/** True when `data` is columns sent by a client (a map with `columns`, or a list of them), not a name or a path. */
export function isClientData(data: unknown): boolean {
  if (Array.isArray(data)) return data.length > 0 && data.every(isColumnsPayload);
  return isColumnsPayload(data);
}

function isColumnsPayload(x: unknown): boolean {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && !ArrayBuffer.isView(x) && 'columns' in x;
}

/**
 * The frame of symbol `index` from client columns (`data` a payload, or a list with one per symbol), through the
 * server's store: the same columns sent twice (same bytes, symbol, timeframe) are decoded once and shared. `reserve`
 * is the server's memory gate, asked before the frame's columns are allocated.
 */
export async function clientFrameFor(
  ctx: Pick<KwargsContext, 'store' | 'reserve'>,
  lease: StoreLease,
  data: unknown,
  index: number,
  count: number,
  symbol: string | undefined,
  timeframe: string | undefined,
): Promise<{ frame: MarketFrame; key: string }> {
  const list = Array.isArray(data) ? data : [data];
  if (list.length !== count) {
    throw new InvalidArgumentError(
      `data: ${list.length} column set(s) for ${count} symbol(s): send one per symbol, in the order of symbols`,
    );
  }
  if (count > CLIENT_DATA_LIMITS.maxSymbols) {
    throw new LimitExceededError(`data: ${count} symbols is over the limit of ${CLIENT_DATA_LIMITS.maxSymbols}`);
  }
  const what = Array.isArray(data) ? `data[${index}]` : 'data';
  const payload = list[index];
  const name = symbol ?? (count > 1 ? `USER${index + 1}/USD` : 'USER/USD');
  const key = `client|${digest(payload, what)}|${name}|${timeframe ?? ''}`;
  const frame = await ctx.store.get(lease, key, async () => {
    const f = frameFromColumns(payload, name, timeframe, what, (bytes) =>
      ctx.reserve(bytes, `the columns sent as ${what}`),
    );
    return { value: f, bytes: frameBytes(f) + extraBytes(f) };
  });
  return { frame, key };
}

/** A content hash of a payload's columns (names, dtypes, shapes, bytes): the store's key for sharing. */
function digest(payload: unknown, what: string): string {
  const cols = columnsOf(payload, what);
  const h = createHash('sha256');
  for (const name of Object.keys(cols).sort()) {
    const w = parseWireArray(cols[name], `${what}.columns.${name}`);
    h.update(`${name.length}:${name}|${w.dtype}|${w.shape.join(',')}|`);
    h.update(w.data);
  }
  return h.digest('hex').slice(0, 32);
}

function columnsOf(payload: unknown, what: string): Record<string, unknown> {
  const cols = (payload as { columns?: unknown } | null)?.columns;
  if (cols === null || typeof cols !== 'object' || Array.isArray(cols) || looksLikeWireArray(cols)) {
    throw new InvalidArgumentError(`${what}.columns must be a map of column name → array`);
  }
  const names = Object.keys(cols);
  if (names.length > CLIENT_DATA_LIMITS.maxColumns) {
    throw new LimitExceededError(
      `${what}: ${names.length} columns is over the limit of ${CLIENT_DATA_LIMITS.maxColumns}`,
    );
  }
  for (const n of names) {
    if (n.length === 0 || n.length > CLIENT_DATA_LIMITS.maxNameLength) {
      throw new InvalidArgumentError(
        `${what}: column names must be 1..${CLIENT_DATA_LIMITS.maxNameLength} characters (got one of ${n.length})`,
      );
    }
  }
  return cols as Record<string, unknown>;
}

function extraBytes(f: MarketFrame): number {
  let n = 0;
  for (const a of Object.values(f.extra ?? {})) n += a.byteLength;
  return n;
}

/** Numbers since the epoch read as the CSV loader reads them (parseTimeMs): seconds below 1e11, µs from 1e14. */
function epochMs(n: number): number {
  return n < 1e11 ? Math.round(n * 1000) : n >= 1e14 ? Math.round(n / 1000) : n;
}

function column(cols: Record<string, unknown>, name: string, rows: number, what: string): Float64Array {
  const w = parseWireArray(cols[name], `${what}.columns.${name}`);
  if (w.shape.length !== 1 || w.shape[0] !== rows) {
    throw new InvalidArgumentError(
      `${what}.columns.${name} must be one-dimensional with ${rows} rows (the time column's), got shape [${w.shape.join(', ')}]`,
    );
  }
  const a = decodeWireArray(w);
  return a instanceof Float64Array ? a : Float64Array.from(a);
}

function frameFromColumns(
  payload: unknown,
  symbol: string,
  timeframe: string | undefined,
  what: string,
  reserve: (bytes: number) => void,
): MarketFrame {
  const record = columnsOf(payload, what);
  const names = Object.keys(record);
  const missing = ['time', ...CANDLE_KEYS].filter((k) => !(k in record));
  if (missing.length > 0) {
    throw new DataError(
      `${what}: missing column(s) ${missing.join(', ')}: candles need time, ${CANDLE_KEYS.join(', ')}`,
    );
  }
  const timeWire = parseWireArray(record.time, `${what}.columns.time`);
  const rows = timeWire.shape[0] ?? 0;
  if (timeWire.shape.length !== 1 || rows === 0)
    throw new DataError(`${what}: the time column must be 1-D and not empty`);
  if (rows > CLIENT_DATA_LIMITS.maxRows) {
    throw new LimitExceededError(`${what}: ${rows} rows is over the limit of ${CLIENT_DATA_LIMITS.maxRows} per symbol`);
  }
  const time = column(record, 'time', rows, what);
  for (let i = 0; i < rows; i++) time[i] = epochMs(time[i]!);
  const get = (k: string): Float64Array =>
    k in record ? column(record, k, rows, what) : new Float64Array(rows).fill(Number.NaN);
  const cands: CandleColumns = {
    length: rows,
    time,
    open: get('open'),
    high: get('high'),
    low: get('low'),
    close: get('close'),
    volume: get('volume'),
    trades: get('trades'),
    vwap: get('vwap'),
  };
  checkRows(cands, what);
  const tf = timeframe !== undefined ? normalizeTimeframe(timeframe) : inferTimeframe(time, what);
  const tfMs = timeframeMs(tf);
  const total = checkGrid(time, tfMs, tf, what);
  // What the frame allocates beyond the received columns: the gap-filled candles, filled flags and extra columns.
  reserve(total * (9 * 8 + 1 + (names.length - 6) * 8));
  const known = new Set<string>(['time', ...CANDLE_KEYS, ...OPTIONAL_KEYS]);
  const extraNames = names.filter((n) => !known.has(n));
  const extraIn = extraNames.map((n) => column(record, n, rows, what));
  const { cols: filledCols, filled } = fillGaps(cands, tfMs);
  const extra: Record<string, Float64Array> = {};
  extraNames.forEach((n, e) => {
    extra[n] = spreadOverGaps(extraIn[e]!, filled, total, `${what}.columns.${n}`);
  });
  const frame = columnsToFrame(filledCols, normalizeSymbol(symbol), tf, tfMs, filled);
  return extraNames.length > 0 ? { ...frame, extra } : frame;
}

/** Every row as the CSV loader checks it (finite prices > 0, low ≤ open,close ≤ high, volume ≥ 0), times ascending. */
function checkRows(c: CandleColumns, what: string): void {
  const r = emptyRow();
  for (let i = 0; i < c.length; i++) {
    r.time = c.time[i]!;
    r.open = c.open[i]!;
    r.high = c.high[i]!;
    r.low = c.low[i]!;
    r.close = c.close[i]!;
    r.volume = c.volume[i]!;
    r.trades = c.trades[i]!;
    r.vwap = c.vwap[i]!;
    const bad = checkCandle(r);
    if (bad !== null) throw new DataError(`${what}: bad row ${i} (${bad})`);
    if (i > 0 && !(r.time > c.time[i - 1]!)) {
      throw new DataError(`${what}: row ${i}'s time is not after row ${i - 1}'s (rows must ascend, without repeats)`);
    }
  }
}

function inferTimeframe(time: Float64Array, what: string): string {
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < time.length; i++) step = Math.min(step, time[i]! - time[i - 1]!);
  if (!Number.isFinite(step)) throw new DataError(`${what}: one row only, cannot infer the timeframe: pass timeframe`);
  return timeframeName(step);
}

/** Bars after filling gaps; refuses off-grid rows and data whose gaps would fill beyond the row limit. */
function checkGrid(time: Float64Array, tfMs: number, tf: string, what: string): number {
  const t0 = time[0]!;
  for (let i = 1; i < time.length; i++) {
    if ((time[i]! - t0) % tfMs !== 0) {
      throw new DataError(
        `${what}: row ${i} is off the ${tf} grid (${new Date(time[i]!).toISOString()} is not a whole number of ${tf} bars after the first row): resample, or pass the right timeframe`,
      );
    }
  }
  const total = (time[time.length - 1]! - t0) / tfMs + 1;
  if (total > CLIENT_DATA_LIMITS.maxRows) {
    throw new LimitExceededError(
      `${what}: ${time.length} rows span ${total} ${tf} bars once gaps are filled, over the limit of ${CLIENT_DATA_LIMITS.maxRows}: send a shorter span or a longer timeframe`,
    );
  }
  return total;
}

/** An extra column laid onto the gap-filled bars: filled bars repeat the last real value (as filled prices do). */
function spreadOverGaps(src: Float64Array, filled: Uint8Array, total: number, what: string): Float64Array {
  for (let i = 0; i < src.length; i++) {
    if (Number.isNaN(src[i]!) || Math.abs(src[i]!) === Number.POSITIVE_INFINITY) {
      throw new DataError(`${what}: row ${i} is not a finite number (extra columns must be finite everywhere)`);
    }
  }
  if (total === src.length) return src;
  const out = new Float64Array(total);
  let k = -1;
  for (let j = 0; j < total; j++) {
    if (filled[j] === 0) k++;
    out[j] = src[k]!;
  }
  return out;
}
