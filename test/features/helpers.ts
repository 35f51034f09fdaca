// Test data: the real Kraken candles from /work/shared/data (or the replay layer's bundled copy when present).
import { readFileSync } from 'node:fs';
import type { MarketFrame } from '../../replay/market-frame.ts';

export const KRAKEN_1H = '/work/shared/data/kraken_ohlcvt/XBTUSD_60.csv';
export const KRAKEN_1M = '/work/shared/data/kraken_1m/BTCUSDC_1.csv';

/** Parses a headerless Kraken OHLCVT file (unix_time,open,high,low,close,volume,trades) into a frame. */
export function loadKrakenCsv(path: string, timeframe: string, timeframeMs: number, limit = Infinity): MarketFrame {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  const n = Math.min(lines.length, limit);
  const cols = { time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n), trades: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const f = lines[i]!.split(',');
    cols.time[i] = Number(f[0]) * 1000;
    cols.open[i] = Number(f[1]);
    cols.high[i] = Number(f[2]);
    cols.low[i] = Number(f[3]);
    cols.close[i] = Number(f[4]);
    cols.volume[i] = Number(f[5]);
    cols.trades[i] = Number(f[6]);
  }
  return { symbol: 'XBT/USD', timeframe, timeframeMs, length: n, ...cols };
}

/** A copy of a frame with columns replaced/added (for perturbation and bad-input tests). */
export function cloneFrame(f: MarketFrame, extra?: Record<string, Float64Array>): MarketFrame {
  const c = (a: Float64Array) => Float64Array.from(a);
  return {
    ...f, time: c(f.time), open: c(f.open), high: c(f.high), low: c(f.low), close: c(f.close), volume: c(f.volume),
    extra: { ...(f.extra ? Object.fromEntries(Object.entries(f.extra).map(([k, v]) => [k, c(v)])) : {}), ...(extra ?? {}) },
  };
}

/** The last n bars of a frame (views, no copy). */
export function tail(f: MarketFrame, n: number): MarketFrame {
  const s = Math.max(0, f.length - n);
  const v = (a: Float64Array) => a.subarray(s);
  return { ...f, length: f.length - s, time: v(f.time), open: v(f.open), high: v(f.high), low: v(f.low), close: v(f.close), volume: v(f.volume), ...(f.trades ? { trades: v(f.trades) } : {}) };
}
