// Missing bars. A gap is a run of bar slots with no row (on Kraken: no trade in that interval). The gap policy decides
// what a reader hands to the envs:
//  - 'fill' (default): each missing bar becomes a flat bar at the previous close (open = high = low = close = previous
//    close, volume 0, trades 0, vwap = previous close) with filled[i] = 1. The time grid is then regular, which is what
//    a trading env stepping bar by bar needs, and a fill only uses the past (no look-ahead).
//  - 'keep': rows as stored; the time grid has holes; use detectGaps() to see them.
import { allocColumns, type CandleColumns, headColumns } from './columns.ts';

export type GapPolicy = 'fill' | 'keep';
export const GAP_POLICIES: readonly GapPolicy[] = ['fill', 'keep'];

export interface Gap {
  /** Open time (ms) of the first missing bar. */
  start: number;
  /** Open time (ms) of the last missing bar. */
  end: number;
  /** Number of missing bars. */
  bars: number;
}

export interface GapReport {
  gaps: Gap[];
  /** Total missing bars. */
  missingBars: number;
  /** Largest gap in bars (0 when none). */
  largest: number;
  /** Count of gaps by size: '1', '2-5', '6-24', '25-100', '>100' bars. */
  histogram: Record<string, number>;
}

const BUCKETS = ['1', '2-5', '6-24', '25-100', '>100'];

function bucket(bars: number): string {
  if (bars <= 1) return '1';
  if (bars <= 5) return '2-5';
  if (bars <= 24) return '6-24';
  if (bars <= 100) return '25-100';
  return '>100';
}

/** Gaps in a strictly ascending time column (ms) of bars of length tfMs. Rows already flagged filled count as missing. */
export function detectGaps(time: ArrayLike<number>, tfMs: number, filled?: ArrayLike<number>): GapReport {
  const gaps: Gap[] = [];
  const n = time.length;
  let prev = -1; // index of the last real bar
  for (let i = 0; i < n; i++) {
    if (filled?.[i]) continue;
    if (prev >= 0) {
      const missing = Math.round((time[i]! - time[prev]!) / tfMs) - 1;
      if (missing > 0) gaps.push({ start: time[prev]! + tfMs, end: time[prev]! + missing * tfMs, bars: missing });
    }
    prev = i;
  }
  return summarizeGaps(gaps);
}

export function summarizeGaps(gaps: Gap[]): GapReport {
  const histogram: Record<string, number> = {};
  let missingBars = 0;
  let largest = 0;
  for (const g of gaps) {
    missingBars += g.bars;
    if (g.bars > largest) largest = g.bars;
    const b = bucket(g.bars);
    histogram[b] = (histogram[b] ?? 0) + 1;
  }
  const ordered: Record<string, number> = {};
  for (const k of BUCKETS) if (histogram[k]) ordered[k] = histogram[k];
  return { gaps, missingBars, largest, histogram: ordered };
}

/**
 * Applies the 'fill' policy: returns new columns on a regular grid and the filled flags. Input must be ascending.
 * `until` (ms, optional) extends the grid with filled bars past the last row up to the last slot opening at ≤ until
 * (a reader uses it so that a range ending in a gap reads the same as a slice of the whole series).
 */
export function fillGaps(
  cols: CandleColumns,
  tfMs: number,
  until?: number,
): { cols: CandleColumns; filled: Uint8Array } {
  const n = cols.length;
  if (n === 0) return { cols, filled: new Uint8Array(0) };
  const lastSlot =
    until !== undefined && Number.isFinite(until) && until > cols.time[n - 1]!
      ? Math.floor((until - cols.time[0]!) / tfMs)
      : Math.round((cols.time[n - 1]! - cols.time[0]!) / tfMs);
  const total = lastSlot + 1;
  if (total === n) return { cols, filled: new Uint8Array(n) };
  const out = allocColumns(total);
  const filled = new Uint8Array(total);
  const t0 = cols.time[0]!;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const slot = Math.round((cols.time[i]! - t0) / tfMs);
    if (slot < j) continue; // off-grid duplicate slot: keep the first row (readers already reject non-ascending rows)
    if (j > 0) j = fillFlat(out, filled, j, slot, t0, tfMs, cols, i);
    out.time[j] = cols.time[i]!;
    out.open[j] = cols.open[i]!;
    out.high[j] = cols.high[i]!;
    out.low[j] = cols.low[i]!;
    out.close[j] = cols.close[i]!;
    out.volume[j] = cols.volume[i]!;
    out.trades[j] = cols.trades[i]!;
    out.vwap[j] = cols.vwap[i]!;
    j++;
  }
  j = fillFlat(out, filled, j, total, t0, tfMs, cols, n - 1); // trailing filled bars up to `until`
  return { cols: headColumns(out, j), filled: filled.subarray(0, j) };
}

/**
 * Flat bars at the previous close (slot from − 1) in slots from..to − 1, with trades 0 and vwap = close where the source
 * row `r` has them (NaN where it has not). Returns `to`.
 */
function fillFlat(
  out: CandleColumns,
  filled: Uint8Array,
  from: number,
  to: number,
  t0: number,
  tfMs: number,
  src: CandleColumns,
  r: number,
): number {
  const c = out.close[from - 1]!;
  const hasTrades = src.trades[r] === src.trades[r];
  const hasVwap = src.vwap[r] === src.vwap[r];
  for (let j = from; j < to; j++) {
    out.time[j] = t0 + j * tfMs;
    out.open[j] = c;
    out.high[j] = c;
    out.low[j] = c;
    out.close[j] = c;
    out.volume[j] = 0;
    out.trades[j] = hasTrades ? 0 : NaN;
    out.vwap[j] = hasVwap ? c : NaN;
    filled[j] = 1;
  }
  return Math.max(from, to);
}
