// Small helpers shared by the live-loop tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MarketFrame } from '../../replay/market-frame.ts';
import type { LiveLoop } from '../../src/live/loop.ts';
import type { ServerCandle } from './kraken-server.ts';

/** Waits until `cond()` holds (polling every 5 ms) or fails after `ms`, naming what it waited for. */
export async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Sample {
  kind: string;
  source: string;
  message: Record<string, unknown>;
}

/** The real Kraken WS v2 samples copied into test/fixtures/kraken_ws_v2 (one JSON a line: kind, source, message). */
export function krakenSamples(): Map<string, Sample> {
  const p = fileURLToPath(new URL('../fixtures/kraken_ws_v2/samples.jsonl', import.meta.url));
  const out = new Map<string, Sample>();
  for (const line of readFileSync(p, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const s = JSON.parse(line) as Sample;
    out.set(s.kind, s);
  }
  return out;
}

/** Kraken's ohlc update (wire JSON) for bar k of a frame: what the loop's client parses. */
export function ohlcUpdate(frame: MarketFrame, k: number, interval = 60): string {
  const c = {
    symbol: frame.symbol,
    open: frame.open[k],
    high: frame.high[k],
    low: frame.low[k],
    close: frame.close[k],
    volume: frame.volume[k],
    trades: frame.trades?.[k] ?? 1,
    vwap: frame.close[k],
    interval,
    interval_begin: new Date(frame.time[k]!).toISOString(),
  };
  return JSON.stringify({ channel: 'ohlc', type: 'update', data: [c] });
}

/** Bars [from, to] of a frame into a loop's client, as Kraken sends them: nothing for a minute with no trade. */
export function feedBars(loop: LiveLoop, frame: MarketFrame, from: number, to: number, interval = 60): void {
  for (let k = from; k <= to; k++)
    if (!frame.filled![k]) loop.client.onFrame(ohlcUpdate(frame, k, interval), Date.now());
}

/** Bar k of a frame as the test server's candle. */
export function serverCandle(frame: MarketFrame, k: number, interval = 60): ServerCandle {
  return {
    symbol: frame.symbol,
    interval,
    time: frame.time[k]!,
    open: frame.open[k]!,
    high: frame.high[k]!,
    low: frame.low[k]!,
    close: frame.close[k]!,
    volume: frame.volume[k]!,
  };
}
