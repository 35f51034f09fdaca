// The one place the trading envs call the feature pipeline (src/features): resolves the `features` kwarg to a spec
// and builds a FeatureSet — the T × F matrix of a frame and the window views read from it — so that training,
// backtests and the live loop share one feature code. Nothing here is cached: a FeatureSet lives as long as whoever
// holds it. Envs share one by passing it as `featureMatrix` (the server's market store keeps one per frame and spec
// hash for its sessions); an env given none builds its own (see MarketData in market-data.ts).
import type { MarketFrame } from '../../replay/market-frame.ts';
import {
  buildFeatures,
  loadDefaultSpec,
  loadFeatureSpec,
  parseFeatureSpec,
  type FeatureSpec,
} from '../../src/features/index.ts';
import type { FeatureMatrix } from './config.ts';
import { buildWindowViews } from './observation.ts';

/**
 * A feature matrix (T × F, row-major, row t from bars ≤ t) and what is derived from it: the row views of each
 * observation window, built on first use per window length and kept for this object's lifetime. Read-only by
 * contract, so any number of envs and sessions can share one.
 */
export class FeatureSet implements FeatureMatrix {
  readonly values: Float32Array;
  readonly names: readonly string[];
  readonly warmup: number;
  readonly specHash: string | undefined;
  private readonly views = new Map<number, readonly Float32Array[] | null>();

  constructor(m: FeatureMatrix) {
    this.values = m.values;
    this.names = m.names;
    this.warmup = m.warmup;
    this.specHash = m.specHash;
  }

  /** A caller's matrix as a FeatureSet (the same object when it already is one, so its views are shared). */
  static of(m: FeatureMatrix): FeatureSet {
    return m instanceof FeatureSet ? m : new FeatureSet(m);
  }

  /** Row views of the window of `windowSize` rows ending at each row (null above the size where they cost more than they save). */
  windowViews(windowSize: number): readonly Float32Array[] | null {
    let v = this.views.get(windowSize);
    if (v === undefined) {
      v = buildWindowViews(this.values, this.names.length, windowSize);
      this.views.set(windowSize, v);
    }
    return v;
  }
}

/** The default spec for data of this bar length: src/features' loadDefaultSpec (one default spec per timeframe). */
export function defaultSpecFor(timeframeMs: number): FeatureSpec {
  return loadDefaultSpec(timeframeMs);
}

/** The features of `frame` under `spec` (undefined or 'default': the default spec of the frame's timeframe). */
export function buildFeatureMatrix(frame: MarketFrame, spec: unknown): FeatureSet {
  const fm = buildFeatures(frame, resolveSpec(spec, frame.timeframeMs));
  return new FeatureSet({ values: fm.matrix, names: fm.names, warmup: fm.warmup, specHash: fm.specHash });
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
