// Backtest report: what a trader reads, in one folder.
//   backtest.json  the data (format tg4-backtest/1): prices, each policy's equity curve, trades and metrics, as numbers
//   metrics.json   the metrics per policy, numbers only (ratios as fractions, times in ms)
//   report.html    a self-contained page: metrics table, equity and drawdown (inline SVG), the price chart with the
//                  policy's entries and exits (TradingView lightweight-charts, inlined: opens offline) and the trade list
//   equity.svg, drawdown.svg, equity.csv, trades.csv
// The dashboard (tg4 dashboard) draws the same backtest.json with the same view code (src/dashboard/static/).
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BACKTEST_FORMAT,
  priceBars,
  type BacktestData,
  type BacktestMetrics,
  type PriceBars,
} from '../../src/report/backtest-data.ts';
import { annualisedMeaningful, formatDecimal, formatPercent } from '../../src/report/format.ts';
import { drawdownSeries, htmlReport, lineChart, type Series } from '../../src/report/svg-plot.ts';
import type { Trade } from '../../src/report/trades.ts';
import { vendorPath } from '../../src/report/vendor.ts';
import { writeFileAtomic } from '../../src/core/atomic-file.ts';
import type { AccountMetrics } from '../../src/execution/metrics.ts';
import type { MarketData } from './market-data.ts';

/** A trading env's end-of-episode metrics (info.metrics). */
export type EpisodeMetrics = AccountMetrics & {
  steps: number;
  /** Bars run over (the trading envs set it; more than steps with a decisionInterval); default: steps. */
  bars?: number;
  startTime: string;
  endTime: string;
};

export interface BacktestRun {
  /** Policy name, e.g. 'ema-trend' or a model dir. */
  name: string;
  /** Bar time (ms since epoch) of each equity point. */
  time: Float64Array;
  equity: Float64Array;
  /** The env's metrics, as numbers. */
  metrics: EpisodeMetrics;
  /** Round-trip trades (FillLoggingTradingEnv.trades()); none: the run was not recorded with fills. */
  trades?: readonly Trade[];
}

/** The market the runs traded: the env's MarketData (symbol and timeframe as the data names them, prices). */
export type ReportMarket = Pick<MarketData, 'symbols' | 'timeframe' | 'time' | 'open' | 'high' | 'low' | 'close'>;

export interface BacktestReportInput {
  title: string;
  /** Free text: data source, range, costs, env kwargs. */
  description: string;
  /** The policy under test first; comparison runs (e.g. buy-and-hold) after it. */
  runs: readonly BacktestRun[];
  market: ReportMarket;
}

export interface BacktestReportFiles {
  html: string;
  equitySvg: string;
  drawdownSvg: string;
  metricsJson: string;
  equityCsv: string;
  tradesCsv: string;
  backtestJson: string;
}

const orNull = (v: number | null | undefined): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : v;

