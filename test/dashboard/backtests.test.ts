// Backtests in a real headless browser: the dashboard's backtest view and the static report.html that `tg4 backtest`
// writes (runBacktest), over a real Trading-v0 run on the bundled Kraken data. The tests read what the charts hold and what
// the tables show and compare them with backtest.json and with the one set of formatters (src/report/format.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestData } from '../../src/report/backtest-data.ts';
import { formatDecimal, formatPercent } from '../../src/report/format.ts';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.ts';
import { writeEmaBacktest } from './backtest-fixture.ts';
import { launchBrowser, openPage, ready, screenshot } from './browser.ts';

const root = mkdtempSync(join(tmpdir(), 'tg4-dash-bt-'));
let dash: Dashboard;
let browser: Browser;
let short: BacktestData;
let long: BacktestData;

type ChartsWindow = {
  TG4: {
    charts: {
      equity: { series: { data(): { time: number; value: number }[] }[] };
      drawdown: { series: { data(): { time: number; value: number }[] }[] };
      price: {
        candles: { data(): { time: number; close: number }[] };
        markers: { markers(): { time: number; shape: string }[] };
      };
    };
  };
};

/** What the page's charts hold: points per equity series, last equity, candles, markers. */
function chartState(page: Page) {
  return page.evaluate(() => {
    const c = (globalThis as unknown as ChartsWindow).TG4.charts;
    return {
      equity: c.equity.series.map((s) => s.data().map((p) => p.value)),
      drawdownMin: c.drawdown.series.map((s) => Math.min(...s.data().map((p) => p.value))),
      candles: c.price.candles.data().length,
      markers: c.price.markers.markers().map((m) => m.shape),
    };
  });
}

beforeAll(async () => {
  const a = await writeEmaBacktest(join(root, 'reports', 'ema-short'), '2020-01-01..2020-03-01');
  const b = await writeEmaBacktest(join(root, 'reports', 'ema-long'), '2019-03-01..2019-12-01');
  short = JSON.parse(readFileSync(a.backtestJson, 'utf8')) as BacktestData;
  long = JSON.parse(readFileSync(b.backtestJson, 'utf8')) as BacktestData;
  [dash, browser] = await Promise.all([startDashboard({ root, port: 0 }), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('dashboard: backtests in a real browser', () => {
  it('the backtest view shows equity, drawdown, the price chart with every entry and exit, trades and metrics', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${dash.url}#/backtests`);
    await ready(page);
    expect(await page.locator('#backtests a').allTextContents()).toEqual(
      expect.arrayContaining(['reports/ema-short', 'reports/ema-long']),
    );
    await page.goto(`${dash.url}#/backtest/reports/ema-long`);
    await ready(page);
    const s = await chartState(page);
    const [model, hold] = long.runs;
    // Equity: one line per policy, each bar's equity (hourly bars: one point per bar time).
    expect(s.equity).toEqual([model!.equity, hold!.equity]);
    expect(Math.min(...s.drawdownMin)).toBeCloseTo(-Math.max(model!.metrics.maxDrawdown, hold!.metrics.maxDrawdown), 9);
    expect(s.candles).toBe(long.prices!.time.length);
    const closed = model!.trades.filter((t) => t.exitTime !== null).length;
    expect(s.markers.filter((m) => m === 'circle')).toHaveLength(closed);
    expect(s.markers.filter((m) => m.startsWith('arrow'))).toHaveLength(model!.trades.length);
    expect(await page.locator('#trades tbody tr').count()).toBe(model!.trades.length);
    // The table shows the data's fractions as percentages, by the same rule as format.ts.
    for (const [k, run] of long.runs.entries()) {
      const cell = (m: string) => page.locator(`#metrics td[data-metric="${m}"]`).nth(k).textContent();
      expect(await cell('totalReturn')).toBe(formatPercent(run.metrics.totalReturn));
      expect(await cell('maxDrawdown')).toBe(formatPercent(run.metrics.maxDrawdown));
      expect(await cell('sharpe')).toBe(formatDecimal(run.metrics.sharpe));
      expect(await cell('trades')).toBe(String(run.metrics.trades));
    }
    expect(long.annualisedMeaningful).toBe(true);
    // The trades paired from the fills agree with the executor's own books: as many closed round trips, the same PnL.
    for (const run of long.runs) {
      const closedTrades = run.trades.filter((t) => t.exitTime !== null);
      expect(closedTrades).toHaveLength(run.metrics.trades);
      const m = JSON.parse(readFileSync(join(root, 'reports', 'ema-long', 'metrics.json'), 'utf8'))[run.name];
      expect(m.trades).toBe(run.metrics.trades);
    }
    await screenshot(page, 'backtest');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('over a range too short to annualise, annualised figures are not shown', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${dash.url}#/backtest/reports/ema-short`);
    await ready(page);
    expect(short.annualisedMeaningful).toBe(false);
    for (const m of ['annualizedReturn', 'sharpe', 'sortino', 'calmar'])
      expect(await page.locator(`#metrics td[data-metric="${m}"]`).first().textContent()).toBe('n/a (short range)');
    expect(await page.locator('#metrics td[data-metric="totalReturn"]').first().textContent()).toBe(
      formatPercent(short.runs[0]!.metrics.totalReturn),
    );
    expect(await page.locator('main').textContent()).toContain('BTC/USD');
    await screenshot(page, 'backtest-short-range');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the static report.html opens from disk (no server, no network) with the price chart, trades and trade list', async () => {
    const { page, errors } = await openPage(browser);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(join(root, 'reports', 'ema-short', 'report.html')).href);
    await page.waitForSelector('#price-chart canvas');
    const marks = await page.evaluate(
      () => (globalThis as unknown as ChartsWindow).TG4.charts.price.markers.markers().length,
    );
    const model = short.runs[0]!;
    expect(marks).toBe(model.trades.length + model.trades.filter((t) => t.exitTime !== null).length);
    const html = await page.content();
    expect(html).toContain(`Trades of ${model.name} (${model.trades.length})`);
    expect(html).toContain(formatPercent(model.metrics.totalReturn));
    expect(requests.every((u) => u.startsWith('file:') || u.startsWith('data:'))).toBe(true);
    await screenshot(page, 'static-report');
    expect(errors).toEqual([]);
    await page.close();
  });
});
