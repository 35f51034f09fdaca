// Resampling a MarketFrame to a longer timeframe, and the map that keeps multi-timeframe features free of look-ahead.
//
// Buckets are aligned to the Unix epoch (UTC): a 4h bar opens at 00:00, 04:00, …; a 1d bar at 00:00 UTC. A bucket's bar
// has the first open, the highest high, the lowest low, the last close, summed volume and trades, and the volume-weighted
// vwap, taken over real bars (gap-filled bars only count when the whole bucket is filled: then it is flat and filled).
// A bar exists only once its bucket has ended: a final bucket that the data do not cover to its end is dropped.
// `lastClosedIndex` tells, for each base bar, which higher-timeframe bar a decision at that base bar's close may see.
import { InvalidArgumentError } from '../src/core/errors.ts';
import type { MarketFrame } from './market-frame.ts';
import { normalizeTimeframe, timeframeMs } from './timeframe.ts';

export interface ResampleOptions {
  /** Keep a final bucket that has not ended yet (a partial bar). Default false: only closed bars. */
  keepIncomplete?: boolean;
}

/** Resamples `frame` to `timeframe` (a whole multiple of the frame's timeframe). */
export function resample(frame: MarketFrame, timeframe: string, opts: ResampleOptions = {}): MarketFrame {
  const tf = normalizeTimeframe(timeframe);
  const T = timeframeMs(tf);
  const b = frame.timeframeMs;
  if (T < b || T % b !== 0) {
    throw new InvalidArgumentError(
      `cannot resample ${frame.timeframe} bars to ${tf}: the target must be a whole multiple of ${frame.timeframe}`,
    );
  }
  const n = frame.length;
  const { time, open, high, low, close, volume } = frame;
  const trades = frame.trades;
  const vwap = frame.vwap;
  const filledIn = frame.filled;
  // Pass 1: count buckets.
  let m = 0;
  let prevBucket = NaN;
  for (let i = 0; i < n; i++) {
    const k = Math.floor(time[i]! / T) * T;
    if (k !== prevBucket) {
      m++;
      prevBucket = k;
    }
  }
  if (!opts.keepIncomplete && n > 0) {
    const lastStart = Math.floor(time[n - 1]! / T) * T;
    if (time[n - 1]! + b < lastStart + T) m--;
  }
  m = Math.max(0, m);
  const o = {
    time: new Float64Array(m),
    open: new Float64Array(m),
    high: new Float64Array(m),
    low: new Float64Array(m),
    close: new Float64Array(m),
    volume: new Float64Array(m),
    trades: trades ? new Float64Array(m) : undefined,
    vwap: vwap ? new Float64Array(m) : undefined,
    filled: new Uint8Array(m),
  };
  // Pass 2: aggregate.
  let j = -1;
  let pv = 0; // Σ vwap·volume of the current bucket
  let allFilled = 1;
  prevBucket = NaN;
  const finish = (): void => {
    if (j < 0 || j >= m) return;
    if (o.vwap) o.vwap[j] = o.volume[j]! > 0 ? pv / o.volume[j]! : o.close[j]!;
    o.filled[j] = allFilled;
  };
  let hasReal = false; // the bucket has a real (not gap-filled) bar
  for (let i = 0; i < n; i++) {
    const k = Math.floor(time[i]! / T) * T;
    const isFilled = filledIn !== undefined && filledIn[i] === 1;
    if (k !== prevBucket) {
      finish();
      j++;
      if (j >= m) break;
      prevBucket = k;
      o.time[j] = k;
      o.open[j] = open[i]!;
      o.high[j] = high[i]!;
      o.low[j] = low[i]!;
      o.close[j] = close[i]!;
      o.volume[j] = 0;
      if (o.trades) o.trades[j] = 0;
      pv = 0;
      allFilled = 1;
      hasReal = !isFilled;
    } else if (!isFilled) {
      // Gap-filled bars carry no trades: OHLC come from real bars only, as if the gaps had been kept.
      if (!hasReal) {
        o.open[j] = open[i]!;
        o.high[j] = high[i]!;
        o.low[j] = low[i]!;
        hasReal = true;
      }
      if (high[i]! > o.high[j]!) o.high[j] = high[i]!;
      if (low[i]! < o.low[j]!) o.low[j] = low[i]!;
      o.close[j] = close[i]!;
    }
    o.volume[j] += volume[i]!;
    if (o.trades) o.trades[j] += trades![i]!;
    if (vwap) pv += vwap[i]! * volume[i]!;
    if (!isFilled) allFilled = 0;
  }
  finish();
  const out: { -readonly [K in keyof MarketFrame]: MarketFrame[K] } = {
    symbol: frame.symbol,
    timeframe: tf,
    timeframeMs: T,
    length: m,
    time: o.time,
    open: o.open,
    high: o.high,
    low: o.low,
    close: o.close,
    volume: o.volume,
    filled: o.filled,
  };
  if (o.trades) out.trades = o.trades;
  if (o.vwap) out.vwap = o.vwap;
  return out;
}

/**
 * For each bar i of `base`, the index of the last bar of `higher` that has closed by the close of base bar i
 * (higher.time[j] + higher.timeframeMs ≤ base.time[i] + base.timeframeMs), or -1 if none has. A feature computed at
 * base bar i may read higher-timeframe bars 0..lastClosed[i] only.
 */
export function lastClosedIndex(base: MarketFrame, higher: MarketFrame): Int32Array {
  const out = new Int32Array(base.length);
  const T = higher.timeframeMs;
  let j = -1;
  for (let i = 0; i < base.length; i++) {
    const closeAt = base.time[i]! + base.timeframeMs;
    while (j + 1 < higher.length && higher.time[j + 1]! + T <= closeAt) j++;
    out[i] = j;
  }
  return out;
}

/** Resamples and returns the look-ahead-free index map in one call. */
export function alignTimeframe(base: MarketFrame, timeframe: string): { frame: MarketFrame; lastClosed: Int32Array } {
  const frame = resample(base, timeframe);
  return { frame, lastClosed: lastClosedIndex(base, frame) };
}
