// Observation layout of the trading envs: a flat Float32Array of
//   [ W feature rows, oldest first, row-major (W × F) | exposure, unrealized_pnl, time_in_trade, drawdown ]
// The window for a decision at bar t is rows t−W+1 … t of the precomputed feature matrix, so it sees bars ≤ t only.
import { Box } from '../../src/core/spaces/index.ts';

export const PORTFOLIO_FIELDS = ['exposure', 'unrealized_pnl', 'time_in_trade', 'drawdown'] as const;
export const PORTFOLIO_DIM = PORTFOLIO_FIELDS.length;

export function observationDim(windowSize: number, numFeatures: number, portfolioDim: number = PORTFOLIO_DIM): number {
  return windowSize * numFeatures + portfolioDim;
}

export function observationSpace(
  windowSize: number,
  numFeatures: number,
  portfolioDim: number = PORTFOLIO_DIM,
): Box<Float32Array> {
  return new Box<Float32Array>(-Infinity, Infinity, [observationDim(windowSize, numFeatures, portfolioDim)], 'float32');
}

/** Names of every observation element, e.g. 'rsi_14[t-3]', then the portfolio fields. */
export function observationNames(
  windowSize: number,
  featureNames: readonly string[],
  portfolio: readonly string[] = PORTFOLIO_FIELDS,
): string[] {
  const out: string[] = [];
  for (let k = windowSize - 1; k >= 0; k--)
    for (const f of featureNames) out.push(k === 0 ? `${f}[t]` : `${f}[t-${k}]`);
  return out.concat(portfolio);
}

// Window views turn copying a window into one TypedArray.set (a memcpy) with no per-step allocation. They are built
// by the owner of the matrix (FeatureSet, shared by every env over it). Above this many bars the views would cost
// more memory than they save time, so the copy falls back to subarray() (a small short-lived object per step).
const MAX_PREBUILT_ROWS = 400_000; // ≈ 40 MB of view objects at most

/** views[t] = rows t−W+1 … t of the matrix (empty before W − 1); null when the matrix has too many rows for views. */
export function buildWindowViews(matrix: Float32Array, F: number, W: number): Float32Array[] | null {
  const rows = F > 0 ? matrix.length / F : 0;
  if (rows > MAX_PREBUILT_ROWS) return null;
  const views = new Array<Float32Array>(rows);
  const empty = new Float32Array(0);
  for (let t = 0; t < rows; t++) views[t] = t >= W - 1 ? matrix.subarray((t - W + 1) * F, (t + 1) * F) : empty;
  return views;
}

/** Copies the feature window ending at row t into out[offset …]. */
export class WindowCopier {
  private readonly matrix: Float32Array;
  private readonly numFeatures: number;
  private readonly windowSize: number;
  private readonly views: readonly Float32Array[] | null;

  /** `views`: the matrix owner's (FeatureSet.windowViews); built here when not given. */
  constructor(
    matrix: Float32Array,
    numFeatures: number,
    windowSize: number,
    views: readonly Float32Array[] | null = buildWindowViews(matrix, numFeatures, windowSize),
  ) {
    this.matrix = matrix;
    this.numFeatures = numFeatures;
    this.windowSize = windowSize;
    this.views = views;
  }

  /** t must be ≥ W − 1. */
  copy(t: number, out: Float32Array, offset: number): void {
    if (this.views !== null) {
      out.set(this.views[t]!, offset);
    } else {
      const F = this.numFeatures;
      out.set(this.matrix.subarray((t - this.windowSize + 1) * F, (t + 1) * F), offset);
    }
  }
}
