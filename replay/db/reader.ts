// The replay reader over PostgreSQL: one symbol/timeframe/time range of candles into a MarketFrame.
// A stored timeframe is read as is. A timeframe that is not stored is built from the finest stored one that divides it:
// for 5m/15m/1h/4h/1d from 1m through the candles_<tf> aggregates (TimescaleDB continuous aggregates, or date_bin views on
// plain PostgreSQL), otherwise resampled here. Either way an interval still in progress at the end of the data is
// dropped (no look-ahead), and the gap policy (default 'fill') is applied last.
import type pg from 'pg';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { columnsToFrame, type CandleColumns } from '../columns.ts';
import { DataError } from '../errors.ts';
import { fillGaps, GAP_POLICIES, type GapPolicy } from '../gaps.ts';
import type { MarketFrame } from '../market-frame.ts';
import { resample } from '../resample.ts';
import { normalizeSymbol } from '../symbol.ts';
import { isoUtc, toMs, type TimeInput } from '../time-range.ts';
import { normalizeTimeframe, timeframeMs } from '../timeframe.ts';
import { toDbError } from './connect.ts';
import { copyOutColumns } from './copy-out.ts';
import { requireMigrated } from './migrate.ts';

export const AGGREGATE_TIMEFRAMES = ['5m', '15m', '1h', '4h', '1d'] as const;

