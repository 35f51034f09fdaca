// The live panel in a real headless browser: the paper live loop runs against the local Kraken WS v2 test server
// (test/live/kraken-server.ts) and writes its JSONL event logs under the project's runs/live/; the page, already open,
// shows the feed connected, then — without a reload — the fill that the streamed bars caused, at the executor's price.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundled } from '../../replay/index.ts';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.ts';
import type { Fill } from '../../src/execution/types.ts';
import { LiveLoop } from '../../src/live/loop.ts';
import { baselinePolicy } from '../../src/live/policy.ts';
import { EventLog } from '../../src/logging/event-log.ts';
import { KrakenTestServer } from '../live/kraken-server.ts';
import { launchBrowser, openPage, ready, screenshot } from './browser.ts';
import { until } from './fixtures.ts';

const SYMBOL = 'BTC/USD';
const A = 22_000; // first live bar of the bundled BTC/USD 1h data
const frame = loadBundled({ symbol: SYMBOL, timeframe: '1h' });
const root = mkdtempSync(join(tmpdir(), 'tg4-dash-live-'));
let dash: Dashboard;
let browser: Browser;
let server: KrakenTestServer;
let loop: LiveLoop;
let log: EventLog;
const fills: Fill[] = [];

function send(k: number): void {
  const o = frame.open[k]!;
  server.ohlc({
    symbol: SYMBOL,
    interval: 60,
    time: frame.time[k]!,
    open: o,
    high: frame.high[k]!,
    low: frame.low[k]!,
    close: frame.close[k]!,
    volume: frame.volume[k]!,
    trades: frame.trades?.[k] ?? 1,
  });
}

beforeAll(async () => {
  server = await new KrakenTestServer().start();
  log = new EventLog({ root: join(root, 'runs', 'live') }); // where tg4 live writes by default
  loop = await LiveLoop.create({
    symbols: [SYMBOL],
    timeframe: '1h',
    policies: [(ctx) => baselinePolicy('buy-and-hold', ctx)],
    wsUrl: server.url,
    bookDepth: 0,
    keepTrades: 0,
    graceMs: Number.POSITIVE_INFINITY,
    staleAfterMs: 0,
    backoff: { initialMs: 20 },
    warmup: { source: 'bundled', until: frame.time[A]! },
    log,
  });
  loop.lanes.get(SYMBOL)!.executor.onEvent((e) => {
    if (e.type === 'fill') fills.push(e.fill);
  });
  [dash, browser] = await Promise.all([startDashboard({ root, port: 0 }), launchBrowser(), loop.start()]);
  await until(() => loop.client.connected, 'the loop to connect to the test server', 20_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await loop?.stop();
  log?.close();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('dashboard: the live panel in a real browser', () => {
  it('shows the feed, then a fill caused through the local Kraken server, as it happens', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${dash.url}#/live`);
    await ready(page);
    await page.waitForSelector('#conn.on');
    expect(await page.locator('#feed-status').textContent()).toBe('connected');
    expect(await page.locator('#fills').count()).toBe(0);
    // Bars close as the next one starts: buy-and-hold decides at the first close and fills at the next bar's open.
    for (let k = A; k < A + 4; k++) send(k);
    await until(() => fills.length >= 1, 'the paper fill', 30_000);
    await page.waitForSelector('#fills tbody tr', { timeout: 15_000 });
    const f = fills[0]!;
    const row = await page.locator('#fills tbody tr').last().locator('td').allTextContents();
    expect(row[1]).toBe('buy-and-hold-BTC_USD');
    expect(row[2]).toBe(SYMBOL);
    expect(row[3]).toBe(f.side);
    expect(row[5]).toBe(f.price.toFixed(2));
    const pos = await page.locator('#positions tbody tr').first().locator('td').allTextContents();
    expect(pos.slice(0, 2)).toEqual(['buy-and-hold-BTC_USD', SYMBOL]);
    expect(Number(pos[2])).toBeCloseTo(f.positionAfter, 3);
    expect(await page.locator('#decisions tbody tr').count()).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'live');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
