// Rolling-window primitives shared by the indicators. O(1) per update; sums are recomputed exactly from the ring
// once per window length so that rounding never drifts, and moments are taken about a shift (the window's mean at
// the last recompute) so that variance of prices near 60 000 keeps full precision.

/** The ring of the last n values the running sums are kept over, and the pushes since their last exact recompute. */
abstract class Ring {
  readonly n: number;
  protected readonly ring: Float64Array;
  protected head = 0;
  protected count = 0;
  protected sinceRecompute = 0;

  constructor(n: number) {
    this.n = n;
    this.ring = new Float64Array(n);
  }

  get full(): boolean {
    return this.count === this.n;
  }
  get size(): number {
    return this.count;
  }
}

/** Fixed-length ring of the last n values with their sum, mean and variance. */
export class RollingMoments extends Ring {
  private shift = 0;
  private s1 = 0;
  private s2 = 0;
  /** How many of the latest pushes equal the latest value: a window of equal values has exactly 0 variance. */
  private run = 0;
  private last = NaN;

  private get flat(): boolean {
    return this.run >= this.count;
  }

  push(x: number): void {
    const n = this.n;
    this.run = x === this.last ? this.run + 1 : 1;
    this.last = x;
    if (this.count === 0) this.shift = x;
    const d = x - this.shift;
    if (this.count === n) {
      const o = this.ring[this.head]! - this.shift;
      this.s1 += d - o;
      this.s2 += d * d - o * o;
    } else {
      this.s1 += d;
      this.s2 += d * d;
      this.count++;
    }
    this.ring[this.head] = x;
    this.head = this.head + 1 === n ? 0 : this.head + 1;
    if (++this.sinceRecompute >= n) this.recompute();
  }

  /** Exact re-summation about the current mean: bounds rounding error whatever the history. */
  private recompute(): void {
    const c = this.count;
    let s = 0;
    for (let i = 0; i < c; i++) s += this.ring[i]!;
    const k = s / c;
    let a = 0;
    let b = 0;
    for (let i = 0; i < c; i++) {
      const d = this.ring[i]! - k;
      a += d;
      b += d * d;
    }
    this.shift = k;
    this.s1 = a;
    this.s2 = b;
    this.sinceRecompute = 0;
  }

  sum(): number {
    return this.flat ? this.last * this.count : this.shift * this.count + this.s1;
  }
  mean(): number {
    return this.flat ? this.last : this.shift + this.s1 / this.count;
  }
  /** Population variance (divide by n); never negative; exactly 0 for a window of equal values. */
  variance(): number {
    if (this.flat) return 0;
    const m = this.s1 / this.count;
    const v = this.s2 / this.count - m * m;
    return v > 0 ? v : 0;
  }
  /** Sample variance (divide by n − 1). */
  sampleVariance(): number {
    const c = this.count;
    if (c < 2 || this.flat) return 0;
    const v = (this.s2 - (this.s1 * this.s1) / c) / (c - 1);
    return v > 0 ? v : 0;
  }
  /** The value pushed k updates ago (0 = latest); k < size. */
  ago(k: number): number {
    let i = this.head - 1 - k;
    if (i < 0) i += this.n;
    return this.ring[i]!;
  }
}

/** Running sum of the last n values (same exact-recompute rule as RollingMoments); exactly 0 over a window of zeros. */
export class RollingSum extends Ring {
  private s = 0;
  private nonZero = 0;

  push(x: number): void {
    if (x !== 0) this.nonZero++;
    if (this.count === this.n) {
      const old = this.ring[this.head]!;
      if (old !== 0) this.nonZero--;
      this.s += x - old;
    } else {
      this.s += x;
      this.count++;
    }
    this.ring[this.head] = x;
    this.head = this.head + 1 === this.n ? 0 : this.head + 1;
    if (++this.sinceRecompute >= this.n) {
      let s = 0;
      for (let i = 0; i < this.count; i++) s += this.ring[i]!;
      this.s = s;
      this.sinceRecompute = 0;
    }
  }

  sum(): number {
    return this.nonZero === 0 ? 0 : this.s;
  }
  mean(): number {
    return this.nonZero === 0 ? 0 : this.s / this.count;
  }
}

/** Maximum (or minimum) of the last n values with a monotonic deque: amortized O(1). */
export class RollingExtreme {
  readonly n: number;
  private readonly isMax: boolean;
  private readonly vals: Float64Array;
  private readonly idx: Float64Array;
  private front = 0;
  private len = 0;
  private t = 0;

  constructor(n: number, kind: 'max' | 'min') {
    this.n = n;
    this.isMax = kind === 'max';
    this.vals = new Float64Array(n);
    this.idx = new Float64Array(n);
  }

  get full(): boolean {
    return this.t >= this.n;
  }

  push(x: number): void {
    const cap = this.n;
    // Drop the expired front (index ≤ t − n).
    if (this.len > 0 && this.idx[this.front]! <= this.t - cap) {
      this.front = this.front + 1 === cap ? 0 : this.front + 1;
      this.len--;
    }
    // Drop dominated tail entries.
    while (this.len > 0) {
      let back = this.front + this.len - 1;
      if (back >= cap) back -= cap;
      const v = this.vals[back]!;
      if (this.isMax ? v <= x : v >= x) this.len--;
      else break;
    }
    let pos = this.front + this.len;
    if (pos >= cap) pos -= cap;
    this.vals[pos] = x;
    this.idx[pos] = this.t;
    this.len++;
    this.t++;
  }

  value(): number {
    return this.vals[this.front]!;
  }
}

/** Wilder's smoothing (RMA seeded with the simple mean of the first n inputs), as Wilder defined it for RSI/ATR/ADX. */
export class WilderSmoother {
  readonly n: number;
  private count = 0;
  private acc = 0;
  value = NaN;

  constructor(n: number) {
    this.n = n;
  }

  get ready(): boolean {
    return this.count >= this.n;
  }

  update(x: number): number {
    if (this.count < this.n) {
      this.acc += x;
      this.count++;
      if (this.count === this.n) this.value = this.acc / this.n;
      return this.value;
    }
    this.value = (x - this.value) * (1 / this.n) + this.value;
    return this.value;
  }
}
