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
import { sliceByTime } from '../slice.ts';
import { normalizeTimeframe, timeframeMs } from '../timeframe.ts';
import { toDbError } from './connect.ts';
import { copyOutColumns } from './copy-out.ts';
import type { BinaryColumn } from './pg-binary.ts';
import { requireMigrated } from './migrate.ts';

const KINDS: readonly BinaryColumn[] = [
  'timestamptz-ms',
  'float8',
  'float8',
  'float8',
  'float8',
  'float8',
  'float8',
  'float8',
];

export const AGGREGATE_TIMEFRAMES = ['5m', '15m', '1h', '4h', '1d'] as const;

export interface DbLoadOptions {
  symbol: string;
  timeframe: string;
  from?: TimeInput;
  to?: TimeInput;
  gaps?: GapPolicy;
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const tsLit = (ms: number): string =>
  Number.isFinite(ms) ? `to_timestamp(${ms / 1000})` : ms > 0 ? `'infinity'::timestamptz` : `'-infinity'::timestamptz`;

async function storedTimeframes(c: pg.ClientBase, symbol: string): Promise<string[]> {
  const r = await c.query<{ timeframe: string }>(`SELECT DISTINCT timeframe FROM candles WHERE symbol = $1`, [symbol]);
  return r.rows.map((x) => x.timeframe).sort((a, b) => timeframeMs(a) - timeframeMs(b));
}

/** Why a query returned nothing: unknown symbol (lists the symbols), unknown timeframe, or an empty range (gives the range). */
async function explainEmpty(
  c: pg.ClientBase,
  symbol: string,
  tf: string,
  from: number,
  to: number,
  baseTf: string,
): Promise<DataError> {
  const syms = await c.query<{ symbol: string }>('SELECT DISTINCT symbol FROM candles ORDER BY 1');
  if (!syms.rows.some((r) => r.symbol === symbol)) {
    const list = syms.rows.map((r) => r.symbol).join(', ');
    return new DataError(
      `no candles for symbol '${symbol}': ${list ? `the database has ${list}` : 'the candles table is empty: run tg4 data ingest'}`,
    );
  }
  const r = await c.query<{ lo: number; hi: number }>(
    `SELECT extract(epoch FROM min(time)) * 1000 AS lo, extract(epoch FROM max(time)) * 1000 AS hi FROM candles WHERE symbol = $1 AND timeframe = $2`,
    [symbol, baseTf],
  );
  const lo = Number(r.rows[0]?.lo);
  const hi = Number(r.rows[0]?.hi);
  return new DataError(
    `no ${symbol} ${tf} bars in [${isoUtc(from)}, ${isoUtc(to)}): stored ${baseTf} data cover ${isoUtc(lo)} → ${isoUtc(hi)}`,
  );
}

function toColumns(length: number, cols: Float64Array[]): CandleColumns {
  const [time, open, high, low, close, volume, trades, vwap] = cols as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  return { length, time, open, high, low, close, volume, trades, vwap };
}

/** Loads candles from PostgreSQL into a MarketFrame; errors say what exists. */
export async function loadFromDb(c: pg.ClientBase, url: string, opts: DbLoadOptions): Promise<MarketFrame> {
  const symbol = normalizeSymbol(opts.symbol);
  const tf = normalizeTimeframe(opts.timeframe);
  const T = timeframeMs(tf);
  const gaps = opts.gaps ?? 'fill';
  if (!GAP_POLICIES.includes(gaps))
    throw new InvalidArgumentError(`gaps '${gaps}' is not a gap policy: use ${GAP_POLICIES.join(' or ')}`);
  const from = opts.from !== undefined ? toMs(opts.from, 'from') : -Infinity;
  const to = opts.to !== undefined ? toMs(opts.to, 'to') : Infinity;
  try {
    await requireMigrated(c, url);
    // Index probes first (cheap); the DISTINCT scan only when the timeframe is not stored.
    const lastOf = async (t: string): Promise<number> => {
      const r = await c.query<{ t: string | null }>(
        'SELECT extract(epoch FROM max(time)) * 1000 AS t FROM candles WHERE symbol = $1 AND timeframe = $2',
        [symbol, t],
      );
      return r.rows[0]?.t == null ? NaN : Number(r.rows[0].t);
    };
    let base: string | undefined;
    let baseLast = await lastOf(tf);
    if (Number.isFinite(baseLast)) base = tf;
    else {
      const stored = await storedTimeframes(c, symbol);
      if (stored.length === 0) throw await explainEmpty(c, symbol, tf, from, to, tf);
      base = [...stored].reverse().find((s) => T % timeframeMs(s) === 0);
      if (!base) {
        throw new DataError(
          `${symbol} has ${stored.join(', ')} candles; ${tf} is neither stored nor a multiple of a stored timeframe: ingest ${tf} or a finer one`,
        );
      }
      baseLast = await lastOf(base);
    }
    const range = `time >= ${tsLit(from)} AND time < ${tsLit(to)}`;
    const cols = 'time, open, high, low, close, volume, trades::float8, vwap::float8';
    const sym = lit(symbol);
    let cc: CandleColumns;
    let seriesLast: number; // open time of the last bar of the whole series (fill never runs past it)
    if (base === tf || (base === '1m' && (AGGREGATE_TIMEFRAMES as readonly string[]).includes(tf))) {
      // Stored rows, or the database aggregate of 1m up to the last bucket that ends by the close of the last 1m bar.
      seriesLast = base === tf ? baseLast : Math.floor((baseLast + 60_000) / T) * T - T;
      const source =
        base === tf
          ? `candles WHERE symbol = ${sym} AND timeframe = ${lit(tf)}`
          : `candles_${tf} WHERE symbol = ${sym} AND time <= ${tsLit(seriesLast)}`;
      // With 'fill', the last row before the range seeds the bars that fill the range's start (as in one long frame).
      const seed =
        gaps === 'fill' && Number.isFinite(from)
          ? `(SELECT ${cols} FROM ${source} AND time < ${tsLit(from)} ORDER BY time DESC LIMIT 1) UNION ALL `
          : '';
      const r = await copyOutColumns(c, `${seed}(SELECT ${cols} FROM ${source} AND ${range} ORDER BY time)`, KINDS);
      cc = toColumns(r.length, r.cols);
    } else {
      // Neither stored nor a database aggregate: resample the stored base here (bucket-aligned range, closed bars only).
      const alignedFrom = Number.isFinite(from) ? Math.floor(from / T) * T : undefined;
      const b = await loadFromDb(c, url, {
        symbol,
        timeframe: base,
        from: alignedFrom,
        to: Number.isFinite(to) ? to : undefined,
        gaps: 'keep',
      });
      const rs = resample(b, tf);
      cc = {
        length: rs.length,
        time: rs.time,
        open: rs.open,
        high: rs.high,
        low: rs.low,
        close: rs.close,
        volume: rs.volume,
        trades: rs.trades ?? new Float64Array(rs.length).fill(NaN),
        vwap: rs.vwap ?? new Float64Array(rs.length).fill(NaN),
      };
      seriesLast = rs.length > 0 ? rs.time[rs.length - 1]! : NaN;
    }
    if (cc.length === 0 || cc.time[cc.length - 1]! < from) throw await explainEmpty(c, symbol, tf, from, to, base);
    let frame: MarketFrame;
    if (gaps === 'fill') {
      const f = fillGaps(cc, T, Math.min(seriesLast, to - 1));
      const full = columnsToFrame(f.cols, symbol, tf, T, f.filled);
      frame = sliceByTime(full, Number.isFinite(from) ? from : undefined, Number.isFinite(to) ? to : undefined);
    } else {
      frame = columnsToFrame(cc, symbol, tf, T);
    }
    return frame;
  } catch (err) {
    if (err instanceof DataError || err instanceof InvalidArgumentError) throw err;
    throw toDbError(err, url, `loading ${symbol} ${tf}`);
  }
}

/** Symbols and timeframes stored in the candles table. */
export async function listSeries(c: pg.ClientBase): Promise<{ symbol: string; timeframe: string }[]> {
  const r = await c.query<{ symbol: string; timeframe: string }>(
    'SELECT DISTINCT symbol, timeframe FROM candles ORDER BY 1, 2',
  );
  return r.rows;
}
