// Differential downside deviation ratio (Moody & Saffell 2001): the Sortino analogue of the differential Sharpe ratio.
// Only losing steps raise the risk term, so upside volatility is not punished.
//   R = E_{t+1}/E_t − 1,  A = EW mean of R,  DD² = EW mean of min(R, 0)²
//   D = (R − ½A) / DD                                   if R > 0
//   D = (DD²·(R − ½A) − ½·A·R²) / DD³                    if R ≤ 0
//   (0 while DD² ≤ eps)   then   A ← A + η(R − A),  DD² ← DD² + η(min(R,0)² − DD²)
import type { RewardFactory, RewardScheme, RewardInputs } from './types.ts';

export const sortino: RewardFactory = (n, params) => {
  const eta = params.eta ?? 0.01;
  const eps = params.eps ?? 1e-12;
  const a = new Float64Array(n);
  const dd2 = new Float64Array(n);
  const scheme: RewardScheme = {
    name: 'sortino',
    reset(i: number): void {
      a[i] = 0;
      dd2[i] = 0;
    },
    compute(x: RewardInputs, i: number): number {
      const r = x.equity[i]! / x.prevEquity[i]! - 1;
      const ai = a[i]!;
      const d2 = dd2[i]!;
      let d = 0;
      if (d2 > eps) {
        const dd = Math.sqrt(d2);
        d = r > 0 ? (r - 0.5 * ai) / dd : (d2 * (r - 0.5 * ai) - 0.5 * ai * r * r) / (d2 * dd);
      }
      const neg = r < 0 ? r : 0;
      a[i] = ai + eta * (r - ai);
      dd2[i] = d2 + eta * (neg * neg - d2);
      return d;
    },
  };
  return scheme;
};
