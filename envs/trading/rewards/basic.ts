// Stateless reward terms: each is a closed-form function of one step's account numbers (formulas in docs/trading-env.md).
import type { RewardFactory, RewardInputs, RewardScheme } from './types.ts';

/** ln(E_{t+1}/E_t), with equity floored just above 0 so that a ruinous step gives a large finite penalty (≈ −27.6). */
export function logRatio(x: RewardInputs, i: number): number {
  const prev = x.prevEquity[i]!;
  const e = x.equity[i]!;
  return Math.log((e > 1e-12 * prev ? e : 1e-12 * prev) / prev);
}

function stateless(name: string, f: (x: RewardInputs, i: number) => number): RewardFactory {
  return (): RewardScheme => ({ name, reset(): void {}, compute: f });
}

/** r = ln(E_{t+1} / E_t) (see logRatio): sums to ln(E_T / E_0) over an episode. */
export const logReturn: RewardFactory = stateless('log_return', logRatio);

/** r = E_{t+1} − E_t in quote currency, net of fees and slippage: sums exactly to the episode's equity change. */
export const netPnl: RewardFactory = stateless('pnl', (x, i) => x.equity[i]! - x.prevEquity[i]!);

/** r = −min(ln(E_{t+1}/E_t), 0)²: punishes losses only (the Sortino idea as a per-step penalty). */
export const downside: RewardFactory = stateless('downside', (x, i) => {
  const r = logRatio(x, i);
  return r < 0 ? -r * r : 0;
});

/** r = −max(0, dd_{t+1} − dd_t), dd = 1 − E/peak: punishes each deepening of the drawdown, not its recovery. */
export const drawdown: RewardFactory = stateless('drawdown', (x, i) => {
  const ddPrev = 1 - x.prevEquity[i]! / x.prevPeakEquity[i]!;
  const ddNow = 1 - x.equity[i]! / x.peakEquity[i]!;
  return ddNow > ddPrev ? ddPrev - ddNow : 0;
});

/** r = −costs / E_t: fees and slippage paid this step as a fraction of equity. */
export const cost: RewardFactory = stateless('cost', (x, i) => -x.costs[i]! / x.prevEquity[i]!);

/** r = −|notional traded| / E_t: turnover as a fraction of equity (discourages churn independently of the fee level). */
export const turnover: RewardFactory = stateless('turnover', (x, i) => -x.turnover[i]! / x.prevEquity[i]!);

/** r = −1 for every bar a position has been held longer than `after` bars (default 0), else 0. Scale it with a weight. */
export const holding: RewardFactory = (_n, params) => {
  const after = params.after ?? 0;
  return { name: 'holding', reset(): void {}, compute: (x, i) => (x.timeInTrade[i]! > after ? -1 : 0) };
};
