// The walk-forward report as files and text: report.json (the numbers, fractions not percentages), equity.svg (each
// seed's test windows chained against the baselines'), sharpe-by-fold.svg (per-bar Sharpe of every fold) and the
// markdown table that `tg4 evaluate --walk-forward` prints and docs/agents.md records.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../../src/core/atomic-file.ts';
import { lineChart } from '../../src/report/svg-plot.ts';
import { fixed, pct } from '../common/trading-format.ts';
import type { WalkForwardCurves, WalkForwardReport } from './walk-forward.ts';

export function writeWalkForwardReport(dir: string, report: WalkForwardReport, curves: WalkForwardCurves): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileAtomic(
    join(dir, 'equity.svg'),
    lineChart(
      [
        ...curves.policy.map((p) => ({ name: `${report.agent} seed ${p.seed}`, x: curves.time, y: p.equity })),
        ...curves.baselines.map((b) => ({ name: b.name, x: curves.time, y: b.equity })),
      ],
      {
        title: `Walk-forward test windows chained: ${report.agent.toUpperCase()} vs baselines, ${report.symbol} ${report.timeframe} (growth of 1)`,
        xAxis: 'time',
        yLabel: 'equity (growth of 1, test bars only)',
      },
    ),
  );
  const folds = report.folds.map((f) => f.fold + 1);
  writeFileAtomic(
    join(dir, 'sharpe-by-fold.svg'),
    lineChart(
      [
        ...report.folds[0]!.seeds.map((s, k) => ({
          name: `${report.agent} seed ${s.seed}`,
          x: folds,
          y: report.folds.map((f) => f.seeds[k]!.policy.sharpe),
        })),
        ...Object.keys(report.folds[0]!.baselines).map((b) => ({
          name: b,
          x: folds,
          y: report.folds.map((f) => f.baselines[b]!.sharpe),
        })),
      ],
      {
        title: `Annualised Sharpe per walk-forward fold (test window), ${report.symbol} ${report.timeframe}`,
        xLabel: 'fold',
        yLabel: 'Sharpe (annualised)',
        hline: { y: 0, label: '0' },
      },
    ),
  );
}

/** Markdown: one row per fold × seed (policy) and per fold × baseline, then the overall figures and the trial count. */
export function walkForwardTable(r: WalkForwardReport): string {
  const head =
    '| fold | test window | policy | return | Sharpe | max DD | trades | fees | turnover | in market | PSR vs B&H |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|';
  const rows: string[] = [];
  for (const f of r.folds) {
    const window = `${f.test.from.slice(0, 10)} → ${f.test.to.slice(0, 10)}`;
    for (const s of f.seeds) {
      const p = s.policy;
      rows.push(
        `| ${f.fold + 1} | ${window} | ${r.agent} seed ${s.seed} | ${pct(p.totalReturn)} | ${fixed(p.sharpe)} | ${pct(p.maxDrawdown)} | ${p.trades} | ${fixed(p.fees, 0)} | ${fixed(p.turnover, 1)} | ${pct(p.timeInMarket)} | ${fixed(s.psrVsBuyAndHold)} |`,
      );
    }
    for (const [name, b] of Object.entries(f.baselines)) {
      rows.push(
        `| ${f.fold + 1} | ${window} | ${name} | ${pct(b.totalReturn)} | ${fixed(b.sharpe)} | ${pct(b.maxDrawdown)} | ${b.trades} | ${fixed(b.fees, 0)} | ${fixed(b.turnover, 1)} | ${pct(b.timeInMarket)} | |`,
      );
    }
  }
  const o = r.overall;
  const seeds = o.seeds
    .map(
      (s) =>
        `seed ${s.seed}: return ${pct(s.totalReturn)}, Sharpe/bar ${fixed(s.sharpe, 4)}, PSR vs B&H ${fixed(s.psrVsBuyAndHold)}, DSR ${fixed(s.dsr)}`,
    )
    .join('; ');
  const bases = Object.entries(o.baselines)
    .map(([n, b]) => `${n}: return ${pct(b.totalReturn)}, Sharpe/bar ${fixed(b.sharpe, 4)}`)
    .join('; ');
  const beat = Object.entries(o.beatRate)
    .map(([n, v]) => `${n} ${pct(v)}`)
    .join(', ');
  return [
    head,
    ...rows,
    '',
    `Overall (test windows chained) — ${seeds}.`,
    `Baselines — ${bases}.`,
    `Policy Sharpe above the baseline's in: ${beat} of fold × seed runs; mean time in market ${pct(o.meanTimeInMarket)}, mean turnover ${fixed(o.meanTurnoverPerBar, 4)} per bar.`,
    `Trials counted for the DSR: ${r.trials.count} (ledger ${r.trials.ledger}; luck threshold ${fixed(r.trials.thresholdSharpe, 4)} per bar). Configuration ${r.configHash}, ${fixed(r.elapsedS, 0)} s.`,
  ].join('\n');
}

/** Markdown, one row per fold: the policy's Sharpe per seed and its means beside each baseline's (docs/agents.md). */
export function walkForwardSummary(r: WalkForwardReport): string {
  const names = Object.keys(r.folds[0]?.baselines ?? {});
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows = r.folds.map((f) => {
    const p = f.seeds.map((s) => s.policy);
    return `| ${r.symbol} | ${f.fold + 1} | ${f.test.from.slice(0, 10)} → ${f.test.to.slice(0, 10)} | ${p.map((x) => fixed(x.sharpe)).join(', ')} | ${pct(mean(p.map((x) => x.totalReturn)))} | ${fixed(mean(p.map((x) => x.trades)), 0)} | ${pct(mean(p.map((x) => x.timeInMarket)))} | ${fixed(mean(f.seeds.map((s) => s.psrVsBuyAndHold)))} | ${names.map((n) => `${fixed(f.baselines[n]!.sharpe)} (${f.baselines[n]!.trades})`).join(' | ')} |`;
  });
  const o = r.overall;
  return [
    `| symbol | fold | test window | ${r.agent} Sharpe per seed | mean return | mean trades | in market | mean PSR vs B&H | ${names.map((n) => `${n} Sharpe (trades)`).join(' | ')} |`,
    `|---|---|---|---|---|---|---|---|${names.map(() => '---').join('|')}|`,
    ...rows,
    `| ${r.symbol} | all | chained | ${o.seeds.map((s) => fixed(s.sharpe * Math.sqrt(r.periodsPerYear))).join(', ')} (annualised) | ${pct(mean(o.seeds.map((s) => s.totalReturn)))} | | ${pct(o.meanTimeInMarket)} | ${fixed(mean(o.seeds.map((s) => s.psrVsBuyAndHold)))}; DSR ${o.seeds.map((s) => fixed(s.dsr)).join(', ')} | ${names.map((n) => fixed(o.baselines[n]!.sharpe * Math.sqrt(r.periodsPerYear))).join(' | ')} |`,
  ].join('\n');
}
