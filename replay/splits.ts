// Train / validation / test ranges for the agents, in time order (never shuffled: shuffling leaks the future).
// Walk-forward: fold k trains on a window, validates on the bars right after it, tests on the bars after those, and
// the next fold moves forward by the test length. An optional embargo leaves bars unused between the parts so that
// features with long windows (or labels that look ahead) cannot straddle a boundary.
import { InvalidArgumentError } from '../src/core/errors.ts';
import type { MarketFrame } from './market-frame.ts';
import { sliceFrame } from './slice.ts';

/** Bar index range [start, end) with the open times of its first and last bars. */
export interface SplitRange {
  start: number;
  end: number;
  from: number;
  to: number;
}

export interface Fold {
  fold: number;
  train: SplitRange;
  validation: SplitRange;
  test: SplitRange;
}

export interface WalkForwardOptions {
  /** Number of folds (default 3). */
  folds?: number;
  /** Train window in bars; default: what is left after the validation/test windows, divided so the folds fit. */
  trainBars?: number;
  /** Validation window in bars (default 10% of the frame). */
  validationBars?: number;
  /** Test window in bars (default 10% of the frame). */
  testBars?: number;
  /** Bars left out between train|validation and validation|test (default 0). */
  embargoBars?: number;
  /** true: every fold trains from bar 0 (expanding window); false (default): a sliding window of trainBars. */
  anchored?: boolean;
}

function range(frame: MarketFrame, start: number, end: number): SplitRange {
  return { start, end, from: frame.time[start]!, to: frame.time[end - 1]! };
}

export function walkForwardSplits(frame: MarketFrame, opts: WalkForwardOptions = {}): Fold[] {
  const n = frame.length;
  const folds = opts.folds ?? 3;
  const emb = opts.embargoBars ?? 0;
  const val = opts.validationBars ?? Math.floor(n * 0.1);
  const test = opts.testBars ?? Math.floor(n * 0.1);
  if (!Number.isInteger(folds) || folds < 1)
    throw new InvalidArgumentError(`folds must be an integer ≥ 1, got ${folds}`);
  if (val < 1 || test < 1 || emb < 0)
    throw new InvalidArgumentError(`validationBars and testBars must be ≥ 1 and embargoBars ≥ 0`);
  // The last fold's test window ends at the last bar; each earlier fold ends `test` bars before the next.
  const tailPerFold = emb + val + emb + test;
  const train = opts.trainBars ?? n - tailPerFold - (folds - 1) * test;
  if (train < 1 || train + tailPerFold + (folds - 1) * test > n) {
    throw new InvalidArgumentError(
      `${folds} fold(s) of train ${train} + validation ${val} + test ${test} bars (embargo ${emb}) do not fit in ${n} bars: use fewer folds or smaller windows`,
    );
  }
  const out: Fold[] = [];
  const firstStart = n - (folds - 1) * test - tailPerFold - train;
  for (let k = 0; k < folds; k++) {
    const trainStart = opts.anchored ? 0 : firstStart + k * test;
    const trainEnd = firstStart + k * test + train;
    const valStart = trainEnd + emb;
    const testStart = valStart + val + emb;
    out.push({
      fold: k,
      train: range(frame, trainStart, trainEnd),
      validation: range(frame, valStart, valStart + val),
      test: range(frame, testStart, testStart + test),
    });
  }
  return out;
}

/** A single chronological split by fractions (default 70/15/15). */
export function chronologicalSplit(
  frame: MarketFrame,
  fractions: { train?: number; validation?: number; test?: number } = {},
): { train: MarketFrame; validation: MarketFrame; test: MarketFrame } {
  const a = fractions.train ?? 0.7;
  const b = fractions.validation ?? 0.15;
  const c = fractions.test ?? 0.15;
  if (a <= 0 || b < 0 || c < 0 || Math.abs(a + b + c - 1) > 1e-9) {
    throw new InvalidArgumentError(`split fractions must be ≥ 0, train > 0, and sum to 1 (got ${a}, ${b}, ${c})`);
  }
  const n = frame.length;
  const i = Math.floor(n * a);
  const j = Math.floor(n * (a + b));
  return { train: sliceFrame(frame, 0, i), validation: sliceFrame(frame, i, j), test: sliceFrame(frame, j, n) };
}

/** The frames of one fold. */
export function foldFrames(
  frame: MarketFrame,
  f: Fold,
): { train: MarketFrame; validation: MarketFrame; test: MarketFrame } {
  return {
    train: sliceFrame(frame, f.train.start, f.train.end),
    validation: sliceFrame(frame, f.validation.start, f.validation.end),
    test: sliceFrame(frame, f.test.start, f.test.end),
  };
}
