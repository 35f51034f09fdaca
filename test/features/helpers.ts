// Test data: real Kraken candles from the replay layer's bundled dataset (replay/data), plus derived columns.
import { Command } from 'commander';
import { loadBundled } from '../../replay/index.ts';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { register } from '../../src/cli/commands/features.ts';
import type { FeatureSpecInput, LiveBar } from '../../src/features/index.ts';

/** Real bars from the replay layer's bundled Kraken data (no files outside the repository). */
export function bundled1h(gaps: 'keep' | 'fill' = 'keep'): MarketFrame {
  return loadBundled({ symbol: 'BTC/USD', timeframe: '1h', gaps });
}

/** Kraken BTC/USDC 1m, 2023-01-01 00:00 onwards: 'keep' leaves the many empty minutes out (gaps), 'fill' is gap-free. */
export function bundled1m(limit: number, gaps: 'keep' | 'fill' = 'keep'): MarketFrame {
  return head(loadBundled({ symbol: 'BTC/USDC', timeframe: '1m', gaps }), limit);
}

/** A copy of a frame with columns replaced/added (for perturbation and bad-input tests). */
export function cloneFrame(f: MarketFrame, extra?: Record<string, Float64Array>): MarketFrame {
  const c = (a: Float64Array) => Float64Array.from(a);
  return {
    ...f,
    time: c(f.time),
    open: c(f.open),
    high: c(f.high),
    low: c(f.low),
    close: c(f.close),
    volume: c(f.volume),
    extra: {
      ...(f.extra ? Object.fromEntries(Object.entries(f.extra).map(([k, v]) => [k, c(v)])) : {}),
      ...(extra ?? {}),
    },
  };
}

/** The first n bars of a frame (views, no copy). */
export function head(f: MarketFrame, n: number): MarketFrame {
  const e = Math.min(n, f.length);
  const v = (a: Float64Array) => a.subarray(0, e);
  return {
    symbol: f.symbol,
    timeframe: f.timeframe,
    timeframeMs: f.timeframeMs,
    length: e,
    time: v(f.time),
    open: v(f.open),
    high: v(f.high),
    low: v(f.low),
    close: v(f.close),
    volume: v(f.volume),
  };
}

/** The last n bars of a frame (views, no copy). */
export function tail(f: MarketFrame, n: number): MarketFrame {
  const s = Math.max(0, f.length - n);
  const v = (a: Float64Array) => a.subarray(s);
  return {
    symbol: f.symbol,
    timeframe: f.timeframe,
    timeframeMs: f.timeframeMs,
    length: f.length - s,
    time: v(f.time),
    open: v(f.open),
    high: v(f.high),
    low: v(f.low),
    close: v(f.close),
    volume: v(f.volume),
  };
}

/**
 * Adds trade-flow, order-book and sentiment columns derived deterministically from the real bars, so that every
 * feature can run on real price paths: buy share = where the close sits in the bar's range; spread widens with the
 * range; sizes follow volume; sentiment follows the 60-bar return.
 */
export function withSyntheticExtras(f: MarketFrame): MarketFrame {
  const T = f.length;
  const a = () => new Float64Array(T);
  const x: Record<string, Float64Array> = { buy_volume: a(), sell_volume: a(), sentiment: a() };
  for (let k = 1; k <= 3; k++) for (const s of ['bid_px', 'ask_px', 'bid_sz', 'ask_sz']) x[`${s}_${k}`] = a();
  for (let t = 0; t < T; t++) {
    const r = f.high[t]! - f.low[t]!;
    const w = r > 0 ? (f.close[t]! - f.low[t]!) / r : 0.5;
    x.buy_volume![t] = f.volume[t]! * w;
    x.sell_volume![t] = f.volume[t]! - x.buy_volume![t]!;
    const half = Math.max(0.01, r * 0.05);
    for (let k = 1; k <= 3; k++) {
      x[`bid_px_${k}`]![t] = f.close[t]! - half * k * (0.5 + w);
      x[`ask_px_${k}`]![t] = f.close[t]! + half * k * (1.5 - w);
      x[`bid_sz_${k}`]![t] = 1 + f.volume[t]! * w * k;
      x[`ask_sz_${k}`]![t] = 1 + f.volume[t]! * (1 - w) * (4 - k);
    }
    const r60 = t >= 60 ? Math.log(f.close[t]! / f.close[t - 60]!) : 0;
    x.sentiment![t] = 50 + 45 * Math.tanh(r60 * 100);
  }
  return { ...f, extra: x };
}

/** A spec using every feature, on the base timeframe and on 5m and 1h. */
export const ALL_FEATURES_SPEC: FeatureSpecInput = {
  name: 'all-features',
  features: [
    { feature: 'sma', params: { period: 20 }, outputs: ['value', 'dist'] },
    { feature: 'ema', params: { period: 9 }, outputs: ['value', 'dist'] },
    { feature: 'rsi', params: { period: 14 } },
    { feature: 'atr', params: { period: 14 }, outputs: ['value', 'pct'] },
    { feature: 'bbands', outputs: ['middle', 'upper', 'lower', 'pctb', 'width'] },
    { feature: 'macd', outputs: ['macd', 'signal', 'hist', 'hist_pct'] },
    { feature: 'adx' },
    { feature: 'chop' },
    { feature: 'stoch' },
    { feature: 'volatility' },
    { feature: 'zscore' },
    { feature: 'zscore', id: 'volume_z', params: { source: 'volume' } },
    { feature: 'vwap', outputs: ['value', 'dist'] },
    { feature: 'vwap', params: { period: 0 } },
    { feature: 'obv' },
    { feature: 'volume_spike' },
    { feature: 'ma_alignment' },
    { feature: 'returns' },
    { feature: 'volume_imbalance' },
    { feature: 'vpin', params: { bucket_volume: 2, buckets: 20 } },
    { feature: 'spread' },
    { feature: 'mid', outputs: ['value', 'dist'] },
    { feature: 'microprice', outputs: ['value', 'dev_bps'] },
    { feature: 'depth_imbalance', params: { levels: 3 } },
    { feature: 'regime', outputs: ['score', 'label', 'bull', 'bear', 'sideways'], normalize: 'none' },
    { feature: 'rsi', timeframe: '5m' },
    { feature: 'macd', timeframe: '5m' },
    { feature: 'volume_imbalance', timeframe: '5m', params: { period: 6 } },
    { feature: 'rsi', timeframe: '1h' },
    { feature: 'adx', params: { period: 5 }, timeframe: '1h' },
    {
      feature: 'regime',
      timeframe: '1h',
      params: { ma_periods: [3, 6], adx_period: 4, chop_period: 4, rsi_period: 4, volume_period: 4 },
    },
  ],
  normalization: { method: 'rolling_zscore', window: 100, clip: 8 },
};

/** Bar t of a frame as the live builder takes it (OHLCV only). */
export function barAt(f: MarketFrame, t: number): LiveBar {
  return {
    time: f.time[t]!,
    open: f.open[t]!,
    high: f.high[t]!,
    low: f.low[t]!,
    close: f.close[t]!,
    volume: f.volume[t]!,
  };
}

/** `tg4 features …` in-process (no start-up cost per call): what it wrote to stdout. */
export async function tg4Features(...args: string[]): Promise<{ stdout: string }> {
  const program = new Command('tg4').exitOverride();
  register(program);
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['features', ...args], { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return { stdout };
}
