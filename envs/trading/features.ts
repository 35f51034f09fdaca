// The one place the trading envs call the feature pipeline (src/features): builds the T × F matrix of a frame from a
// feature spec (default: the features module's default spec), so that training, backtests and the live loop share it.
import type { MarketFrame } from '../../replay/market-frame.ts';
import type { FeatureMatrix } from './config.ts';
import { Tg4Error } from '../../src/core/errors.ts';

export function buildFeatureMatrix(frame: MarketFrame, spec: unknown): FeatureMatrix {
  void frame; void spec;
  throw new Tg4Error('FEATURE_ERROR', 'the feature pipeline (src/features buildFeatures) is not wired in yet: pass featureMatrix');
}

/** The feature spec's observation window, when the spec sets one. */
export function specWindow(spec: unknown): number | undefined {
  const w = (spec as { window?: unknown } | null | undefined)?.window;
  return typeof w === 'number' ? w : undefined;
}
