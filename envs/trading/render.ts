// Rendering of the trading envs: 'ansi' gives one line per step; at the end of an episode 'svg' (and 'ansi' on
// request) gives the equity curve with its drawdown as an SVG a person can open.
import { REASON_NAMES } from '../../src/execution/kernel.ts';
import { drawdownSeries, lineChart } from '../../src/report/svg-plot.ts';
import type { TradingCore } from './trading-core.ts';

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function signed(v: number, digits: number): string {
  return (v >= 0 ? '+' : '') + v.toFixed(digits);
}

/** One line describing sub-env i after its last step (or reset). */
export function ansiLine(core: TradingCore, i: number): string {
  const d = core.data;
  const t = core.bar[i]!;
  const parts = [`${iso(d.time[t]!)}`, `step ${String(core.steps[i]).padStart(5)}`];
  for (let s = 0; s < core.S; s++) {
    const p = i * core.S + s;
    const sz = core.book.size[p]!;
    const side = sz > 0 ? 'LONG ' : sz < 0 ? 'SHORT' : 'flat ';
    parts.push(`${core.S > 1 ? d.symbols[s] + ' ' : ''}close ${d.close[s]![t]!.toFixed(2)} ${side} ${signed(sz, 6)}`);
    if (core.orderQty[p] !== 0) parts.push(`fill ${signed(core.orderQty[p]!, 6)} @ ${core.orderPrice[p]!.toFixed(2)}`);
    const r = core.exitReason[p]!;
    if (r !== 0) parts.push(`${REASON_NAMES[r]} ${signed(core.exitQty[p]!, 6)} @ ${core.exitPrice[p]!.toFixed(2)}`);
    if (core.blocked[p]) parts.push('entry blocked (cooldown)');
  }
  parts.push(
    `exposure ${signed(core.exposure[i]!, 3)}`,
    `equity ${core.equity[i]!.toFixed(2)}`,
    `reward ${signed(core.rewards[i]!, 6)}`,
    `fees ${core.book.feesPaid[i]!.toFixed(2)}`,
  );
  if (core.terminated[i]) parts.push('TERMINATED');
  if (core.truncated[i]) parts.push('TRUNCATED');
  return parts.join(' | ');
}

/** Equity curve (and drawdown, right below it) of one episode as one SVG document. */
export function equitySvg(title: string, time: ArrayLike<number>, equity: ArrayLike<number>): string {
  const eq = lineChart([{ name: 'equity', x: time, y: equity }], {
    title,
    xAxis: 'time',
    yLabel: 'equity',
    height: 300,
  });
  const dd = drawdownSeries(equity);
  for (let k = 0; k < dd.length; k++) dd[k] = dd[k]! * 100;
  const ddSvg = lineChart([{ name: 'drawdown %', x: time, y: dd, fill: true, color: '#d62728' }], {
    title: 'Drawdown',
    xAxis: 'time',
    yLabel: '%',
    height: 220,
  });
  // Stack the two charts in one SVG document.
  const inner = (svg: string): string => svg.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="520" viewBox="0 0 800 520">` +
    `<g>${inner(eq)}</g><g transform="translate(0 300)">${inner(ddSvg)}</g></svg>`
  );
}
