// Rolling z-scores of many columns at once (the spec's rolling_zscore normalization), struct-of-arrays: one ring of
// `window` values per column in one Float64Array. Same arithmetic as RollingMoments (shifted sums, exact re-summation
// every `window` pushes, exactly 0 spread over a window of equal values), without an object per column.
export class RollingZScoreBank {
  private readonly ring: Float64Array;
  private readonly head: Int32Array;
  private readonly count: Int32Array;
  private readonly since: Int32Array;
  private readonly run: Int32Array;
  private readonly last: Float64Array;
  private readonly shift: Float64Array;
  private readonly s1: Float64Array;
  private readonly s2: Float64Array;

  constructor(readonly columns: number, readonly window: number) {
    this.ring = new Float64Array(columns * window);
    this.head = new Int32Array(columns);
    this.count = new Int32Array(columns);
    this.since = new Int32Array(columns);
    this.run = new Int32Array(columns);
    this.last = new Float64Array(columns).fill(NaN);
    this.shift = new Float64Array(columns);
    this.s1 = new Float64Array(columns);
    this.s2 = new Float64Array(columns);
  }

  /** Adds x to column c's window; returns its z-score, or NaN while the window is not full. */
  push(c: number, x: number): number {
    const W = this.window;
    const base = c * W;
    const run = x === this.last[c] ? this.run[c]! + 1 : 1;
    this.run[c] = run;
    this.last[c] = x;
    let n = this.count[c]!;
    if (n === 0) this.shift[c] = x;
    const k = this.shift[c]!;
    const d = x - k;
    const h = this.head[c]!;
    if (n === W) {
      const o = this.ring[base + h]! - k;
      this.s1[c] += d - o;
      this.s2[c] += d * d - o * o;
    } else {
      this.s1[c] += d;
      this.s2[c] += d * d;
      this.count[c] = ++n;
    }
    this.ring[base + h] = x;
    this.head[c] = h + 1 === W ? 0 : h + 1;
    if (++this.since[c]! >= W) this.recompute(c, n);
    if (n < W) return NaN;
    if (run >= n) return 0;
    const m1 = this.s1[c]! / n;
    const v = this.s2[c]! / n - m1 * m1;
    const sd = Math.sqrt(v > 0 ? v : 0);
    return sd > 0 ? (x - (this.shift[c]! + m1)) / sd : 0;
  }

  private recompute(c: number, n: number): void {
    const base = c * this.window;
    let s = 0;
    for (let i = 0; i < n; i++) s += this.ring[base + i]!;
    const k = s / n;
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const d = this.ring[base + i]! - k;
      a += d;
      b += d * d;
    }
    this.shift[c] = k;
    this.s1[c] = a;
    this.s2[c] = b;
    this.since[c] = 0;
  }
}
