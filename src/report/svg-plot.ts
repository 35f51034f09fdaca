// Dependency-free SVG line charts for learning curves, equity curves and drawdowns: a file a person can open in any
// browser. Long series are reduced to at most `maxPoints` per series by min/max bucketing, so spikes stay visible.

export type NumericArray = ArrayLike<number>;

export interface Series {
  name: string;
  /** x values (e.g. steps, or ms timestamps when `xAxis: 'time'`). */
  x: NumericArray;
  y: NumericArray;
  /** CSS colour; a palette colour is used when omitted. */
  color?: string;
  /** Fill the area between the line and y = 0 (for drawdowns). */
  fill?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** 'time' formats x ticks as UTC dates (x in ms since the epoch). */
  xAxis?: 'linear' | 'time';
  /** Horizontal reference line, e.g. a reward threshold. */
  hline?: { y: number; label: string };
  maxPoints?: number;
}

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

function escapeXml(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );
}

/** "Nice" tick values covering [lo, hi] (Heckbert's labelling). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(1);
  if (a >= 1000) return v.toFixed(0);
  return Number(v.toPrecision(4)).toString();
}

function formatTime(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  return spanMs > 3 * 86_400_000 ? iso.slice(0, 10) : iso.slice(5, 16).replace('T', ' ');
}

/** Min/max bucketing: keeps each bucket's extremes in order so that the reduced line has the original envelope. */
export function reducePoints(x: NumericArray, y: NumericArray, maxPoints: number): { x: number[]; y: number[] } {
  const n = Math.min(x.length, y.length);
  const outX: number[] = [];
  const outY: number[] = [];
  if (n <= maxPoints) {
    for (let i = 0; i < n; i++)
      if (Number.isFinite(y[i]) && Number.isFinite(x[i])) {
        outX.push(x[i]);
        outY.push(y[i]);
      }
    return { x: outX, y: outY };
  }
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    let iMin = -1;
    let iMax = -1;
    for (let i = from; i < to; i++) {
      if (!Number.isFinite(y[i])) continue;
      if (iMin < 0 || y[i] < y[iMin]) iMin = i;
      if (iMax < 0 || y[i] > y[iMax]) iMax = i;
    }
    if (iMin < 0) continue;
    const [a, c] = iMin <= iMax ? [iMin, iMax] : [iMax, iMin];
    outX.push(x[a]);
    outY.push(y[a]);
    if (c !== a) {
      outX.push(x[c]);
      outY.push(y[c]);
    }
  }
  return { x: outX, y: outY };
}

