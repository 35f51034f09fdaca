// The equity curve as running statistics (peak, drawdown, return moments, exposure): one committed sample per distinct
// mark time, so the vector env and the object API report the same metrics without storing a curve (metrics.ts reads them).
import type { AccountBook } from './book.ts';

/**
 * Marks account a at time t: equity = cash + unrealized at the slots' current marks. Samples are committed to the
 * statistics (peak, drawdown, returns, exposure) when a *later* t arrives, so several symbols marked at the same time
 * give one sample (the last). Call once per step in the vector env. Returns the equity.
 */
export function markAccount(b: AccountBook, a: number, timeMs: number): number {
  const S = b.nSymbols;
  const size = b.size;
  const mark = b.markPrice;
  const entry = b.entryPrice;
  let e = b.cash[a]!;
  let exposed = 0;
  for (let p = a * S, end = a * S + S; p < end; p++) {
    const sz = size[p]!;
    if (sz !== 0) {
      e += sz * (mark[p]! - entry[p]!);
      exposed = 1;
    }
  }
  const last = b.lastMarkTime[a]!;
  if (last === last && timeMs !== last && b.lastCommitTime[a] !== last) commitSample(b, a);
  b.equity[a] = e;
  b.lastMarkTime[a] = timeMs;
  b.pendingExposed[a] = exposed;
  return e;
}

/** Commits the pending sample (b.equity / pendingExposed / lastMarkTime). Reads it from the book: no doubles cross the call. */
function commitSample(b: AccountBook, a: number): void {
  const e = b.equity[a]!;
  const exposed = b.pendingExposed[a]!;
  const t = b.lastMarkTime[a]!;
  const n = b.sampleCount[a]!;
  if (n === 0) {
    b.firstEquity[a] = e;
    b.firstMarkTime[a] = t;
  } else {
    const prev = b.prevEquity[a]!;
    if (prev > 0) {
      const r = e / prev - 1;
      const k = b.retCount[a]! + 1;
      const d = r - b.retMean[a]!;
      const mean = b.retMean[a]! + d / k;
      b.retM2[a] = b.retM2[a]! + d * (r - mean);
      b.retMean[a] = mean;
      b.retCount[a] = k;
      if (r < 0) b.downSumSq[a] = b.downSumSq[a]! + r * r;
    }
  }
  if (e > b.peakEquity[a]!) b.peakEquity[a] = e;
  const peak = b.peakEquity[a]!;
  const ddAbs = peak - e;
  if (ddAbs > b.maxDrawdownAbs[a]!) b.maxDrawdownAbs[a] = ddAbs;
  const dd = peak > 0 ? ddAbs / peak : 0;
  if (dd > b.maxDrawdown[a]!) b.maxDrawdown[a] = dd;
  if (exposed) b.exposedCount[a] = b.exposedCount[a]! + 1;
  b.prevEquity[a] = e;
  b.sampleCount[a] = n + 1;
  b.lastCommitTime[a] = t;
}

/** Commits the pending sample now (end of an episode / before reading metrics). Idempotent until the next mark. */
export function flushMarks(b: AccountBook, a: number): void {
  const last = b.lastMarkTime[a]!;
  if (last === last && b.lastCommitTime[a] !== last) commitSample(b, a);
}
