// Rolling z-scores of many columns at once (the spec's rolling_zscore normalization): one ring of `window` values per
// column in one Float64Array, and each column's running state in one 64-byte slot, so a push touches two cache lines.
// Same arithmetic as RollingMoments (shifted sums, exact re-summation every `window` pushes, exactly 0 spread over a
// window of equal values), without an object per column.

// Slot layout (8 doubles per column).
const HEAD = 0,
  COUNT = 1,
  SINCE = 2,
  RUN = 3,
  LAST = 4,
  SHIFT = 5,
  S1 = 6,
  S2 = 7;

export class RollingZScoreBank {
  private readonly ring: Float64Array;
  private readonly st: Float64Array;

  constructor(
    readonly columns: number,
    readonly window: number,
  ) {
    this.ring = new Float64Array(columns * window);
    this.st = new Float64Array(columns * 8);
    for (let c = 0; c < columns; c++) this.st[c * 8 + LAST] = NaN;
  }

  /** Adds x to column c's window; returns its z-score, or NaN while the window is not full. */
  push(c: number, x: number): number {
    const W = this.window;
    const st = this.st;
    const o8 = c * 8;
    const run = x === st[o8 + LAST] ? st[o8 + RUN]! + 1 : 1;
    st[o8 + RUN] = run;
    st[o8 + LAST] = x;
    let n = st[o8 + COUNT]!;
    if (n === 0) st[o8 + SHIFT] = x;
    const k = st[o8 + SHIFT]!;
    const d = x - k;
    const h = st[o8 + HEAD]!;
    const at = c * W + h;
    let s1 = st[o8 + S1]!;
    let s2 = st[o8 + S2]!;
    if (n === W) {
      const o = this.ring[at]! - k;
      s1 += d - o;
      s2 += d * d - o * o;
    } else {
      s1 += d;
      s2 += d * d;
      st[o8 + COUNT] = ++n;
    }
    st[o8 + S1] = s1;
    st[o8 + S2] = s2;
    this.ring[at] = x;
    st[o8 + HEAD] = h + 1 === W ? 0 : h + 1;
    const since = st[o8 + SINCE]! + 1;
    st[o8 + SINCE] = since;
    if (since >= W) {
      this.recompute(c, n);
      s1 = st[o8 + S1]!;
      s2 = st[o8 + S2]!;
    }
    if (n < W) return NaN;
    if (run >= n) return 0;
    const m1 = s1 / n;
    const v = s2 / n - m1 * m1;
    const sd = Math.sqrt(v > 0 ? v : 0);
    return sd > 0 ? (x - (st[o8 + SHIFT]! + m1)) / sd : 0;
  }

  private recompute(c: number, n: number): void {
    const base = c * this.window;
    const ring = this.ring;
    let s = 0;
    for (let i = 0; i < n; i++) s += ring[base + i]!;
    const k = s / n;
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const d = ring[base + i]! - k;
      a += d;
      b += d * d;
    }
    const o8 = c * 8;
    this.st[o8 + SHIFT] = k;
    this.st[o8 + S1] = a;
    this.st[o8 + S2] = b;
    this.st[o8 + SINCE] = 0;
  }
}
