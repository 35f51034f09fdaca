// The backtest report writer on synthetic runs: files, table, escaping, runs of different lengths.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metricsTable, writeBacktestReport } from '../../../envs/trading/report.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg4-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeBacktestReport', () => {
  const time = Float64Array.from({ length: 10 }, (_, i) => Date.UTC(2024, 0, 1) + i * 3_600_000);
  const a = {
    name: 'model <v1>',
    time,
    equity: Float64Array.from(time, (_, i) => 100 + i),
    metrics: { 'total return': '9.00%', trades: 3 },
  };
  const b = {
    name: 'buy-and-hold',
    time: time.slice(0, 6),
    equity: Float64Array.of(100, 90, 80, 70, 60, 50),
    metrics: { 'total return': '-50.00%', sharpe: 'n/a' },
  };

  it('writes html, svgs, metrics.json and equity.csv; a shorter run leaves empty cells', () => {
    const f = writeBacktestReport(join(dir, 'r'), {
      title: 'Backtest & <test>',
      description: 'synthetic',
      runs: [b, a],
    });
    const html = readFileSync(f.html, 'utf8');
    expect(html).toContain('Backtest &amp; &lt;test&gt;');
    expect(html).toContain('model &lt;v1&gt;');
    expect(html).not.toContain('<v1>');
    expect((html.match(/<svg/g) ?? []).length).toBe(2);
    const csv = readFileSync(f.equityCsv, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(11);
    expect(csv[0]).toBe('time,equity_buy-and-hold,equity_model__v1_');
    expect(csv[10]).toBe('2024-01-01T09:00:00.000Z,,109');
    expect(JSON.parse(readFileSync(f.metricsJson, 'utf8'))).toEqual({
      'buy-and-hold': b.metrics,
      'model <v1>': a.metrics,
    });
    expect(readFileSync(f.drawdownSvg, 'utf8')).toContain('drawdown (%)');
  });

  it('the metrics table has one row per metric and one column per run', () => {
    expect(metricsTable([a, b])).toEqual([
      ['metric', 'model <v1>', 'buy-and-hold'],
      ['total return', '9.00%', '-50.00%'],
      ['trades', 3, ''],
      ['sharpe', '', 'n/a'],
    ]);
  });
});
