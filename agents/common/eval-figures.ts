// A trading evaluation in a trader's terms: the return in %, the final equity, trades, fees and whether the ruin (or
// drawdown) stop ended it, read from the env's end-of-episode metrics that evaluate() keeps. Null for envs that report
// no trading metrics (CartPole): their evaluation is the episode return alone.
import type { EpisodeMetrics } from '../../envs/trading/trading-core.ts';
import type { EvalResult } from './evaluate.ts';

export interface TradingEvalFigures {
  /** Mean over the episodes of the total return, a fraction (0.05 = +5%). */
  returnPct: number;
  /** Mean final equity (quote currency; the account starts at the executor's initialCapital). */
  equity: number;
  trades: number;
  fees: number;
  /** An episode was ended by the ruin or drawdown stop (terminated, not run to its end). */
  ruined: boolean;
  episodes: number;
}

export function tradingEvalFigures(r: EvalResult): TradingEvalFigures | null {
  const metrics = (r.lastInfos ?? []).map((i) => i['metrics'] as EpisodeMetrics | undefined);
  if (metrics.length === 0 || metrics.some((m) => m === undefined)) return null;
  const ms = metrics as EpisodeMetrics[];
  const mean = (f: (m: EpisodeMetrics) => number): number => ms.reduce((s, m) => s + f(m), 0) / ms.length;
  return {
    returnPct: mean((m) => m.totalReturnPct),
    equity: mean((m) => m.equity),
    trades: mean((m) => m.totalTrades),
    fees: mean((m) => m.feesPaid),
    ruined: (r.terminated ?? []).some((t) => t),
    episodes: ms.length,
  };
}

/** e.g. 'validation +3.21% (equity 10,321.40, 12 trades, fees 43.10)' or '… RUINED (…)'. */
export function describeTradingEval(label: string, f: TradingEvalFigures): string {
  const sign = f.returnPct >= 0 ? '+' : '';
  return (
    `${label} ${sign}${(f.returnPct * 100).toFixed(2)}%${f.ruined ? ' RUINED (stopped at the ruin/drawdown stop)' : ''} ` +
    `(equity ${f.equity.toFixed(2)}, ${Math.round(f.trades)} trades, fees ${f.fees.toFixed(2)})`
  );
}