/** Renders one or more series as a standalone SVG document (string). */
export function lineChart(series: readonly Series[], opts: ChartOptions): string {
  const width = opts.width ?? 800;
  const height = opts.height ?? 360;
  const margin = { left: 70, right: 30, top: 46, bottom: 48 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const reduced = series.map((s) => reducePoints(s.x, s.y, opts.maxPoints ?? 2000));

  let xMin = Infinity,
    xMax = -Infinity,
    yMin = Infinity,
    yMax = -Infinity;
  for (const r of reduced) {
    for (let i = 0; i < r.x.length; i++) {
      xMin = Math.min(xMin, r.x[i]);
      xMax = Math.max(xMax, r.x[i]);
      yMin = Math.min(yMin, r.y[i]);
      yMax = Math.max(yMax, r.y[i]);
    }
  }
  if (opts.hline) {
    yMin = Math.min(yMin, opts.hline.y);
    yMax = Math.max(yMax, opts.hline.y);
  }
  if (series.some((s) => s.fill)) {
    yMin = Math.min(yMin, 0);
    yMax = Math.max(yMax, 0);
  }
  const empty = !Number.isFinite(xMin);
  if (empty) {
    xMin = 0;
    xMax = 1;
    yMin = 0;
    yMax = 1;
  }
  if (xMax === xMin) {
    xMax = xMin + 1;
  }
  if (yMax === yMin) {
    const pad = Math.abs(yMax) * 0.05 || 1;
    yMin -= pad;
    yMax += pad;
  }
  const yPad = (yMax - yMin) * 0.04;
  yMin -= yPad;
  yMax += yPad;

  const sx = (v: number) => margin.left + ((v - xMin) / (xMax - xMin)) * plotW;
  const sy = (v: number) => margin.top + (1 - (v - yMin) / (yMax - yMin)) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600">${escapeXml(opts.title)}</text>`,
  );

  for (const t of niceTicks(yMin, yMax)) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#444">${formatNumber(t)}</text>`,
    );
  }
  const timeAxis = opts.xAxis === 'time';
  const xTicks = timeAxis
    ? Array.from({ length: 5 }, (_, i) => xMin + ((xMax - xMin) * i) / 4)
    : niceTicks(xMin, xMax, 6);
  for (const t of xTicks) {
    const x = sx(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#f0f0f0"/>`);
    const label = timeAxis ? formatTime(t, xMax - xMin) : formatNumber(t);
    const anchor = t === xTicks[xTicks.length - 1] && timeAxis ? 'end' : 'middle';
    parts.push(
      `<text x="${x}" y="${margin.top + plotH + 16}" text-anchor="${anchor}" fill="#444">${escapeXml(label)}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
  );
  if (opts.xLabel)
    parts.push(
      `<text x="${margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`,
    );
  if (opts.yLabel)
    parts.push(
      `<text transform="translate(14 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel)}</text>`,
    );
  if (opts.hline) {
    const y = sy(opts.hline.y).toFixed(1);
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y}" y2="${y}" stroke="#555" stroke-dasharray="5 4"/>`,
    );
    parts.push(
      `<text x="${margin.left + plotW - 4}" y="${Number(y) - 4}" text-anchor="end" fill="#555">${escapeXml(opts.hline.label)}</text>`,
    );
  }

  reduced.forEach((r, k) => {
    if (r.x.length === 0) return;
    const color = series[k].color ?? PALETTE[k % PALETTE.length];
    let d = '';
    for (let i = 0; i < r.x.length; i++) d += `${i === 0 ? 'M' : 'L'}${sx(r.x[i]).toFixed(1)},${sy(r.y[i]).toFixed(1)}`;
    if (series[k].fill) {
      const base = sy(0).toFixed(1);
      const area = `${d}L${sx(r.x[r.x.length - 1]).toFixed(1)},${base}L${sx(r.x[0]).toFixed(1)},${base}Z`;
      parts.push(`<path d="${area}" fill="${color}" fill-opacity="0.25" stroke="none"/>`);
    }
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
  });

  // Legend: one row between the title and the plot, so it never hides data.
  let legendX = margin.left;
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const y = margin.top - 10;
    parts.push(`<rect x="${legendX}" y="${y - 2}" width="12" height="3" fill="${color}"/>`);
    parts.push(`<text x="${legendX + 16}" y="${y}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
    legendX += 28 + 6.5 * s.name.length;
  });
  if (empty)
    parts.push(
      `<text x="${margin.left + plotW / 2}" y="${margin.top + plotH / 2}" text-anchor="middle" fill="#999">no data</text>`,
    );
  parts.push('</svg>');
  return parts.join('\n');
}

/** Drawdown series (≤ 0, as a fraction of the running peak) from an equity curve. */
export function drawdownSeries(equity: NumericArray): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    peak = Math.max(peak, equity[i]);
    out[i] = peak > 0 ? equity[i] / peak - 1 : 0;
  }
  return out;
}

export interface HtmlSection {
  heading: string;
  /** Raw SVG markup, or a table given as rows of cells (first row = header). */
  svg?: string;
  table?: (string | number)[][];
  text?: string;
  /** Raw HTML placed after the rest (trusted markup the caller built, e.g. an inlined chart). */
  html?: string;
}

/** A self-contained HTML report (inline SVGs and tables, no external assets). */
export function htmlReport(title: string, sections: readonly HtmlSection[]): string {
  const body = sections
    .map((s) => {
      const out: string[] = [`<h2>${escapeXml(s.heading)}</h2>`];
      if (s.text) out.push(`<p>${escapeXml(s.text)}</p>`);
      if (s.table && s.table.length > 0) {
        const [head, ...rows] = s.table;
        const cell = (v: string | number) => escapeXml(typeof v === 'number' ? formatNumber(v) : v);
        // A long table (a trade list) scrolls in its own box instead of stretching the page.
        out.push(
          (rows.length > 30 ? '<div style="max-height:480px;overflow:auto;display:inline-block">' : '<div>') +
            '<table><thead><tr>' +
            head.map((h) => `<th>${cell(h)}</th>`).join('') +
            '</tr></thead><tbody>' +
            rows.map((r) => '<tr>' + r.map((c) => `<td>${cell(c)}</td>`).join('') + '</tr>').join('') +
            '</tbody></table></div>',
        );
      }
      if (s.svg) out.push(s.svg);
      if (s.html) out.push(s.html);
      return out.join('\n');
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:980px}table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:4px 10px;text-align:right;white-space:nowrap}th{background:#f5f5f5}td:first-child,th:first-child{text-align:left}</style>
</head><body><h1>${escapeXml(title)}</h1>
${body}
</body></html>
`;
}
