// Order-book features from top-of-book and depth aggregates per bar (best bid/ask and sizes at levels 1..k).

/** Mid price. */
export function mid(bid: number, ask: number): number {
  return (bid + ask) / 2;
}

/** Relative spread in basis points of the mid. */
export function spreadBps(bid: number, ask: number): number {
  return ((ask - bid) / ((bid + ask) / 2)) * 1e4;
}

/** Size-weighted microprice (Stoikov): leans toward the side with less size. Mid when both sizes are 0. */
export function microprice(bid: number, ask: number, bidSize: number, askSize: number): number {
  const t = bidSize + askSize;
  return t > 0 ? (ask * bidSize + bid * askSize) / t : (bid + ask) / 2;
}

/** (Σ bid size − Σ ask size) / (Σ both) over the given levels; 0 for an empty book. */
export function depthImbalance(bidSizes: Float64Array, askSizes: Float64Array, levels: number): number {
  let b = 0;
  let a = 0;
  for (let i = 0; i < levels; i++) {
    b += bidSizes[i]!;
    a += askSizes[i]!;
  }
  const t = a + b;
  return t > 0 ? (b - a) / t : 0;
}
