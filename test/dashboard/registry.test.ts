// The registry panel in a real headless browser, over a registry made with the registry's own API: sealed versions,
// aliases, the audit log with a gate verdict and its report, and a version whose weights changed after sealing.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.ts';
import { ModelRegistry } from '../../src/registry/registry.ts';
import { saveRandomMlp } from '../live/model-fixture.ts';
import { launchBrowser, openPage, ready, screenshot } from './browser.ts';

const root = mkdtempSync(join(tmpdir(), 'tg4-dash-reg-'));
const models = join(root, 'models');
let dash: Dashboard;
let browser: Browser;

beforeAll(async () => {
  for (const [v, seed] of [
    ['v0001', 1],
    ['v0002', 2],
    ['v0003', 3],
  ] as const)
    saveRandomMlp(join(models, 'mlp-demo', v), {
      obsSize: 4,
      nActions: 3,
      specHash: 'x',
      envKwargs: {},
      seed,
      hidden: [8],
    });
  // The gate writes its report into the version folder before the version is sealed.
  writeFileSync(join(models, 'mlp-demo', 'v0002', 'gate-report.json'), '{"passed":true}\n');
  const reg = new ModelRegistry(models);
  for (const v of ['v0001', 'v0002', 'v0003']) reg.register(`mlp-demo/${v}`, { source: 'test' });
  reg.setAlias('mlp-demo', 'champion', 'v0001', { reason: 'first model' });
  reg.setAlias('mlp-demo', 'champion', 'v0002', {
    reason: 'beats v0001 out of sample',
    gate: { passed: true, report: 'gate-report.json' },
  });
  reg.setAlias('mlp-demo', 'challenger', 'v0003', { reason: 'trial' });
  appendFileSync(join(models, 'mlp-demo', 'v0003', 'weights.bin'), Buffer.from([1, 2, 3, 4]));
  // An A/B report as `tg4 models ab` stores it (src/registry/ab.ts; its numbers are tested in test/registry/).
  mkdirSync(join(models, '.registry', 'ab'), { recursive: true });
  const side = (resolved: string, totalReturn: number) => ({
    ref: resolved,
    resolved,
    totalReturn,
    sharpe: 0.01,
    maxDrawdown: 0.1,
    trades: 12,
    fees: 3,
    finalEquity: 1000 * (1 + totalReturn),
  });
  writeFileSync(
    join(models, '.registry', 'ab', '2026-12-06T00-00-00-000Z-mlp-demo-v0002-vs-mlp-demo-v0001.json'),
    JSON.stringify({
      format: 'tg4-ab-report/1',
      time: '2026-12-06T00:00:00.000Z',
      range: 'test',
      from: '2020-03-09T15:00:00Z',
      to: '2020-09-30T23:00:00Z',
      bars: 4928,
      a: side('mlp-demo/v0002', 0.12),
      b: side('mlp-demo/v0001', -0.03),
      difference: { n: 4928, mean: 3e-5, pValue: 0.012, low: 5e-6, high: 6e-5, samples: 2000, meanBlock: 18 },
      verdict: 'mlp-demo/v0002 beats mlp-demo/v0001 (p = 0.0120)',
      curves: { time: [1, 2], a: [1000, 1001], b: [1000, 999] },
    }),
  );
  [dash, browser] = await Promise.all([startDashboard({ root, port: 0 }), launchBrowser()]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('dashboard: the registry panel in a real browser', () => {
  it('shows versions, aliases, seal checks and the alias history with the gate report', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${dash.url}#/registry`);
    await ready(page);
    const row = await page.locator('#registry-models tbody tr').first().locator('td').allTextContents();
    expect(row[0]).toBe('mlp-demo');
    expect(row[1]).toBe('3');
    expect(row[2]).toContain('champion → v0002');
    await page.goto(`${dash.url}#/registry/mlp-demo`);
    await ready(page);
    const rows = page.locator('#registry-versions tbody tr');
    const versions: string[][] = [];
    for (let i = 0; i < (await rows.count()); i++) versions.push(await rows.nth(i).locator('td').allTextContents());
    expect(versions.map((v) => [v[0], v[1], v[5]?.split(':')[0]])).toEqual([
      ['v0001', '', 'sealed'],
      ['v0002', 'champion', 'sealed'],
      ['v0003', 'challenger', 'seal check failed'],
    ]);
    const history = await page.locator('#registry-history tbody tr').allTextContents();
    expect(history).toHaveLength(3);
    expect(history[1]).toContain('v0001 → v0002');
    expect(history[1]).toContain('beats v0001 out of sample');
    expect(history[1]).toContain('passed');
    const report = page.locator('#registry-history a', { hasText: 'report' });
    expect(await report.getAttribute('href')).toBe('/files/models/mlp-demo/v0002/gate-report.json');
    const res = await page.request.get(`${dash.url.replace(/\/$/, '')}/files/models/mlp-demo/v0002/gate-report.json`);
    expect(await res.json()).toEqual({ passed: true });
    // The seal error names the file by its place in models/, never by the server's absolute path.
    expect(versions[2]![5]).toContain('models/mlp-demo/v0003/weights.bin changed after the version was sealed');
    expect(await page.content()).not.toContain(root);
    // The A/B tests of this model: both sides, the bootstrap's figures and verdict, a link to the stored report.
    const ab = await page.locator('#registry-ab tbody tr').allTextContents();
    expect(ab).toHaveLength(1);
    expect(ab[0]).toContain('mlp-demo/v0002 vs mlp-demo/v0001');
    expect(ab[0]).toContain('12.00% / -3.00%');
    expect(ab[0]).toContain('0.0120');
    expect(ab[0]).toContain('mlp-demo/v0002 beats mlp-demo/v0001');
    const abLink = await page.locator('#registry-ab a', { hasText: 'report' }).getAttribute('href');
    const abRes = await page.request.get(`${dash.url.replace(/\/$/, '')}${abLink}`);
    expect((await abRes.json()).bars).toBe(4928);
    await screenshot(page, 'registry');
    expect(errors).toEqual([]);
    await page.close();
  });
});
