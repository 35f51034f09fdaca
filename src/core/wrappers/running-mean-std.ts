// Running mean and variance over a stream of vectors (Gymnasium's RunningMeanStd / SB3's VecNormalize statistics):
// Chan's parallel-variance merge of a batch of n rows, with the count starting at epsilon so that the first update does
// not divide by zero. One implementation for the wrappers and the agents; JSON so that models can save it.

export interface RunningStatsJSON {
  mean: number[];
  var: number[];
  count: number;
}

export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count: number;

  constructor(size: number, epsilon = 1e-4) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = epsilon;
  }

  /** Updates with `n` rows of `size` values (row-major); `update(x)` adds one sample. */
  update(x: ArrayLike<number>, n = 1): void {
    const d = this.mean.length;
    if (n === 0) return;
    for (let k = 0; k < d; k++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += x[i * d + k]!;
      m /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (x[i * d + k]! - m) ** 2;
      v /= n;
      const delta = m - this.mean[k]!;
      const tot = this.count + n;
      const m2 = this.var[k]! * this.count + v * n + (delta * delta * this.count * n) / tot;
      this.mean[k] = this.mean[k]! + (delta * n) / tot;
      this.var[k] = m2 / tot;
    }
    this.count += n;
  }

  toJSON(): RunningStatsJSON {
    return { mean: [...this.mean], var: [...this.var], count: this.count };
  }

  static fromJSON(j: RunningStatsJSON): RunningMeanStd {
    const r = new RunningMeanStd(j.mean.length);
    r.mean.set(j.mean);
    r.var.set(j.var);
    r.count = j.count;
    return r;
  }
}
