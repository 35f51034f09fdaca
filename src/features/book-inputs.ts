// Order-book snapshots (one row per price level, as replay's book_snapshots table stores them) into the per-bar input
// columns that the book features read: bid_px_k, ask_px_k, bid_sz_k, ask_sz_k (k = 1 is the best level), taken from
// the last snapshot at or before each bar's close.
import { FeatureDataError, FeatureError } from './errors.ts';
import { bookColumn } from './input.ts';

export interface BookLevels {
  /** Snapshot time in ms, ascending; rows with the same time form one snapshot. */
  time: ArrayLike<number>;
  /** +1 bid, −1 ask. */
  side: ArrayLike<number>;
  /** 0 = best level. */
  level: ArrayLike<number>;
  price: ArrayLike<number>;
  size: ArrayLike<number>;
}

export interface BookColumnsResult {
  columns: Record<string, Float64Array>;
  /** First bar with a complete book (every level on both sides); earlier bars hold NaN: start the frame here. */
  firstCovered: number;
}

export function bookColumns(
  barTime: Float64Array,
  timeframeMs: number,
  book: BookLevels,
  levels: number,
): BookColumnsResult {
  if (!(Number.isInteger(levels) && levels >= 1 && levels <= 100))
    throw new FeatureError(`book levels must be an integer in 1..100, got ${levels}`);
  const n = book.time.length;
  for (const k of ['side', 'level', 'price', 'size'] as const) {
    if (book[k].length !== n)
      throw new FeatureError(`book snapshots: '${k}' has ${book[k].length} rows, 'time' has ${n}`);
  }
  const T = barTime.length;
  const names: string[] = [];
  for (let k = 1; k <= levels; k++)
    names.push(
      bookColumn('bid', 'px', k),
      bookColumn('ask', 'px', k),
      bookColumn('bid', 'sz', k),
      bookColumn('ask', 'sz', k),
    );
  const cols = Object.fromEntries(names.map((c) => [c, new Float64Array(T).fill(NaN)])) as Record<string, Float64Array>;
  // Current book (4 values per level) and the snapshot being read.
  const cur = new Float64Array(4 * levels).fill(NaN);
  const next = new Float64Array(4 * levels).fill(NaN);
  let i = 0;
  let prevTime = -Infinity;
  let firstCovered = -1;
  for (let b = 0; b < T; b++) {
    const close = barTime[b]! + timeframeMs;
    while (i < n && book.time[i]! <= close) {
      const t = book.time[i]!;
      if (!(t >= prevTime))
        throw new FeatureDataError(
          t,
          `book row ${i}: time is before the previous row's: snapshots must be in time order`,
        );
      next.fill(NaN);
      for (; i < n && book.time[i] === t; i++) {
        const side = book.side[i]!,
          lv = book.level[i]!,
          px = book.price[i]!,
          sz = book.size[i]!;
        if (side !== 1 && side !== -1)
          throw new FeatureDataError(t, `book row ${i}: side ${side}: use +1 (bid) or −1 (ask)`);
        if (!(px > 0 && px < Infinity && sz >= 0 && sz < Infinity))
          throw new FeatureDataError(
            t,
            `book row ${i}: price ${px}, size ${sz}: need a positive finite price and a finite size ≥ 0`,
          );
        if (Number.isInteger(lv) && lv >= 0 && lv < levels) {
          next[4 * lv + (side === 1 ? 0 : 1)] = px;
          next[4 * lv + (side === 1 ? 2 : 3)] = sz;
        }
      }
      cur.set(next);
      prevTime = t;
    }
    let complete = true;
    for (let j = 0; j < cur.length; j++) {
      cols[names[j]!]![b] = cur[j]!;
      if (cur[j] !== cur[j]) complete = false;
    }
    if (complete && firstCovered < 0) firstCovered = b;
  }
  return { columns: cols, firstCovered: firstCovered < 0 ? T : firstCovered };
}
