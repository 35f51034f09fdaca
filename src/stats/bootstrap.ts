// The stationary bootstrap (Politis & Romano, 1994): resamples a series in blocks of geometric random length so that
// the serial dependence of returns survives resampling. Used to put a significance level on the difference between
// two policies' per-period returns over the same bars (A/B tests, the promotion gate).
import { InvalidArgumentError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { finiteMean } from './finite.ts';

export interface BootstrapOptions {
  /** Bootstrap replicates (default 2,000). */
  samples?: number;
  /** Mean block length in periods (default: ⌈n^(1/3)⌉, a common rule of thumb). */
  meanBlock?: number;
  seed?: number;
}

export interface MeanDifferenceTest {
  n: number;
  /** Observed mean of the differences. */
  mean: number;
  /** One-sided p-value of "the true mean is ≤ 0" (small: A really beats B). */
  pValue: number;
  /** 95% percentile interval of the mean. */
  low: number;
  high: number;
  samples: number;
  meanBlock: number;
}

/** Stationary-bootstrap test of whether the mean of `diff` (e.g. A's minus B's per-period returns) is above 0. */
export function stationaryBootstrapMean(diff: ArrayLike<number>, opts: BootstrapOptions = {}): MeanDifferenceTest {
  const n = diff.length;
  if (n < 2) throw new InvalidArgumentError(`the bootstrap needs at least 2 periods, got ${n}`);
  const samples = opts.samples ?? 2_000;
  const meanBlock = opts.meanBlock ?? Math.ceil(Math.cbrt(n));
  if (!Number.isInteger(samples) || samples < 10 || samples > 1_000_000) {
    throw new InvalidArgumentError(`samples must be an integer in [10, 1,000,000], got ${samples}`);
  }
  if (!(meanBlock >= 1 && meanBlock <= n))
    throw new InvalidArgumentError(`meanBlock must be in [1, ${n}], got ${meanBlock}`);
  const mean = finiteMean(diff, 'difference', 'the bootstrap needs');
  const rng = new Rng(opts.seed ?? 0);
  const p = 1 / meanBlock;
  const means = new Float64Array(samples);
  let atLeast = 0;
  for (let b = 0; b < samples; b++) {
    let s = 0;
    let i = rng.integer(n);
    for (let k = 0; k < n; k++) {
      s += diff[i]!;
      i = rng.random() < p ? rng.integer(n) : i + 1 === n ? 0 : i + 1;
    }
    const m = s / n;
    means[b] = m;
    // Under H0 (true mean 0) the replicate's deviation from the observed mean is what chance alone would give.
    if (m - mean >= mean) atLeast++;
  }
  means.sort();
  return {
    n,
    mean,
    pValue: (1 + atLeast) / (samples + 1),
    low: means[Math.floor(0.025 * (samples - 1))]!,
    high: means[Math.ceil(0.975 * (samples - 1))]!,
    samples,
    meanBlock,
  };
}
