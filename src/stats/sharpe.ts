// Sharpe-ratio statistics that account for how returns are distributed and how many things were tried
// (Bailey & López de Prado: "The Sharpe Ratio Efficient Frontier", 2012; "The Deflated Sharpe Ratio", 2014).
// All ratios here are per period (per bar) — annualise only for display, and only over ranges long enough to mean it.
import { InvalidArgumentError } from '../core/errors.ts';
import { normalCdf, normalQuantile } from './normal.ts';
import { finiteMean } from './finite.ts';

export interface ReturnMoments {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1). */
  std: number;
  skewness: number;
  /** Kurtosis (not excess: 3 for a normal distribution). */
  kurtosis: number;
}

/** Mean, sample std, skewness and kurtosis of a return series (NaN entries are refused). */
export function returnMoments(returns: ArrayLike<number>): ReturnMoments {
  const n = returns.length;
  if (n < 2) throw new InvalidArgumentError(`need at least 2 returns for Sharpe statistics, got ${n}`);
  const mean = finiteMean(returns, 'return', 'Sharpe statistics need');
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const std = Math.sqrt(m2 / (n - 1));
  const pv = m2 / n;
  return {
    n,
    mean,
    std,
    skewness: pv > 0 ? m3 / n / pv ** 1.5 : 0,
    kurtosis: pv > 0 ? m4 / n / (pv * pv) : 3,
  };
}

/** Per-period Sharpe ratio mean/std (0 for a constant series: no risk taken, no edge shown). */
export function sharpeRatio(returns: ArrayLike<number>): number {
  const m = returnMoments(returns);
  return m.std > 0 ? m.mean / m.std : 0;
}

/**
 * Probabilistic Sharpe Ratio: the probability that the true per-period Sharpe ratio exceeds `benchmark`, given the
 * observed one, the sample length, and the returns' skewness and kurtosis.
 */
export function probabilisticSharpeRatio(returns: ArrayLike<number>, benchmark = 0): number {
  const m = returnMoments(returns);
  const sr = m.std > 0 ? m.mean / m.std : 0;
  const denom = 1 - m.skewness * sr + ((m.kurtosis - 1) / 4) * sr * sr;
  if (!(denom > 0)) return sr > benchmark ? 1 : 0;
  return normalCdf(((sr - benchmark) * Math.sqrt(m.n - 1)) / Math.sqrt(denom));
}

const EULER_GAMMA = 0.5772156649015329;

/**
 * The Sharpe ratio the best of `trials` independent tries would show by luck alone when every true Sharpe is 0 and
 * the tries' Sharpe ratios vary with `variance` (the expected maximum, by the false-strategy theorem).
 */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (!Number.isInteger(trials) || trials < 1) {
    throw new InvalidArgumentError(
      `the number of trials must be an integer ≥ 1, got ${trials}: count every configuration and seed tried`,
    );
  }
  if (!(variance >= 0))
    throw new InvalidArgumentError(`the variance of the trials' Sharpe ratios must be ≥ 0, got ${variance}`);
  if (trials === 1) return 0;
  return (
    Math.sqrt(variance) *
    ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) + EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E)))
  );
}

export interface DeflatedSharpe {
  /** The probability that the true Sharpe ratio beats what the best of the trials would show by luck. */
  dsr: number;
  /** That luck threshold (per period). */
  threshold: number;
  trials: number;
  /** Variance of the trials' per-period Sharpe ratios that the threshold was computed from. */
  variance: number;
}

/**
 * Deflated Sharpe Ratio of the chosen strategy's `returns`, given the per-period Sharpe ratios of every trial run
 * (the chosen one included). With one trial it is the PSR against 0.
 */
export function deflatedSharpeRatio(returns: ArrayLike<number>, trialSharpes: ArrayLike<number>): DeflatedSharpe {
  const trials = trialSharpes.length;
  let mean = 0;
  for (let i = 0; i < trials; i++) mean += trialSharpes[i]!;
  mean /= Math.max(trials, 1);
  let v = 0;
  for (let i = 0; i < trials; i++) v += (trialSharpes[i]! - mean) ** 2;
  const variance = trials > 1 ? v / (trials - 1) : 0;
  const threshold = expectedMaxSharpe(trials, variance);
  return { dsr: probabilisticSharpeRatio(returns, threshold), threshold, trials, variance };
}
