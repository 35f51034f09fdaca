// Portfolio metrics from the kernel's running statistics (no stored curve needed), so the vector env and the object API
// report the same figures. Formulas and annualization: docs/execution.md, "Metrics".
import { accountEquity, type AccountBook } from './kernel.ts';

export const MS_PER_YEAR = 365 * 24 * 3600 * 1000; // crypto trades every day

export interface AccountMetrics {
  initialCapital: number;
  equity: number;
  cash: number;
  /** equity − initialCapital. */
  totalReturn: number;
  totalReturnPct: number;
  /** Σ net PnL of closed trades (gross − fees − funding attributed to them). */
  totalPnl: number;
  realizedGrossPnl: number;
  feesPaid: number;
  fundingPaid: number;
  totalTrades: number;
  winningTrades: number;
  losingTrades: number;
  /** winning / total closed trades; null with no trades. */
  winRate: number | null;
  /** Σ net of winners / Σ |net| of losers; null when there is no losing trade. */
  profitFactor: number | null;
  grossProfit: number;
  grossLoss: number;
  /** Largest peak-to-trough fall of the equity samples, as a fraction of the peak and in currency. */
  maxDrawdown: number;
  maxDrawdownAbs: number;
  /** mean(r)/std(r) × √periodsPerYear over per-sample returns; null with < 2 returns or zero deviation. */
  sharpe: number | null;
  /** mean(r)/√(Σ min(r,0)²/n) × √periodsPerYear; null when no return is negative. */
  sortino: number | null;
  /** annualized return / maxDrawdown; null when maxDrawdown is 0 or the period is empty. */
  calmar: number | null;
  annualizedReturn: number | null;
  /** Share of equity samples with a position open. */
  exposure: number;
  /** Traded notional / initial capital. */
  turnover: number;
  tradedNotional: number;
  samples: number;
  periodsPerYear: number | null;
}

/**
 * Metrics of account a, including the pending (not yet committed) equity sample, without mutating the book.
 * periodsPerYear: annualization factor for per-sample returns; when omitted it is MS_PER_YEAR / the mean sample spacing.
 */
export function accountMetrics(b: AccountBook, a: number, periodsPerYear?: number): AccountMetrics {
  // Fold the pending sample into copies of the running statistics.
  let n = b.sampleCount[a]!;
  let first = b.firstEquity[a]!;
  let prev = b.prevEquity[a]!;
  let peak = b.peakEquity[a]!;
  let dd = b.maxDrawdown[a]!;
  let ddAbs = b.maxDrawdownAbs[a]!;
  let k = b.retCount[a]!;
  let mean = b.retMean[a]!;
  let m2 = b.retM2[a]!;
  let down = b.downSumSq[a]!;
  let exposed = b.exposedCount[a]!;
  let t0 = b.firstMarkTime[a]!;
  let t1 = b.lastCommitTime[a]!;
  const last = b.lastMarkTime[a]!;
  if (last === last && b.lastCommitTime[a] !== last) {
    const e = b.equity[a]!;
    if (n === 0) {
      first = e;
      t0 = last;
    } else if (prev > 0) {
      const r = e / prev - 1;
      k += 1;
      const d = r - mean;
      mean += d / k;
      m2 += d * (r - mean);
      if (r < 0) down += r * r;
    }
    if (e > peak) peak = e;
    const da = peak - e;
    if (da > ddAbs) ddAbs = da;
    const df = peak > 0 ? da / peak : 0;
    if (df > dd) dd = df;
    if (b.pendingExposed[a]) exposed += 1;
    prev = e;
    n += 1;
    t1 = last;
  }
  const ppy = periodsPerYear ?? (n >= 2 && t1 > t0 ? MS_PER_YEAR / ((t1 - t0) / (n - 1)) : null);
  const std = k >= 2 ? Math.sqrt(m2 / (k - 1)) : 0;
  const sharpe = ppy !== null && k >= 2 && std > 0 ? (mean / std) * Math.sqrt(ppy) : null;
  const dstd = k >= 1 ? Math.sqrt(down / k) : 0;
  const sortino = ppy !== null && dstd > 0 ? (mean / dstd) * Math.sqrt(ppy) : null;
  const annualizedReturn =
    ppy !== null && n >= 2 && first > 0 && prev > 0 ? Math.pow(prev / first, ppy / (n - 1)) - 1 : null;
  const calmar = annualizedReturn !== null && dd > 0 ? annualizedReturn / dd : null;
  const init = b.initialCapital[a]!;
  const equity = accountEquity(b, a);
  const trades = b.tradeCount[a]!;
  const gl = b.grossLoss[a]!;
  return {
    initialCapital: init,
    equity,
    cash: b.cash[a]!,
    totalReturn: equity - init,
    totalReturnPct: init > 0 ? (equity - init) / init : 0,
    totalPnl: b.grossProfit[a]! - gl,
    realizedGrossPnl: b.realizedPnl[a]!,
    feesPaid: b.feesPaid[a]!,
    fundingPaid: b.fundingPaid[a]!,
    totalTrades: trades,
    winningTrades: b.winCount[a]!,
    losingTrades: b.lossCount[a]!,
    winRate: trades > 0 ? b.winCount[a]! / trades : null,
    profitFactor: gl > 0 ? b.grossProfit[a]! / gl : null,
    grossProfit: b.grossProfit[a]!,
    grossLoss: gl,
    maxDrawdown: dd,
    maxDrawdownAbs: ddAbs,
    sharpe,
    sortino,
    calmar,
    annualizedReturn,
    exposure: n > 0 ? exposed / n : 0,
    turnover: init > 0 ? b.tradedNotional[a]! / init : 0,
    tradedNotional: b.tradedNotional[a]!,
    samples: n,
    periodsPerYear: ppy,
  };
}
