// Backtest report: a metrics table plus equity and drawdown plots as one self-contained HTML file (inline SVG, no
// external assets), the two SVGs on their own, the metrics as JSON and the equity curve as CSV.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawdownSeries, htmlReport, lineChart, type Series } from '../../src/report/svg-plot.ts';

export interface BacktestRun {
  /** Policy name, e.g. 'ema-trend' or a model dir. */
  name: string;
  /** Bar time (ms since epoch) of each equity point. */
  time: Float64Array;
  equity: Float64Array;
  metrics: Readonly<Record<string, number | string>>;
}

export interface BacktestReportInput {
  title: string;
  /** Free text: data source, symbol, timeframe, range, env kwargs. */
  description: string;
  /** The policy under test first; comparison runs (e.g. buy-and-hold) after it. */
  runs: readonly BacktestRun[];
}

export interface BacktestReportFiles {
  html: string;
  equitySvg: string;
  drawdownSvg: string;
  metricsJson: string;
  equityCsv: string;
}

export function equityChart(runs: readonly BacktestRun[], title = 'Equity'): string {
  const series: Series[] = runs.map((r) => ({ name: r.name, x: r.time, y: r.equity }));
  return lineChart(series, { title, xAxis: 'time', yLabel: 'equity (quote currency)' });
}

export function drawdownChart(runs: readonly BacktestRun[], title = 'Drawdown'): string {
  const series: Series[] = runs.map((r) => ({
    name: r.name,
    x: r.time,
    y: scale(drawdownSeries(r.equity), 100),
    fill: runs.length === 1,
  }));
  return lineChart(series, { title, xAxis: 'time', yLabel: 'drawdown (%)' });
}

function scale(a: Float64Array, k: number): Float64Array {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! * k;
  return a;
}

/** Metrics as a table: one row per metric, one column per run. */
export function metricsTable(runs: readonly BacktestRun[]): (string | number)[][] {
  const keys: string[] = [];
  for (const r of runs) for (const k of Object.keys(r.metrics)) if (!keys.includes(k)) keys.push(k);
  const rows: (string | number)[][] = [['metric', ...runs.map((r) => r.name)]];
  for (const k of keys) rows.push([k, ...runs.map((r) => r.metrics[k] ?? '')]);
  return rows;
}

export function writeBacktestReport(outDir: string, input: BacktestReportInput): BacktestReportFiles {
  mkdirSync(outDir, { recursive: true });
  const eq = equityChart(input.runs);
  const dd = drawdownChart(input.runs);
  const html = htmlReport(input.title, [
    { heading: 'Run', text: input.description },
    { heading: 'Metrics', table: metricsTable(input.runs) },
    { heading: 'Equity curve', svg: eq },
    { heading: 'Drawdown', svg: dd },
  ]);
  const files: BacktestReportFiles = {
    html: join(outDir, 'report.html'),
    equitySvg: join(outDir, 'equity.svg'),
    drawdownSvg: join(outDir, 'drawdown.svg'),
    metricsJson: join(outDir, 'metrics.json'),
    equityCsv: join(outDir, 'equity.csv'),
  };
  writeFileSync(files.html, html);
  writeFileSync(files.equitySvg, eq);
  writeFileSync(files.drawdownSvg, dd);
  writeFileSync(
    files.metricsJson,
    JSON.stringify(Object.fromEntries(input.runs.map((r) => [r.name, r.metrics])), null, 2) + '\n',
  );
  // All runs start at the same bar; one that ended early (ruin) leaves its later cells empty.
  const longest = input.runs.reduce<BacktestRun | undefined>(
    (a, r) => (a === undefined || r.time.length > a.time.length ? r : a),
    undefined,
  );
  const lines = ['time,' + input.runs.map((r) => `equity_${r.name.replace(/[^\w.-]/g, '_')}`).join(',')];
  if (longest !== undefined) {
    for (let i = 0; i < longest.time.length; i++) {
      lines.push(
        new Date(longest.time[i]!).toISOString() +
          ',' +
          input.runs.map((r) => (i < r.equity.length ? r.equity[i]! : '')).join(','),
      );
    }
  }
  writeFileSync(files.equityCsv, lines.join('\n') + '\n');
  return files;
}
