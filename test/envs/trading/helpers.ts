// Hand-built markets for the trading env tests: frames from a close series, and a small causal feature matrix.
import type { MarketFrame } from '../../../replay/market-frame.ts';
import type { FeatureMatrix } from '../../../envs/trading/config.ts';
import { Rng } from '../../../src/core/rng.ts';

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2024, 0, 1);

/** Bars whose open is the previous close; high/low a fixed fraction around the bar's range. */
export function frameFromCloses(
  close: readonly number[],
  opts: { symbol?: string; spread?: number; open?: readonly number[] } = {},
): MarketFrame {
  const n = close.length;
  const c = Float64Array.from(close);
  const o = Float64Array.from(opts.open ?? close.map((v, i) => (i === 0 ? v : close[i - 1]!)));
  const k = opts.spread ?? 0.001;
  const h = Float64Array.from(c, (v, i) => Math.max(v, o[i]!) * (1 + k));
  const l = Float64Array.from(c, (v, i) => Math.min(v, o[i]!) * (1 - k));
  return {
    symbol: opts.symbol ?? 'TEST/USD',
    timeframe: '1h',
    timeframeMs: HOUR,
    length: n,
    time: Float64Array.from({ length: n }, (_, i) => T0 + i * HOUR),
    open: o,
    high: h,
    low: l,
    close: c,
    volume: new Float64Array(n).fill(1),
  };
}

/** Features of bar t from bars ≤ t: one-bar log return and (close − SMA5)/close; warm-up 4 rows. */
export function simpleFeatures(f: MarketFrame): FeatureMatrix {
  const F = 2;
  const values = new Float32Array(f.length * F);
  for (let t = 0; t < f.length; t++) {
    values[t * F] = t > 0 ? Math.log(f.close[t]! / f.close[t - 1]!) : 0;
    if (t >= 4) {
      let s = 0;
      for (let k = t - 4; k <= t; k++) s += f.close[k]!;
      values[t * F + 1] = (f.close[t]! - s / 5) / f.close[t]!;
    }
  }
  return { values, names: ['ret_1', 'sma5_gap'], warmup: 4 };
}

export function randomWalk(n: number, seed: number, vol = 0.01, start = 100): number[] {
  const rng = new Rng(seed);
  const out = [start];
  for (let i = 1; i < n; i++) out.push(out[i - 1]! * Math.exp(vol * rng.normal()));
  return out;
}

/** `CODE: message` of what f throws, or 'no error'. */
export function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return 'no error';
}
