// The one-line status of a running live loop: feed state and latency, and per symbol and policy the position, equity
// and last decision; the risk state in live mode.
import type { LiveLoop } from './loop.ts';

export function statusLine(loop: LiveLoop): string {
  const c = loop.client;
  const now = Date.now();
  const feed = c.connected ? `feed ${c.status} ${now - c.lastMessageAt} ms ago` : 'feed DOWN';
  const lat = Number.isFinite(loop.lastDecisionLatencyMs) ? ` bar→decision ${loop.lastDecisionLatencyMs} ms` : '';
  const parts = [`${new Date(now).toISOString().slice(11, 19)} ${feed}${lat}`];
  for (const [s, lane] of loop.lanes) {
    const series = loop.data.candles(s, loop.timeframe);
    const last =
      series.length > 0 ? `${new Date(series.lastTime).toISOString().slice(11, 16)} ${series.lastClose}` : 'no bar';
    const pf = lane.traders
      .map(
        (t, k) =>
          `${lane.policies[k]!.name}: pos ${t.portfolio.book.size[0]!.toPrecision(4)} eq ${t.equity.toFixed(2)}`,
      )
      .join(' ');
    const d = lane.lastDecision;
    const dec =
      d === null ? '' : ` | last decision ${new Date(d.time).toISOString().slice(11, 16)} ${d.policy} → ${d.target}`;
    parts.push(`${s} ${last} | ${pf}${dec}`);
  }
  if (loop.router) {
    const g = loop.router.gateway;
    parts.push(
      `LIVE risk ${g.risk.state}${g.risk.reason ? ` (${g.risk.reason.slice(0, 60)})` : ''} orders ${g.stats.ordersSent}`,
    );
  }
  if (loop.killed) parts.push(`KILLED: ${loop.killed.reason}`);
  return parts.join(' | ');
}