export interface DbLoadOptions {
  symbol: string;
  timeframe: string;
  from?: TimeInput;
  to?: TimeInput;
  gaps?: GapPolicy;
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const tsLit = (ms: number): string => (Number.isFinite(ms) ? `to_timestamp(${ms / 1000})` : ms > 0 ? `'infinity'::timestamptz` : `'-infinity'::timestamptz`);

async function storedTimeframes(c: pg.ClientBase, symbol: string): Promise<string[]> {
  const r = await c.query<{ timeframe: string }>(
    `SELECT DISTINCT timeframe FROM candles WHERE symbol = $1`, [symbol]);
  return r.rows.map((x) => x.timeframe).sort((a, b) => timeframeMs(a) - timeframeMs(b));
}

/** Why a query returned nothing: unknown symbol (lists the symbols), unknown timeframe, or an empty range (gives the range). */
async function explainEmpty(c: pg.ClientBase, symbol: string, tf: string, from: number, to: number, baseTf: string): Promise<DataError> {
  const syms = await c.query<{ symbol: string }>('SELECT DISTINCT symbol FROM candles ORDER BY 1');
  if (!syms.rows.some((r) => r.symbol === symbol)) {
    const list = syms.rows.map((r) => r.symbol).join(', ');
    return new DataError(`no candles for symbol '${symbol}': ${list ? `the database has ${list}` : 'the candles table is empty: run tg4 data ingest'}`);
  }
  const r = await c.query<{ lo: number; hi: number }>(
    `SELECT extract(epoch FROM min(time)) * 1000 AS lo, extract(epoch FROM max(time)) * 1000 AS hi FROM candles WHERE symbol = $1 AND timeframe = $2`,
    [symbol, baseTf]);
  const lo = Number(r.rows[0]?.lo);
  const hi = Number(r.rows[0]?.hi);
  return new DataError(`no ${symbol} ${tf} bars in [${isoUtc(from)}, ${isoUtc(to)}): stored ${baseTf} data cover ${isoUtc(lo)} → ${isoUtc(hi)}`);
}

function toColumns(length: number, cols: Float64Array[]): CandleColumns {
  const [time, open, high, low, close, volume, trades, vwap] = cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  return { length, time, open, high, low, close, volume, trades, vwap };
}

/** Loads candles from PostgreSQL into a MarketFrame; errors say what exists. */
export async function loadFromDb(c: pg.ClientBase, url: string, opts: DbLoadOptions): Promise<MarketFrame> {
  const symbol = normalizeSymbol(opts.symbol);
  const tf = normalizeTimeframe(opts.timeframe);
  const T = timeframeMs(tf);
  const gaps = opts.gaps ?? 'fill';
  if (!GAP_POLICIES.includes(gaps)) throw new InvalidArgumentError(`gaps '${gaps}' is not a gap policy: use ${GAP_POLICIES.join(' or ')}`);
  const from = opts.from !== undefined ? toMs(opts.from, 'from') : -Infinity;
  const to = opts.to !== undefined ? toMs(opts.to, 'to') : Infinity;
  try {
    await requireMigrated(c, url);
    const stored = await storedTimeframes(c, symbol);
    if (stored.length === 0) throw await explainEmpty(c, symbol, tf, from, to, tf);
    const base = stored.includes(tf) ? tf : [...stored].reverse().find((s) => T % timeframeMs(s) === 0);
    if (!base) {
      throw new DataError(`${symbol} has ${stored.join(', ')} candles; ${tf} is neither stored nor a multiple of a stored timeframe: ingest ${tf} or a finer one`);
    }
    const range = `time >= ${tsLit(from)} AND time < ${tsLit(to)}`;
    const cols = 'extract(epoch FROM time) * 1000, open, high, low, close, volume, trades, vwap';
    let frame: MarketFrame;
    if (base === tf) {
      const r = await copyOutColumns(c, `SELECT ${cols} FROM candles WHERE symbol = ${lit(symbol)} AND timeframe = ${lit(tf)} AND ${range} ORDER BY time`, 8);
      if (r.length === 0) throw await explainEmpty(c, symbol, tf, from, to, tf);
      const cc = toColumns(r.length, r.cols);
      if (gaps === 'fill') {
        const f = fillGaps(cc, T);
        frame = columnsToFrame(f.cols, symbol, tf, T, f.filled);
      } else frame = columnsToFrame(cc, symbol, tf, T);
    } else if (base === '1m' && (AGGREGATE_TIMEFRAMES as readonly string[]).includes(tf)) {
      // Buckets end ≤ the close of the last stored 1m bar; earlier ones are complete by construction.
      const r = await copyOutColumns(c, `SELECT ${cols} FROM candles_${tf} WHERE symbol = ${lit(symbol)} AND ${range}
          AND time + interval '${T / 1000} seconds' <= (SELECT max(time) + interval '1 minute' FROM candles WHERE symbol = ${lit(symbol)} AND timeframe = '1m')
          ORDER BY time`, 8);
      if (r.length === 0) throw await explainEmpty(c, symbol, tf, from, to, base);
      const cc = toColumns(r.length, r.cols);
      if (gaps === 'fill') {
        const f = fillGaps(cc, T);
        frame = columnsToFrame(f.cols, symbol, tf, T, f.filled);
      } else frame = columnsToFrame(cc, symbol, tf, T);
    } else {
      const b = await loadFromDb(c, url, { symbol, timeframe: base, from, to, gaps: 'keep' });
      const rs = resample(b, tf);
      if (rs.length === 0) throw await explainEmpty(c, symbol, tf, from, to, base);
      if (gaps === 'fill') {
        const cc: CandleColumns = {
          length: rs.length, time: rs.time, open: rs.open, high: rs.high, low: rs.low, close: rs.close, volume: rs.volume,
          trades: rs.trades ?? new Float64Array(rs.length).fill(NaN), vwap: rs.vwap ?? new Float64Array(rs.length).fill(NaN),
        };
        const f = fillGaps(cc, T);
        frame = columnsToFrame(f.cols, symbol, tf, T, f.filled);
      } else frame = rs;
    }
    return frame;
  } catch (err) {
    if (err instanceof DataError || err instanceof InvalidArgumentError) throw err;
    throw toDbError(err, url, `loading ${symbol} ${tf}`);
  }
}

/** Symbols and timeframes stored in the candles table. */
export async function listSeries(c: pg.ClientBase): Promise<{ symbol: string; timeframe: string }[]> {
  const r = await c.query<{ symbol: string; timeframe: string }>('SELECT DISTINCT symbol, timeframe FROM candles ORDER BY 1, 2');
  return r.rows;
}
