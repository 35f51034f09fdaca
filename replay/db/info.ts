// `tg4 data info`: per symbol/timeframe the range, row count and gaps (missing bars) with their sizes; trades per symbol.
import type pg from 'pg';
import { summarizeGaps, type Gap, type GapReport } from '../gaps.ts';
import { timeframeMs } from '../timeframe.ts';
import { toDbError } from './connect.ts';
import { requireMigrated } from './migrate.ts';

export interface SeriesInfo {
  symbol: string;
  timeframe: string;
  rows: number;
  from: number;
  to: number;
  gaps: GapReport;
}

export interface TradesInfo {
  symbol: string;
  rows: number;
  from: number;
  to: number;
}

const TF_SECONDS = `(substring(timeframe FROM '^[0-9]+')::int * CASE right(timeframe, 1) WHEN 'm' THEN 60 WHEN 'h' THEN 3600 ELSE 86400 END)`;

export interface BookInfo {
  symbol: string;
  snapshots: number;
  levels: number;
  from: number;
  to: number;
}

export async function dataInfo(
  c: pg.ClientBase,
  url: string,
): Promise<{ candles: SeriesInfo[]; trades: TradesInfo[]; books: BookInfo[] }> {
  try {
    await requireMigrated(c, url);
    const s = await c.query<{ symbol: string; timeframe: string; rows: string; lo: number; hi: number }>(`
      SELECT symbol, timeframe, count(*) AS rows, extract(epoch FROM min(time)) * 1000 AS lo, extract(epoch FROM max(time)) * 1000 AS hi
      FROM candles GROUP BY symbol, timeframe ORDER BY symbol, timeframe`);
    const g = await c.query<{ symbol: string; timeframe: string; prev_ms: number; d_s: number }>(`
      SELECT symbol, timeframe, extract(epoch FROM prev) * 1000 AS prev_ms, extract(epoch FROM time - prev) AS d_s FROM (
        SELECT symbol, timeframe, time, lag(time) OVER (PARTITION BY symbol, timeframe ORDER BY time) AS prev FROM candles) x
      WHERE time - prev > ${TF_SECONDS} * interval '1 second'
      ORDER BY symbol, timeframe, time`);
    const gapsBy = new Map<string, Gap[]>();
    for (const r of g.rows) {
      const tfMs = timeframeMs(r.timeframe);
      const bars = Math.round((Number(r.d_s) * 1000) / tfMs) - 1;
      if (bars <= 0) continue;
      const key = `${r.symbol}|${r.timeframe}`;
      const list = gapsBy.get(key) ?? [];
      list.push({ start: Number(r.prev_ms) + tfMs, end: Number(r.prev_ms) + bars * tfMs, bars });
      gapsBy.set(key, list);
    }
    const t = await c.query<{ symbol: string; rows: string; lo: number; hi: number }>(`
      SELECT symbol, count(*) AS rows, extract(epoch FROM min(time)) * 1000 AS lo, extract(epoch FROM max(time)) * 1000 AS hi
      FROM trades GROUP BY symbol ORDER BY symbol`);
    const b = await c.query<{ symbol: string; snapshots: string; levels: string; lo: number; hi: number }>(`
      SELECT symbol, count(DISTINCT time) AS snapshots, count(*) AS levels, extract(epoch FROM min(time)) * 1000 AS lo,
        extract(epoch FROM max(time)) * 1000 AS hi FROM book_snapshots GROUP BY symbol ORDER BY symbol`);
    return {
      books: b.rows.map((r) => ({
        symbol: r.symbol,
        snapshots: Number(r.snapshots),
        levels: Number(r.levels),
        from: Number(r.lo),
        to: Number(r.hi),
      })),
      candles: s.rows.map((r) => ({
        symbol: r.symbol,
        timeframe: r.timeframe,
        rows: Number(r.rows),
        from: Number(r.lo),
        to: Number(r.hi),
        gaps: summarizeGaps(gapsBy.get(`${r.symbol}|${r.timeframe}`) ?? []),
      })),
      trades: t.rows.map((r) => ({ symbol: r.symbol, rows: Number(r.rows), from: Number(r.lo), to: Number(r.hi) })),
    };
  } catch (err) {
    throw toDbError(err, url, 'data info');
  }
}
