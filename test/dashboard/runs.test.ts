// The dashboard in a real headless browser (Debian's chromium via playwright-core) over run folders written by the
// real `tg4 train`: a finished run's curves hold the values of its metrics.jsonl, a run that is training grows on the
// page without a reload, and a run whose metrics.jsonl has a broken and a truncated line still renders, naming them.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.ts';
import { launchBrowser, openPage, ready, screenshot } from './browser.ts';
import { metricsLines, startTraining, until } from './fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'tg4-dash-'));
const models = join(root, 'models', 'ppo-CartPole-v1');
let dash: Dashboard;
let browser: Browser;

/** What the page's chart `key` holds: x (steps) and its first series. */
async function chartColumns(page: Page, key: string, series = 1): Promise<{ x: number[]; y: (number | null)[] }> {
  return page.evaluate(
    ([k, s]) => {
      const c = (globalThis as unknown as { TG4: { charts: Record<string, { data: (number | null)[][] }> } }).TG4
        .charts[k as string];
      return c === undefined ? { x: [], y: [] } : { x: [...c.data[0]!] as number[], y: [...c.data[s as number]!] };
    },
    [key, series] as const,
  );
}

beforeAll(async () => {
  const finished = startTraining(join(models, 'v0001'), 2500);
  [dash, browser] = await Promise.all([startDashboard({ root, port: 0 }), launchBrowser()]);
  await finished.done;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('dashboard: training runs in a real browser', () => {
  it('lists the run and shows its learning curves with the values of metrics.jsonl', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(dash.url);
    await ready(page);
    expect(await page.locator('#runs a', { hasText: 'ppo-CartPole-v1/v0001' }).count()).toBe(1);
    expect(await page.locator('#runs').textContent()).toContain('finished');
    await screenshot(page, 'runs-list');

    await page.goto(`${dash.url}#/run/ppo-CartPole-v1/v0001`);
    await ready(page);
    const lines = metricsLines(join(models, 'v0001'));
    expect(lines.length).toBeGreaterThan(3);
    const ret = await chartColumns(page, 'return');
    expect(ret.x).toEqual(lines.map((l) => l['steps']));
    expect(ret.y).toEqual(lines.map((l) => l['meanReturn']));
    const evals = await chartColumns(page, 'return', 2);
    expect(evals.y).toEqual(lines.map((l) => (l['eval'] as { mean: number } | null)?.mean ?? null));
    for (const [key, field] of [
      ['entropy', 'entropy'],
      ['approxKl', 'approxKl'],
      ['value', 'value'],
    ] as const)
      expect((await chartColumns(page, key)).y).toEqual(
        lines.map((l) => (l['losses'] as Record<string, number>)[field]),
      );
    expect((await chartColumns(page, 'sps')).y).toEqual(lines.map((l) => l['stepsPerS']));
    // The table shows the last point; uPlot drew each curve on a canvas.
    const last = lines.at(-1)!;
    expect(await page.locator('#latest td[data-key="steps"]').textContent()).toBe(String(last['steps']));
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('#bad-lines').isHidden()).toBe(true);
    await screenshot(page, 'run-finished');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('with a token, the page opened at the printed URL works (cookie for its requests and the ws), and without it nothing loads', async () => {
    const token = 'browser-test-token-0123456789';
    const d = await startDashboard({ root, port: 0, token });
    try {
      const { page, errors } = await openPage(browser);
      const denied = await page.request.get(`${d.url.replace(/\?token=.*$/, '')}api/runs`);
      expect(denied.status()).toBe(401);
      await page.goto(`${d.url}#/run/ppo-CartPole-v1/v0001`);
      await ready(page);
      await page.waitForSelector('#conn.on');
      expect((await chartColumns(page, 'return')).x).toEqual(
        metricsLines(join(models, 'v0001')).map((l) => l['steps']),
      );
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await d.close();
    }
  });

  it('a run that is training appends points on the page as they are written (ws), without a reload', async () => {
    const dir = join(models, 'v0002');
    const run = startTraining(dir, 3000);
    try {
      await until(() => metricsLines(dir).length >= 1, 'the first metrics line');
      // Hold the trainer while the page loads, so that what follows can only arrive as live updates.
      run.child.kill('SIGSTOP');
      const { page, errors } = await openPage(browser);
      await page.goto(`${dash.url}#/run/ppo-CartPole-v1/v0002`);
      await ready(page);
      await page.waitForSelector('#conn.on');
      const before = (await chartColumns(page, 'return')).x.length;
      expect(before).toBe(metricsLines(dir).length);
      expect(await page.locator('#run-status').textContent()).toBe('training');
      await page.evaluate(() => {
        (globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true;
      });
      run.child.kill('SIGCONT');
      await page.waitForFunction(
        (n) =>
          (globalThis as unknown as { TG4: { charts: Record<string, { data: number[][] }> } }).TG4.charts['return']!
            .data[0]!.length >=
          n + 2,
        before,
        { timeout: 60_000 },
      );
      await screenshot(page, 'run-live');
      await run.done;
      const lines = metricsLines(dir);
      await page.waitForFunction(
        (n) =>
          (globalThis as unknown as { TG4: { charts: Record<string, { data: number[][] }> } }).TG4.charts['return']!
            .data[0]!.length === n,
        lines.length,
        { timeout: 10_000 },
      );
      expect((await chartColumns(page, 'return')).y).toEqual(lines.map((l) => l['meanReturn']));
      // Same page all along: no reload happened.
      expect(await page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      run.child.kill('SIGCONT');
      run.child.kill();
    }
  }, 120_000);

  it('a metrics.jsonl with a broken line and a truncated last line still renders, naming both lines', async () => {
    const src = join(models, 'v0001');
    const dir = join(models, 'v0003');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(src, 'manifest.json'), join(dir, 'manifest.json'));
    const lines = readFileSync(join(src, 'metrics.jsonl'), 'utf8').trimEnd().split('\n');
    const good = lines.filter((_, i) => i !== 2).map((l) => JSON.parse(l) as Record<string, unknown>);
    lines[2] = '{"steps": 768, "meanRet';
    writeFileSync(join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n{"steps":99999,"updates":1`);
    const { page, errors } = await openPage(browser);
    await page.goto(`${dash.url}#/run/ppo-CartPole-v1/v0003`);
    await ready(page);
    const bad = await page.locator('#bad-lines').textContent();
    expect(bad).toContain('2 line(s) of metrics.jsonl could not be read');
    expect(bad).toContain('line 3: not JSON');
    expect(bad).toContain(`line ${lines.length + 1}: not JSON`);
    expect(bad).toContain('truncated');
    const ret = await chartColumns(page, 'return');
    expect(ret.x).toEqual(good.map((l) => l['steps']));
    expect(ret.y).toEqual(good.map((l) => l['meanReturn']));
    await screenshot(page, 'run-truncated-jsonl');
    expect(errors).toEqual([]);
    await page.close();
  });
});
