// Text views of trading results. Runs carry numbers (trading-episode.ts); these lay them out for the views only — the
// backtest report's metrics table, the comparison table `tg4 train` (out of sample) and `tg4 backtest` print, and
// `tg4 eval`'s summary of trading episodes — with the reports' number formatters (src/report/format.ts), so that a
// figure reads the same in the terminal, the HTML report and the dashboard.
import { formatDecimal, formatPercent } from '../../src/report/format.ts';
import type { EpisodeResult } from './trading-episode.ts';

type Metrics = EpisodeResult['metrics'];

/** A fraction as a percentage with two decimals, e.g. 0.0512 → '5.12%'; 'n/a' for null or non-finite values. */
export const pct = (v: number | null): string => formatPercent(v);

/** A number with `digits` decimals; 'n/a' for null or non-finite values. */
export const fixed = (v: number | null, digits = 2): string => formatDecimal(v, digits);

/** The report's metrics, formatted, in the order a trader reads them. */
export function reportMetrics(m: Metrics): Record<string, string | number> {
  return {
    'final equity': fixed(m.equity),
    'liquidation value': fixed(m.liquidationValue),
    'total return': pct(m.totalReturnPct),
    'annualized return': pct(m.annualizedReturn),
    'max drawdown': pct(m.maxDrawdown),
    sharpe: fixed(m.sharpe),
    sortino: fixed(m.sortino),
    calmar: fixed(m.calmar),
    trades: m.totalTrades,
    'win rate': pct(m.winRate),
    'profit factor': fixed(m.profitFactor),
    'fees paid': fixed(m.feesPaid),
    'time in market': pct(m.exposure),
    turnover: fixed(m.turnover),
    bars: m.steps,
    from: m.startTime,
    to: m.endTime,
  };
}

/** One row per run: total return, Sharpe, max drawdown, trades, fees, final equity, bars. */
export function comparisonTable(runs: readonly { name: string; metrics: Metrics }[]): string {
  const rows = [['policy', 'total return', 'sharpe', 'max drawdown', 'trades', 'fees', 'final equity', 'bars']];
  for (const { name, metrics: m } of runs)
    rows.push([
      name,
      pct(m.totalReturnPct),
      fixed(m.sharpe),
      pct(m.maxDrawdown),
      String(m.totalTrades),
      fixed(m.feesPaid),
      fixed(m.equity),
      String(m.steps),
    ]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
