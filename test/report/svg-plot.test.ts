import { describe, expect, it } from 'vitest';
import { drawdownSeries, htmlReport, lineChart, niceTicks, reducePoints } from '../../src/report/svg-plot.ts';

describe('svg-plot', () => {
  it('niceTicks covers the range with round steps', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(niceTicks(NaN, 1)).toEqual([]);
  });

  it('reducePoints keeps every bucket extreme, so spikes survive', () => {
    const n = 100_000;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = new Float64Array(n);
    y[54_321] = 1000;
    y[77_777] = -500;
    const r = reducePoints(x, y, 200);
    expect(r.x.length).toBeLessThanOrEqual(200);
    expect(Math.max(...r.y)).toBe(1000);
    expect(Math.min(...r.y)).toBe(-500);
    for (let i = 1; i < r.x.length; i++) expect(r.x[i]).toBeGreaterThan(r.x[i - 1]);
  });

  it('reducePoints drops non-finite values instead of drawing them', () => {
    const r = reducePoints([0, 1, 2, 3], [1, NaN, Infinity, 4], 100);
    expect(r).toEqual({ x: [0, 3], y: [1, 4] });
  });

  it('lineChart emits a well-formed SVG with escaped labels and one path per series', () => {
    const svg = lineChart(
      [
        { name: 'a<b', x: [0, 1, 2], y: [1, 2, 3] },
        { name: 'dd', x: [0, 1, 2], y: [0, -0.1, -0.05], fill: true },
      ],
      { title: 'PnL & more', hline: { y: 2.5, label: 'threshold' } },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('PnL &amp; more');
    expect(svg).toContain('a&lt;b');
    expect(svg.match(/<path d="M/g)?.length).toBe(3); // two lines + one filled area
    expect(svg).not.toContain('NaN');
  });

  it('lineChart says "no data" for empty series rather than failing', () => {
    expect(lineChart([{ name: 'x', x: [], y: [] }], { title: 't' })).toContain('no data');
  });

  it('drawdownSeries is the fall from the running peak', () => {
    expect(Array.from(drawdownSeries([100, 110, 99, 121]))).toEqual([0, 0, 99 / 110 - 1, 0]);
  });

  it('htmlReport renders tables and escapes cells', () => {
    const html = htmlReport('Report', [
      {
        heading: 'Metrics',
        table: [
          ['name', 'value'],
          ['<sharpe>', 1.2345678],
        ],
      },
    ]);
    expect(html).toContain('<th>name</th>');
    expect(html).toContain('&lt;sharpe&gt;');
    expect(html).toContain('1.235');
  });
});
