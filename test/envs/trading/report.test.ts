// The backtest report writer: numbers in the data files (fractions, ms), the symbol and timeframe from the market data,
// the trade list and the inlined price chart in report.html, escaping, annualised figures hidden over a short range,
// runs of different lengths.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  metricsTable,
  writeBacktestReport,
  type BacktestRun,
  type EpisodeMetrics,
} from '../../../envs/trading/report.ts';
import type { BacktestData } from '../../../src/report/backtest-data.ts';
import { tradesFromFills } from '../../../src/report/trades.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg4-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const H = 3_600_000;
const t0 = Date.UTC(2024, 0, 1);

function metrics(o: Partial<EpisodeMetrics>): EpisodeMetrics {
  return {
    initialCapital: 100,
    equity: 100,
    cash: 100,
    totalReturn: 0,
    totalReturnPct: 0,
    totalPnl: 0,
    realizedGrossPnl: 0,
    feesPaid: 0,
    fundingPaid: 0,
    totalTrades: 0,
    winningTrades: 0,
    losingTrades: 0,
    winRate: null,
    profitFactor: null,
    grossProfit: 0,
    grossLoss: 0,
    maxDrawdown: 0,
    maxDrawdownAbs: 0,
    sharpe: null,
    sortino: null,
    calmar: null,
    annualizedReturn: null,
    exposure: 0,
    turnover: 0,
    tradedNotional: 0,
    samples: 10,
    periodsPerYear: 8760,
    steps: 9,
    startTime: new Date(t0).toISOString(),
    endTime: new Date(t0 + 9 * H).toISOString(),
    ...o,
  };
}

/** A market of `n` hourly bars named by its data, not by any file. */
function market(n: number) {
  const time = Float64Array.from({ length: n }, (_, i) => t0 + i * H);
  const close = Float64Array.from(time, (_, i) => 100 + i);
  return {
    symbols: ['ETH/USD'],
    timeframe: '1h',
    time,
    open: [close],
    high: [close.map((c) => c + 1)],
    low: [close.map((c) => c - 1)],
    close: [close],
  };
}

