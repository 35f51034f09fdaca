// Differential Sharpe ratio (Moody & Saffell 1998/2001): the first-order effect of this step's return on an exponentially
// weighted Sharpe ratio, so that an agent can maximise Sharpe online, one step at a time.
//   R = E_{t+1}/E_t − 1,  ΔA = R − A,  ΔB = R² − B
//   D = (B·ΔA − ½·A·ΔB) / (B − A²)^{3/2}     (0 while B − A² ≤ eps, i.e. before the moments are defined)
//   A ← A + η·ΔA,  B ← B + η·ΔB
import type { RewardFactory, RewardScheme, RewardInputs } from './types.ts';

export const differentialSharpe: RewardFactory = (n, params) => {
  const eta = params.eta ?? 0.01;
  const eps = params.eps ?? 1e-12;
  const a = new Float64Array(n); // EW mean of returns
  const b = new Float64Array(n); // EW second moment of returns
  const scheme: RewardScheme = {
    name: 'differential_sharpe',
    reset(i: number): void {
      a[i] = 0;
      b[i] = 0;
    },
    compute(x: RewardInputs, i: number): number {
      const r = x.equity[i]! / x.prevEquity[i]! - 1;
      const ai = a[i]!;
      const bi = b[i]!;
      const dA = r - ai;
      const dB = r * r - bi;
      const variance = bi - ai * ai;
      const d = variance > eps ? (bi * dA - 0.5 * ai * dB) / (variance * Math.sqrt(variance)) : 0;
      a[i] = ai + eta * dA;
      b[i] = bi + eta * dB;
      return d;
    },
  };
  return scheme;
};
