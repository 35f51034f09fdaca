// The one place the trading envs call the feature pipeline (src/features): builds the T × F matrix of a frame from a
// feature spec, so that training, backtests and the live loop share one feature code. Matrices are cached per
// (frame, spec hash): every env and sub-env over the same frame shares one matrix.
import type { MarketFrame } from '../../replay/market-frame.ts';
import {
  buildFeatures,
  loadDefaultSpec,
  loadFeatureSpec,
  parseFeatureSpec,
  parseTimeframe,
  specHash,
  type FeatureSpec,
} from '../../src/features/index.ts';
import type { FeatureMatrix } from './config.ts';

const cache = new WeakMap<Float64Array, Map<string, FeatureMatrix>>();

/**
 * The default spec for data of a given bar length: src/features' default spec without the entries on a timeframe that
 * is not strictly coarser than the data's (the default is written for 1m bars; on the bundled 1h data its 5m and 1h
 * entries cannot be computed, or would duplicate the base ones).
 */
export function defaultSpecFor(timeframeMs: number): FeatureSpec {
  const spec = loadDefaultSpec();
  const features = spec.features.filter((f) => {
    if (f.timeframe === undefined) return true;
    const ms = parseTimeframe(f.timeframe, 'timeframe');
    return ms > timeframeMs && ms % timeframeMs === 0;
  });
  return parseFeatureSpec({ ...spec, features });
}

/** The features of `frame` under `spec` (undefined or 'default': defaultSpecFor the frame's timeframe). */
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

/** undefined / 'default' → defaultSpecFor; a string → a spec file (.json/.yaml); an object → parsed as a spec. */
export function resolveSpec(spec: unknown, timeframeMs: number): FeatureSpec {
  if (spec === undefined || spec === 'default') return defaultSpecFor(timeframeMs);
  if (typeof spec === 'string') return loadFeatureSpec(spec);
  return parseFeatureSpec(spec);
}

/** The feature spec's observation window: the spec's own `window`, or the default spec's (32). */
export function specWindow(spec: unknown): number | undefined {
  if (spec === undefined || spec === 'default') return loadDefaultSpec().window;
  if (typeof spec === 'string') return loadFeatureSpec(spec).window;
  const w = (spec as { window?: unknown } | null)?.window;
  return typeof w === 'number' ? w : undefined;
}
