// The three causal indicators the baselines need, over a whole close series at once (value t uses closes ≤ t; NaN
// before the indicator is defined). Kept here, small and explicit, so that the baselines' rules read top to bottom.

/** EMA with α = 2/(n+1), seeded with the simple mean of the first n closes (defined from t = n − 1). */
export function ema(close: Float64Array, n: number): Float64Array {
  const out = new Float64Array(close.length).fill(NaN);
  if (close.length < n) return out;
  let s = 0;
  for (let i = 0; i < n; i++) s += close[i]!;
  let e = s / n;
  out[n - 1] = e;
  const alpha = 2 / (n + 1);
  for (let i = n; i < close.length; i++) {
    e += alpha * (close[i]! - e);
    out[i] = e;
  }
  return out;
}

/** Wilder's RSI(n): averages of gains and losses seeded with their simple mean over the first n changes. */
export function rsi(close: Float64Array, n: number): Float64Array {
  const out = new Float64Array(close.length).fill(NaN);
  if (close.length <= n) return out;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= n; i++) {
    const d = close[i]! - close[i - 1]!;
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= n;
  loss /= n;
  const value = (): number => (loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss));
  out[n] = value();
  for (let i = n + 1; i < close.length; i++) {
    const d = close[i]! - close[i - 1]!;
    gain = (gain * (n - 1) + (d > 0 ? d : 0)) / n;
    loss = (loss * (n - 1) + (d < 0 ? -d : 0)) / n;
    out[i] = value();
  }
  return out;
}

/** Bollinger bands: simple mean ± k population standard deviations over the last n closes (defined from t = n − 1). */
export function bollinger(
  close: Float64Array,
  n: number,
  k: number,
): { middle: Float64Array; upper: Float64Array; lower: Float64Array } {
  const T = close.length;
  const middle = new Float64Array(T).fill(NaN);
  const upper = new Float64Array(T).fill(NaN);
  const lower = new Float64Array(T).fill(NaN);
  for (let t = n - 1; t < T; t++) {
    // Direct two-pass sums over the window: exact enough at any price level, and cheap (done once per frame).
    let s = 0;
    for (let i = t - n + 1; i <= t; i++) s += close[i]!;
    const m = s / n;
    let v = 0;
    for (let i = t - n + 1; i <= t; i++) v += (close[i]! - m) ** 2;
    const sd = Math.sqrt(v / n);
    middle[t] = m;
    upper[t] = m + k * sd;
    lower[t] = m - k * sd;
  }
  return { middle, upper, lower };
}