/** The env's metrics under the report's names, numbers only. */
export function backtestMetrics(m: EpisodeMetrics): BacktestMetrics {
  return {
    initialEquity: m.initialCapital,
    finalEquity: m.equity,
    totalReturn: m.totalReturnPct,
    annualizedReturn: orNull(m.annualizedReturn),
    maxDrawdown: m.maxDrawdown,
    sharpe: orNull(m.sharpe),
    sortino: orNull(m.sortino),
    calmar: orNull(m.calmar),
    trades: m.totalTrades,
    winRate: orNull(m.winRate),
    profitFactor: orNull(m.profitFactor),
    feesPaid: m.feesPaid,
    exposure: m.exposure,
    turnover: m.turnover,
    bars: m.bars ?? m.steps,
    startTime: Date.parse(m.startTime),
    endTime: Date.parse(m.endTime),
  };
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

/** The metrics table's rows: label, key, how to show it. Annualised rows are hidden over short ranges. */
const TABLE: readonly [string, keyof BacktestMetrics, 'pct' | 'num' | 'int', boolean][] = [
  ['final equity', 'finalEquity', 'num', false],
  ['total return', 'totalReturn', 'pct', false],
  ['annualised return', 'annualizedReturn', 'pct', true],
  ['max drawdown', 'maxDrawdown', 'pct', false],
  ['sharpe (annualised)', 'sharpe', 'num', true],
  ['sortino (annualised)', 'sortino', 'num', true],
  ['calmar', 'calmar', 'num', true],
  ['trades', 'trades', 'int', false],
  ['win rate', 'winRate', 'pct', false],
  ['profit factor', 'profitFactor', 'num', false],
  ['fees paid', 'feesPaid', 'num', false],
  ['time in market', 'exposure', 'pct', false],
  ['turnover', 'turnover', 'num', false],
  ['bars', 'bars', 'int', false],
];

/** Metrics as a table of text: one row per metric, one column per run (the view; the data stays numeric). */
export function metricsTable(data: Pick<BacktestData, 'runs' | 'annualisedMeaningful'>): string[][] {
  const rows: string[][] = [['metric', ...data.runs.map((r) => r.name)]];
  for (const [label, key, kind, annualised] of TABLE) {
    rows.push([
      label,
      ...data.runs.map((r) => {
        if (annualised && !data.annualisedMeaningful) return 'n/a (short range)';
        const v = r.metrics[key];
        return kind === 'pct' ? formatPercent(v) : kind === 'int' ? formatDecimal(v, 0) : formatDecimal(v);
      }),
    ]);
  }
  return rows;
}

function tradeRows(trades: readonly Trade[]): string[][] {
  const time = (ms: number | null): string =>
    ms === null ? 'open' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  return [
    ['#', 'side', 'entry (UTC)', 'entry price', 'exit (UTC)', 'exit price', 'exit by', 'fees', 'PnL', 'return'],
    ...trades.map((t, i) => [
      String(i + 1),
      t.side,
      time(t.entryTime),
      formatDecimal(t.entryPrice),
      time(t.exitTime),
      formatDecimal(t.exitPrice),
      t.exitReason ?? '',
      formatDecimal(t.fees),
      formatDecimal(t.pnl),
      formatPercent(t.returnFraction),
    ]),
  ];
}

/** First index with time[i] >= t (time ascending). */
function lowerBound(time: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (time[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The report's data: numbers only, the symbol and timeframe from the market data. */
export function backtestData(input: BacktestReportInput): BacktestData {
  const longest = input.runs.reduce<BacktestRun | undefined>(
    (a, r) => (a === undefined || r.time.length > a.time.length ? r : a),
    undefined,
  );
  const rangeStart = longest?.time[0] ?? Number.NaN;
  const rangeEnd = longest?.time[longest.time.length - 1] ?? Number.NaN;
  const m = input.market;
  let prices: PriceBars | null = null;
  // The price chart shows the first symbol (Trading-v0 trades one).
  if (longest !== undefined && longest.time.length > 0 && m.open.length > 0)
    prices = priceBars(
      { time: m.time, open: m.open[0]!, high: m.high[0]!, low: m.low[0]!, close: m.close[0]! },
      lowerBound(m.time, rangeStart),
      lowerBound(m.time, rangeEnd + 1),
    );
  return {
    format: BACKTEST_FORMAT,
    title: input.title,
    description: input.description,
    symbol: m.symbols.join(', '),
    timeframe: m.timeframe,
    rangeStart,
    rangeEnd,
    annualisedMeaningful: annualisedMeaningful(rangeEnd - rangeStart),
    runs: input.runs.map((r) => ({
      name: r.name,
      metrics: backtestMetrics(r.metrics),
      time: Array.from(r.time),
      equity: Array.from(r.equity),
      trades: [...(r.trades ?? [])],
    })),
    prices,
  };
}

/** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
const csvField = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

const STATIC = join(dirname(fileURLToPath(import.meta.url)), '../../src/dashboard/static');

/** The scripts that draw the price chart in report.html: the charting library and the dashboard's own view code. */
function inlineScripts(): string {
  const lib = readFileSync(vendorPath('lightweight-charts.js')!, 'utf8');
  const view = ['format.js', 'backtest-view.js'].map((f) => readFileSync(join(STATIC, f), 'utf8'));
  // A '</script' inside inlined code would end the tag early.
  return [lib, ...view].map((code) => `<script>${code.replace(/<\/script/gi, '<\\/script')}</script>`).join('\n');
}

export function writeBacktestReport(outDir: string, input: BacktestReportInput): BacktestReportFiles {
  mkdirSync(outDir, { recursive: true });
  const data = backtestData(input);
  const eq = equityChart(input.runs);
  const dd = drawdownChart(input.runs);
  const first = data.runs[0];
  // Only what the price chart draws: the candles and the trades of the policy under test.
  const json = JSON.stringify({ prices: data.prices, run: { name: first?.name, trades: first?.trades } }).replace(
    /</g,
    '\\u003c',
  );
  const chart =
    data.prices === null || first === undefined
      ? ''
      : `<div id="price-chart" style="height:420px"></div>\n${inlineScripts()}\n<script>(() => { const d = ${json}; ` +
        `TG4.views.backtests.drawPriceChart(document.getElementById('price-chart'), d.prices, d.run); })();</script>`;
  const span = `${new Date(data.rangeStart).toISOString().slice(0, 16)} → ${new Date(data.rangeEnd).toISOString().slice(0, 16)} UTC`;
  const html = htmlReport(input.title, [
    {
      heading: 'Run',
      text:
        `${data.symbol} ${data.timeframe}, ${span}. ${input.description.replace(/\.?\s*$/, '.')}` +
        (data.annualisedMeaningful ? '' : ' The range is too short for annualised figures: they are not shown.'),
    },
    { heading: 'Metrics', table: metricsTable(data) },
    { heading: 'Equity curve', svg: eq },
    { heading: 'Drawdown', svg: dd },
    ...(first === undefined
      ? []
      : [
          {
            heading: `Price and trades of ${first.name}`,
            html: chart,
            ...(data.prices !== null && data.prices.barsPerCandle > 1
              ? { text: `Each candle merges ${data.prices.barsPerCandle} bars.` }
              : {}),
          },
          { heading: `Trades of ${first.name} (${first.trades.length})`, table: tradeRows(first.trades) },
        ]),
  ]);
  const files: BacktestReportFiles = {
    html: join(outDir, 'report.html'),
    equitySvg: join(outDir, 'equity.svg'),
    drawdownSvg: join(outDir, 'drawdown.svg'),
    metricsJson: join(outDir, 'metrics.json'),
    equityCsv: join(outDir, 'equity.csv'),
    tradesCsv: join(outDir, 'trades.csv'),
    backtestJson: join(outDir, 'backtest.json'),
  };
  writeFileAtomic(files.html, html);
  writeFileAtomic(files.equitySvg, eq);
  writeFileAtomic(files.drawdownSvg, dd);
  writeFileAtomic(
    files.metricsJson,
    JSON.stringify(Object.fromEntries(data.runs.map((r) => [r.name, r.metrics])), null, 2) + '\n',
  );
  // All runs start at the same bar; one that ended early (ruin) leaves its later cells empty.
  const lines = ['time,' + data.runs.map((r) => `equity_${r.name.replace(/[^\w.-]/g, '_')}`).join(',')];
  const n = Math.max(0, ...data.runs.map((r) => r.time.length));
  const longest = data.runs.find((r) => r.time.length === n);
  for (let i = 0; longest !== undefined && i < n; i++)
    lines.push(
      new Date(longest.time[i]!).toISOString() +
        ',' +
        data.runs.map((r) => (i < r.equity.length ? r.equity[i]! : '')).join(','),
    );
  writeFileAtomic(files.equityCsv, lines.join('\n') + '\n');
  const tradeLines = ['policy,side,entry_time,entry_price,exit_time,exit_price,exit_reason,qty,fees,pnl,return'];
  for (const r of data.runs)
    for (const t of r.trades)
      tradeLines.push(
        [
          csvField(r.name),
          t.side,
          new Date(t.entryTime).toISOString(),
          t.entryPrice,
          t.exitTime === null ? '' : new Date(t.exitTime).toISOString(),
          t.exitPrice ?? '',
          t.exitReason ?? '',
          t.qty,
          t.fees,
          t.pnl,
          t.returnFraction,
        ].join(','),
      );
  writeFileAtomic(files.tradesCsv, tradeLines.join('\n') + '\n');
  writeFileAtomic(files.backtestJson, JSON.stringify(data) + '\n');
  return files;
}
