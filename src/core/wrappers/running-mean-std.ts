// Running mean and variance over a stream of vectors (Gymnasium's RunningMeanStd: parallel-variance merge, with the
// count starting at epsilon so that the first update does not divide by zero).
export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count: number;

  constructor(size: number, epsilon = 1e-4) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = epsilon;
  }

  /** Adds one sample (a batch of one). */
  update(x: ArrayLike<number>): void {
    const total = this.count + 1;
    for (let i = 0; i < this.mean.length; i++) {
      const delta = x[i]! - this.mean[i]!;
      const newMean = this.mean[i]! + delta / total;
      const m2 = this.var[i]! * this.count + (delta * delta * this.count) / total;
      this.mean[i] = newMean;
      this.var[i] = m2 / total;
    }
    this.count = total;
  }
}
