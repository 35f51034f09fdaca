// The public entry points: buildFeatures() precomputes the whole matrix for replay/training, ObservationBuilder
// computes one row per live bar. Both drive the same FeatureEngine, so row t is the same numbers either way.
import type { MarketFrame } from '../../replay/market-frame.ts';
import { loadDefaultSpec } from './default-spec.ts';
import { FeatureDataError, FeatureError } from './errors.ts';
import { FeatureEngine, type ColumnInfo } from './engine.ts';
import type { LiveBar } from './input.ts';
import type { FeatureSpec, FeatureSpecInput, Normalization } from './spec.ts';
import { parseTimeframe } from './timeframe.ts';

export interface FeatureMatrix {
  /** rows × cols, row-major; rows before a column is valid hold 0. */
  matrix: Float32Array;
  rows: number;
  cols: number;
  names: string[];
  columns: ColumnInfo[];
  /** Bar open times (ms), one per row (the frame's own array). */
  time: Float64Array;
  /** First row at which every column is valid: max(spec warm-up, first all-valid row). Envs start here. */
  warmup: number;
  /** Warm-up computed from the spec alone (gap-free data). */
  specWarmup: number;
  specHash: string;
  spec: FeatureSpec;
}

export interface BuildOptions {
  /** false: raw feature values, no normalization (used to fit fixed stats). Default true. */
  normalize?: boolean;
  /** Called every 65 536 rows and at the end with (rows done, total rows). */
  onProgress?: (done: number, total: number) => void;
}

/** A spec, or 'default': the default spec for the data's timeframe (loadDefaultSpec). */
export type SpecOrDefault = FeatureSpec | FeatureSpecInput | 'default';

/**
 * Precomputes the feature matrix of a frame ('default': the default spec of the frame's timeframe). Throws DATA_ERROR
 * (with the bar's time) on NaN/Inf input.
 */
export function buildFeatures(frame: MarketFrame, spec: SpecOrDefault, opts: BuildOptions = {}): FeatureMatrix {
  const extraNames = frame.extra ? Object.keys(frame.extra) : [];
  const engine = new FeatureEngine(spec === 'default' ? loadDefaultSpec(frame.timeframeMs) : spec, {
    baseTimeframeMs: frame.timeframeMs,
    extraColumns: extraNames,
    normalize: opts.normalize,
  });
  const T = frame.length;
  const F = engine.names.length;
  const matrix = new Float32Array(T * F);
  const extras = engine.inputColumns.map((n) => frame.extra![n]!);
  for (const [i, a] of extras.entries()) {
    if (a.length < T)
      throw new FeatureError(`extra column '${engine.inputColumns[i]}' has ${a.length} values for ${T} bars`);
  }
  const b = engine.bar;
  const x = b.x;
  const { time, open, high, low, close, volume } = frame;
  const trades = frame.trades;
  const E = extras.length;
  let firstReady = -1;
  for (let t = 0; t < T; t++) {
    b.set(time[t]!, open[t]!, high[t]!, low[t]!, close[t]!, volume[t]!, trades ? trades[t]! : NaN);
    for (let e = 0; e < E; e++) x[e] = extras[e]![t]!;
    engine.step();
    matrix.set(engine.row, t * F);
    if (firstReady < 0 && engine.ready) firstReady = t;
    if ((t & 0xffff) === 0xffff && opts.onProgress) opts.onProgress(t + 1, T);
  }
  opts.onProgress?.(T, T);
  const warmup = firstReady < 0 ? T : Math.max(firstReady, engine.warmup);
  return {
    matrix,
    rows: T,
    cols: F,
    names: engine.names,
    columns: engine.columns,
    time: frame.time,
    warmup,
    specWarmup: engine.warmup,
    specHash: engine.specHash,
    spec: engine.spec,
  };
}

export interface ObservationBuilderOptions {
  /** Timeframe of the bars fed to update(), e.g. '1m'. */
  timeframe: string;
  /** Extra input columns each LiveBar.extra will carry (e.g. ['buy_volume', 'sell_volume', 'sentiment']). */
  extraColumns?: readonly string[];
  normalize?: boolean;
}

/** Live path: one closed bar in, one feature row out, identical to the buildFeatures row for the same history. */
export class ObservationBuilder {
  private readonly engine: FeatureEngine;
  readonly names: string[];
  readonly columns: ColumnInfo[];
  readonly specHash: string;
  readonly warmup: number;

  /** 'default': the default spec for `opts.timeframe` (the one the trading envs and `tg4 features` use). */
  constructor(spec: SpecOrDefault, opts: ObservationBuilderOptions) {
    const baseTimeframeMs = parseTimeframe(opts.timeframe, 'timeframe');
    this.engine = new FeatureEngine(spec === 'default' ? loadDefaultSpec(baseTimeframeMs) : spec, {
      baseTimeframeMs,
      extraColumns: opts.extraColumns ?? [],
      normalize: opts.normalize,
    });
    this.names = this.engine.names;
    this.columns = this.engine.columns;
    this.specHash = this.engine.specHash;
    this.warmup = this.engine.warmup;
  }

  /** Bars consumed so far. */
  get count(): number {
    return this.engine.count;
  }
  /** Whether every column of the latest row is valid (and the spec warm-up has passed). */
  get ready(): boolean {
    return this.engine.ready && this.engine.count > this.engine.warmup;
  }
  /** Per column: 1 where the latest row's value is valid. Overwritten by the next update. */
  get valid(): Uint8Array {
    return this.engine.valid;
  }
  /** Latest raw (un-normalized) values; NaN where not valid yet. Overwritten by the next update. */
  get raw(): Float64Array {
    return this.engine.raw;
  }

  /** Feeds one closed bar. Returns the row (owned by the builder, overwritten by the next call: copy to keep). */
  update(bar: LiveBar): Float32Array {
    const e = this.engine;
    const b = e.bar;
    b.set(bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.trades ?? NaN);
    const cols = e.inputColumns;
    for (let i = 0; i < cols.length; i++) {
      const v = bar.extra?.[cols[i]!];
      if (v === undefined) throw new FeatureDataError(bar.time, `bar ${e.count}: extra input '${cols[i]}' is missing`);
      b.x[i] = v;
    }
    e.step();
    return e.row;
  }
}

/**
 * Fits fixed normalization stats (mean, population std per normalized column) on rows [from, to) of a raw
 * matrix (buildFeatures with normalize: false). Save the result in the spec that goes with the model.
 */
export function fitNormalization(
  raw: FeatureMatrix,
  range: { from?: number; to?: number } = {},
  clip = 10,
): Normalization {
  const from = range.from ?? raw.warmup;
  const to = range.to ?? raw.rows;
  if (!(from >= 0 && to <= raw.rows && to - from >= 2)) {
    throw new FeatureError(`fitNormalization: need at least 2 rows in [${from}, ${to}) within 0..${raw.rows}`);
  }
  const stats: Record<string, { mean: number; std: number }> = {};
  raw.columns.forEach((c, j) => {
    let s = 0;
    for (let t = from; t < to; t++) s += raw.matrix[t * raw.cols + j]!;
    const m = s / (to - from);
    let v = 0;
    for (let t = from; t < to; t++) {
      const d = raw.matrix[t * raw.cols + j]! - m;
      v += d * d;
    }
    const sd = Math.sqrt(v / (to - from));
    stats[c.name] = { mean: m, std: sd > 0 ? sd : 1 };
  });
  return { method: 'fixed', stats, clip };
}
