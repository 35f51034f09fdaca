// Views of part of a MarketFrame (subarrays: no copy), by index or by time.
import type { MarketFrame } from './market-frame.ts';
import { DataError } from './errors.ts';
import { isoUtc, rangeIndex, toMs, type TimeInput } from './time-range.ts';

/** Bars [start, end) of a frame, sharing its memory. */
export function sliceFrame(frame: MarketFrame, start: number, end: number): MarketFrame {
  const s = Math.max(0, Math.min(start, frame.length));
  const e = Math.max(s, Math.min(end, frame.length));
  const out: { -readonly [K in keyof MarketFrame]: MarketFrame[K] } = {
    symbol: frame.symbol,
    timeframe: frame.timeframe,
    timeframeMs: frame.timeframeMs,
    length: e - s,
    time: frame.time.subarray(s, e),
    open: frame.open.subarray(s, e),
    high: frame.high.subarray(s, e),
    low: frame.low.subarray(s, e),
    close: frame.close.subarray(s, e),
    volume: frame.volume.subarray(s, e),
  };
  if (frame.trades) out.trades = frame.trades.subarray(s, e);
  if (frame.vwap) out.vwap = frame.vwap.subarray(s, e);
  if (frame.filled) out.filled = frame.filled.subarray(s, e);
  if (frame.extra) {
    const extra: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(frame.extra)) extra[k] = v.subarray(s, e);
    out.extra = extra;
  }
  return out;
}

/** Bars with open time in [from, to); an empty result is a DATA_ERROR that names the range the frame has. */
export function sliceByTime(frame: MarketFrame, from?: TimeInput, to?: TimeInput): MarketFrame {
  if (from === undefined && to === undefined) return frame;
  const f = from !== undefined ? toMs(from, 'from') : -Infinity;
  const t = to !== undefined ? toMs(to, 'to') : Infinity;
  const [lo, hi] = rangeIndex(frame.time, f, t);
  if (hi <= lo) {
    const have = frame.length > 0 ? `${isoUtc(frame.time[0]!)} → ${isoUtc(frame.time[frame.length - 1]!)}` : 'nothing';
    throw new DataError(
      `no ${frame.symbol} ${frame.timeframe} bars in [${isoUtc(f)}, ${isoUtc(t)}): the data cover ${have}`,
    );
  }
  return sliceFrame(frame, lo, hi);
}