describe('writeBacktestReport', () => {
  const time = Float64Array.from({ length: 10 }, (_, i) => t0 + i * H);
  const a: BacktestRun = {
    name: 'model <v1>',
    time,
    equity: Float64Array.from(time, (_, i) => 100 + i),
    metrics: metrics({
      equity: 109,
      totalReturnPct: 0.09,
      totalTrades: 1,
      sharpe: 3.2,
      annualizedReturn: 1e6,
      maxDrawdown: 0,
    }),
    trades: tradesFromFills([
      { time: t0 + H, qty: 1, price: 101, fee: 0.1, reason: 'order' },
      { time: t0 + 4 * H, qty: -1, price: 104, fee: 0.1, reason: 'stop_loss' },
    ]),
  };
  const b: BacktestRun = {
    name: 'buy-and-hold',
    time: time.slice(0, 6),
    equity: Float64Array.of(100, 90, 80, 70, 60, 50),
    metrics: metrics({ equity: 50, totalReturnPct: -0.5, maxDrawdown: 0.5 }),
  };

  it('writes numbers, not formatted strings, to metrics.json and backtest.json; the symbol comes from the data', () => {
    const f = writeBacktestReport(join(dir, 'r'), {
      title: 'Backtest & <test>',
      description: 'synthetic',
      runs: [b, a],
      market: market(12),
    });
    const m = JSON.parse(readFileSync(f.metricsJson, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(m)).toEqual(['buy-and-hold', 'model <v1>']);
    expect(m['model <v1>']).toMatchObject({
      finalEquity: 109,
      totalReturn: 0.09,
      trades: 1,
      sharpe: 3.2,
      startTime: t0,
      endTime: t0 + 9 * H,
    });
    for (const run of Object.values(m))
      for (const v of Object.values(run)) expect(v === null || typeof v === 'number').toBe(true);
    const d = JSON.parse(readFileSync(f.backtestJson, 'utf8')) as BacktestData;
    expect(d.format).toBe('tg4-backtest/1');
    expect([d.symbol, d.timeframe, d.rangeStart, d.rangeEnd]).toEqual(['ETH/USD', '1h', t0, t0 + 9 * H]);
    expect(d.prices!.time).toEqual(Array.from(time)); // the bars of the range only (the market has 12)
    expect(d.prices!.high[3]).toBe(104);
    expect(d.annualisedMeaningful).toBe(false); // 9 hours
    expect(d.runs[1]!.trades).toHaveLength(1);
    expect(d.runs[1]!.trades[0]).toMatchObject({
      side: 'long',
      entryPrice: 101,
      exitPrice: 104,
      exitReason: 'stop_loss',
    });
    expect(d.runs[0]!.trades).toEqual([]);
  });

  it('report.html: escaped titles and names, annualised figures hidden over a short range, the trade list and the inlined price chart', () => {
    const f = writeBacktestReport(join(dir, 'h'), {
      title: 'Backtest & <test>',
      description: 'synthetic',
      runs: [a, b],
      market: market(10),
    });
    const html = readFileSync(f.html, 'utf8');
    const markup = html.replace(/<script>[\s\S]*?<\/script>/g, '<script></script>');
    expect(markup).toContain('Backtest &amp; &lt;test&gt;');
    expect(markup).toContain('model &lt;v1&gt;');
    expect(markup).not.toContain('<v1>');
    expect(markup).toContain('ETH/USD 1h');
    expect(markup).toContain('<td>9.00%</td>');
    expect(markup).not.toContain('100000000.00%'); // the annualised return of a 9-hour range
    expect(markup).toContain('n/a (short range)');
    expect(markup).toContain('Trades of model &lt;v1&gt; (1)');
    expect(markup).toContain('<td>stop_loss</td>');
    expect(markup).toMatch(/<div id="price-chart"/);
    expect(html).toContain('LightweightCharts');
    expect(markup).not.toMatch(/<script[^>]*\ssrc=/);
    expect((markup.match(/<svg/g) ?? []).length).toBe(2);
    const trades = readFileSync(f.tradesCsv, 'utf8').trim().split('\n');
    expect(trades[0]).toBe('policy,side,entry_time,entry_price,exit_time,exit_price,exit_reason,qty,fees,pnl,return');
    expect(trades[1]).toMatch(
      /^model <v1>,long,2024-01-01T01:00:00.000Z,101,2024-01-01T04:00:00.000Z,104,stop_loss,1,/,
    );
  });

  it('equity.csv: a shorter run leaves empty cells', () => {
    const f = writeBacktestReport(join(dir, 'c'), { title: 't', description: 'd', runs: [b, a], market: market(10) });
    const csv = readFileSync(f.equityCsv, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(11);
    expect(csv[0]).toBe('time,equity_buy-and-hold,equity_model__v1_');
    expect(csv[10]).toBe('2024-01-01T09:00:00.000Z,,109');
  });

  it('the metrics table shows fractions as percentages, and annualised rows only over a long enough range', () => {
    const data = (annualisedMeaningful: boolean) => ({
      annualisedMeaningful,
      runs: [
        { name: 'x', metrics: { ...JSON.parse('{}'), totalReturn: 0.1234, sharpe: 1.5, trades: 3, winRate: null } },
      ],
    });
    const short = metricsTable(data(false) as never);
    expect(short[0]).toEqual(['metric', 'x']);
    expect(short.find((r) => r[0] === 'total return')).toEqual(['total return', '12.34%']);
    expect(short.find((r) => r[0] === 'sharpe (annualised)')).toEqual(['sharpe (annualised)', 'n/a (short range)']);
    expect(short.find((r) => r[0] === 'win rate')).toEqual(['win rate', 'n/a']);
    const long = metricsTable(data(true) as never);
    expect(long.find((r) => r[0] === 'sharpe (annualised)')).toEqual(['sharpe (annualised)', '1.50']);
    expect(long.find((r) => r[0] === 'trades')).toEqual(['trades', '3']);
  });
});
