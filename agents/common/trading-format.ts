// Terminal views of trading results. Runs carry numbers (trading-episode.ts); these lay them out as text — the
// comparison table `tg4 train` (out of sample) and `tg4 backtest` print, `tg4 eval`'s summary of trading episodes —
// with the reports' number formatters (src/report/format.ts), so that a figure reads the same in the terminal, the
// HTML report (envs/trading/report.ts) and the dashboard.
import { formatDecimal, formatPercent } from '../../src/report/format.ts';
import type { EpisodeResult } from './trading-episode.ts';

type Metrics = EpisodeResult['metrics'];

/** A fraction as a percentage with two decimals, e.g. 0.0512 → '5.12%'; 'n/a' for null or non-finite values. */
export const pct = (v: number | null): string => formatPercent(v);

/** A number with `digits` decimals; 'n/a' for null or non-finite values. */
export const fixed = (v: number | null, digits = 2): string => formatDecimal(v, digits);

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
      String(m.bars),
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
