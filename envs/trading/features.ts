// The one place the trading envs call the feature pipeline (src/features): builds the T × F matrix of a frame from a
// feature spec, so that training, backtests and the live loop share one feature code. Matrices are cached per
// (frame, spec hash): every env and sub-env over the same frame shares one matrix.
import type { MarketFrame } from '../../replay/market-frame.ts';
import {
  buildFeatures,
  loadDefaultSpec,
  loadFeatureSpec,
  parseFeatureSpec,
  specHash,
  type FeatureSpec,
} from '../../src/features/index.ts';
import type { FeatureMatrix } from './config.ts';

const cache = new WeakMap<Float64Array, Map<string, FeatureMatrix>>();

/** The default spec for data of this bar length: src/features' loadDefaultSpec (one default spec per timeframe). */
export function defaultSpecFor(timeframeMs: number): FeatureSpec {
  return loadDefaultSpec(timeframeMs);
}

/** The features of `frame` under `spec` (undefined or 'default': the default spec of the frame's timeframe). */
export function buildFeatureMatrix(frame: MarketFrame, spec: unknown): FeatureMatrix {
  const parsed = resolveSpec(spec, frame.timeframeMs);
  const hash = specHash(parsed);
  let byHash = cache.get(frame.close);
  if (byHash === undefined) {
    byHash = new Map();
    cache.set(frame.close, byHash);
  }
  let m = byHash.get(hash);
  if (m === undefined) {
    const fm = buildFeatures(frame, parsed);
    m = { values: fm.matrix, names: fm.names, warmup: fm.warmup, specHash: fm.specHash };
    byHash.set(hash, m);
  }
  return m;
}

/**
 * undefined / 'default' → src/features' default spec for data of this bar length (the same one `tg4 features
 * export/hash --timeframe` and ObservationBuilder('default') use); a string → a spec file (.json/.yaml); an object →
 * parsed as a spec.
 */
export function resolveSpec(spec: unknown, timeframeMs: number): FeatureSpec {
  if (spec === undefined || spec === 'default') return defaultSpecFor(timeframeMs);
  if (typeof spec === 'string') return loadFeatureSpec(spec);
  return parseFeatureSpec(spec);
}

/** The feature spec's observation window: the spec's own `window`, or that of the default spec for this bar length. */
export function specWindow(spec: unknown, timeframeMs: number): number | undefined {
  if (spec === undefined || spec === 'default') return loadDefaultSpec(timeframeMs).window;
  if (typeof spec === 'string') return loadFeatureSpec(spec).window;
  const w = (spec as { window?: unknown } | null)?.window;
  return typeof w === 'number' ? w : undefined;
}
