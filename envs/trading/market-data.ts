// Resolves an env's data kwargs into what the stepping loop reads: per-symbol price columns on one shared time axis,
// the feature matrix (T × F, row t from bars ≤ t), ATR for stops, and the bar range episodes may use. A MarketData is
// also the owner of everything derived from that data for the env: the ATR series, the prices packed by bar and the
// feature window copiers (over the FeatureSet's views). Lifetime: one per env or vector env, made by setup.ts from the
// kwargs and shared by its sub-envs; nothing outlives it in a module-level cache. Frames and feature sets passed in
// the kwargs are used without copying, so envs given the same FeatureSet share its matrix and window views.
import { existsSync } from 'node:fs';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { Atr } from '../../src/features/indicators/atr.ts';
import { chronologicalSplit, loadBundled, loadCsv, normalizeSymbol } from '../../replay/index.ts';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { rangeIndex, toMs } from '../../replay/time-range.ts';
import type { FeatureMatrix } from './config.ts';
import { buildFeatureMatrix, FeatureSet } from './features.ts';
import { WindowCopier } from './observation.ts';

export interface MarketData {
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly timeframeMs: number;
  /** Bars on the shared time axis. */
  readonly length: number;
  readonly time: Float64Array;
  /** One column per symbol. */
  readonly open: readonly Float64Array[];
  readonly high: readonly Float64Array[];
  readonly low: readonly Float64Array[];
  readonly close: readonly Float64Array[];
  /** Wilder ATR per symbol (NaN before it is defined); empty when no ATR-based exit is configured. */
  readonly atr: readonly Float64Array[];
  /** First bar where every ATR column is defined (0 without ATR exits): no entry is taken without its stop. */
  readonly atrWarmup: number;
  /** Concatenated features of all symbols: T × numFeatures (featureSet.values). */
  readonly features: Float32Array;
  /** The features and their window views: the caller's or the frame's own set (one symbol), else this data's own. */
  readonly featureSet: FeatureSet;
  readonly featureNames: readonly string[];
  readonly numFeatures: number;
  readonly featureWarmup: number;
  readonly specHash: string | null;
  /** Episodes use bars [rangeStart, rangeEnd). */
  readonly rangeStart: number;
  readonly rangeEnd: number;
  readonly frames: readonly MarketFrame[];
  /** Prices packed by bar: row t = [time, then open, high, low, close per symbol]; built on the first call, then kept. */
  packedBars(): Float64Array;
  /** Copies feature windows of `windowSize` rows, reading the FeatureSet's views (built on first use per size). */
  windowCopier(windowSize: number): WindowCopier;
}

export interface DataKwargs {
  timeframe?: string | undefined;
  range?: string | undefined;
  features?: unknown;
}

const SPLITS = ['train', 'validation', 'val', 'test'];

export function isPostgresUrl(data: unknown): data is string {
  return typeof data === 'string' && /^postgres(ql)?:\/\//i.test(data);
}

/** Loads one symbol from 'bundled', a CSV path, or refuses a PostgreSQL URL (async: see prepareTradingKwargs). */
export function loadFrame(data: string, symbol: string | undefined, timeframe: string | undefined): MarketFrame {
  if (data === 'bundled') return loadBundled({ symbol, timeframe });
  if (isPostgresUrl(data)) {
    throw new InvalidArgumentError(
      `data: a PostgreSQL URL is read asynchronously; call 'await prepareTradingKwargs(kwargs)' (envs/trading/index.ts) first, ` +
        `which loads the frame and passes it as 'frame' (the server, backtest and train commands do this for you)`,
    );
  }
  if (!existsSync(data)) {
    throw new InvalidArgumentError(`data: '${data}' is neither 'bundled', an existing CSV file, nor a postgres:// URL`);
  }
  return loadCsv(data, { symbol, timeframe });
}

/** Index range [start, end) of the bars a `range` kwarg selects. */
export function resolveRange(frame: MarketFrame, range: string | undefined): [number, number] {
  const n = frame.length;
  if (range === undefined || range === '' || range === 'all') return [0, n];
  if (SPLITS.includes(range)) {
    const s = chronologicalSplit(frame);
    const a = s.train.length;
    const b = a + s.validation.length;
    return range === 'train' ? [0, a] : range === 'test' ? [b, n] : [a, b];
  }
  const m = /^(.*)\.\.(.*)$/.exec(range);
  if (m === null) {
    throw new InvalidArgumentError(
      `range: '${range}' is neither 'from..to' (ISO times, e.g. 2019-01-01..2019-07-01; either side may be empty) nor a split name (${SPLITS.join(', ')})`,
    );
  }
  const from = m[1]!.trim() === '' ? -Infinity : toMs(m[1]!.trim(), 'range start');
  const to = m[2]!.trim() === '' ? Infinity : toMs(m[2]!.trim(), 'range end');
  if (!(from < to)) throw new InvalidArgumentError(`range: start must be before end (got '${range}')`);
  return rangeIndex(frame.time, from, to);
}

function checkMatrix(m: FeatureMatrix, frame: MarketFrame, what: string): void {
  const F = m.names.length;
  if (F === 0) throw new InvalidArgumentError(`${what}: the feature matrix has no columns`);
  if (m.values.length !== frame.length * F) {
    throw new InvalidArgumentError(
      `${what}: ${m.values.length} values do not make ${frame.length} rows (the frame's bars) × ${F} columns (its names): build the matrix from the same frame`,
    );
  }
  if (!Number.isInteger(m.warmup) || m.warmup < 0)
    throw new InvalidArgumentError(`${what}: warmup must be a non-negative integer (got ${m.warmup})`);
  // Observations must never carry NaN/Inf silently: every row an episode can see (≥ warmup) is checked once.
  const v = m.values;
  for (let k = m.warmup * F; k < v.length; k++) {
    const x = v[k]!;
    if (!(x > -Infinity && x < Infinity)) {
      const row = Math.floor(k / F);
      throw new InvalidArgumentError(
        `${what}: value ${x} in row ${row} (${new Date(frame.time[row]!).toISOString()}), column '${m.names[k % F]}', after the warm-up (${m.warmup}): fix the features or raise warmup`,
      );
    }
  }
}

/** A frame passed in by the caller: prices finite and > 0, high ≥ low, times strictly ascending (replay's loaders guarantee it). */
function checkFrame(f: MarketFrame, what: string): void {
  const { open, high, low, close, time } = f;
  for (let t = 0; t < f.length; t++) {
    const o = open[t]!,
      h = high[t]!,
      l = low[t]!,
      c = close[t]!;
    if (
      !(o > 0 && h > 0 && l > 0 && c > 0 && o < Infinity && h < Infinity && c < Infinity) ||
      h < l ||
      (t > 0 && !(time[t]! > time[t - 1]!))
    ) {
      throw new InvalidArgumentError(
        `${what}: bar ${t} (${Number.isFinite(time[t]!) ? new Date(time[t]!).toISOString() : time[t]}) is not a valid bar (open ${o}, high ${h}, low ${l}, close ${c}; ` +
          `times must ascend): clean the data (replay's loaders do this) before making an env`,
      );
    }
  }
}

/** Wilder ATR of the frame (NaN before it is defined). */
function atrSeries(frame: MarketFrame, period: number): Float64Array {
  const a = new Atr(period);
  const out = new Float64Array(frame.length);
  for (let t = 0; t < frame.length; t++) {
    const v = a.update(frame.high[t]!, frame.low[t]!, frame.close[t]!);
    out[t] = a.ready ? v : NaN;
  }
  return out;
}

/** The bars of all symbols interleaved by time: one cache line per bar and symbol for the stepping loop. */
function packBars(d: MarketData): Float64Array {
  const S = d.symbols.length;
  const R = 1 + 4 * S;
  const out = new Float64Array(d.length * R);
  for (let t = 0; t < d.length; t++) {
    out[t * R] = d.time[t]!;
    for (let s = 0; s < S; s++) {
      const q = t * R + 1 + 4 * s;
      out[q] = d.open[s]![t]!;
      out[q + 1] = d.high[s]![t]!;
      out[q + 2] = d.low[s]![t]!;
      out[q + 3] = d.close[s]![t]!;
    }
  }
  return out;
}

/** Frames of several symbols on their common bar times (copies only when the time axes differ). */
function align(frames: readonly MarketFrame[]): MarketFrame[] {
  const tf = frames[0]!.timeframeMs;
  for (const f of frames) {
    if (f.timeframeMs !== tf)
      throw new InvalidArgumentError(
        `frames: all symbols must share one timeframe (${frames[0]!.symbol} is ${frames[0]!.timeframe}, ${f.symbol} is ${f.timeframe})`,
      );
  }
  const same = frames.every((f) => f.length === frames[0]!.length && f.time.every((t, i) => t === frames[0]!.time[i]));
  if (same) return [...frames];
  let common = new Set<number>(frames[0]!.time);
  for (const f of frames.slice(1)) common = new Set(Array.from(f.time).filter((t) => common.has(t)));
  const times = Float64Array.from([...common].sort((a, b) => a - b));
  if (times.length === 0)
    throw new InvalidArgumentError(
      `frames: the symbols ${frames.map((f) => f.symbol).join(', ')} have no bar time in common`,
    );
  return frames.map((f) => {
    const idx = new Int32Array(times.length);
    let j = 0;
    for (let i = 0; i < times.length; i++) {
      while (f.time[j]! < times[i]!) j++;
      idx[i] = j;
    }
    const pick = (c: Float64Array): Float64Array => Float64Array.from(idx, (k) => c[k]!);
    return {
      symbol: f.symbol,
      timeframe: f.timeframe,
      timeframeMs: f.timeframeMs,
      length: times.length,
      time: times,
      open: pick(f.open),
      high: pick(f.high),
      low: pick(f.low),
      close: pick(f.close),
      volume: pick(f.volume),
      ...(f.filled === undefined ? {} : { filled: Uint8Array.from(idx, (k) => f.filled![k]!) }),
    };
  });
}

export interface ResolveOptions {
  windowSize: number;
  atrPeriod: number | null;
  /** Steps one episode needs (null: at least one). */
  episodeLength: number | null;
  /** Bars per step (default 1): an episode of L steps spans L × decisionInterval bars. */
  decisionInterval?: number;
  /** Precomputed matrices, one per frame. */
  matrices?: readonly FeatureMatrix[] | undefined;
}

/** Builds the MarketData of one or more frames: features, ATR, range; checks that an episode fits. */
export function resolveMarketData(
  inputFrames: readonly MarketFrame[],
  kw: DataKwargs,
  opts: ResolveOptions,
): MarketData {
  inputFrames.forEach((f, k) =>
    checkFrame(f, inputFrames.length > 1 ? `frames[${k}] (${f.symbol})` : `frame (${f.symbol})`),
  );
  const frames = align(inputFrames);
  const ref = frames[0]!;
  const matrices = frames.map((f, k) => {
    const given = opts.matrices?.[k];
    if (given !== undefined) {
      if (frames[k] !== inputFrames[k])
        throw new InvalidArgumentError(
          'featureMatrices: frames with different bar times cannot use precomputed matrices; pass aligned frames',
        );
      checkMatrix(given, f, opts.matrices!.length > 1 ? `featureMatrices[${k}]` : 'featureMatrix');
      return given;
    }
    return buildFeatureMatrix(f, kw.features);
  });
  const S = frames.length;
  const T = ref.length;
  const F = matrices.reduce((s, m) => s + m.names.length, 0);
  let features: Float32Array;
  if (S === 1) features = matrices[0]!.values;
  else {
    features = new Float32Array(T * F);
    let off = 0;
    for (const m of matrices) {
      const Fm = m.names.length;
      for (let t = 0; t < T; t++) features.set(m.values.subarray(t * Fm, (t + 1) * Fm), t * F + off);
      off += Fm;
    }
  }
  const names =
    S === 1
      ? [...matrices[0]!.names]
      : matrices.flatMap((m, k) => m.names.map((n) => `${normalizeSymbol(frames[k]!.symbol)}:${n}`));
  const warmup = Math.max(...matrices.map((m) => m.warmup));
  const [rangeStart, rangeEnd] = resolveRange(ref, kw.range);
  const atr = opts.atrPeriod === null ? [] : frames.map((f) => atrSeries(f, opts.atrPeriod!));
  const featureSet =
    S === 1 ? FeatureSet.of(matrices[0]!) : new FeatureSet({ values: features, names, warmup, specHash: undefined });
  let packed: Float64Array | null = null;
  const data: MarketData = {
    symbols: frames.map((f) => f.symbol),
    timeframe: ref.timeframe,
    timeframeMs: ref.timeframeMs,
    length: T,
    time: ref.time,
    open: frames.map((f) => f.open),
    high: frames.map((f) => f.high),
    low: frames.map((f) => f.low),
    close: frames.map((f) => f.close),
    atr,
    atrWarmup: Math.max(
      0,
      ...atr.map((a) => {
        const k = a.findIndex((v) => v > 0);
        return k < 0 ? a.length : k;
      }),
    ),
    features,
    featureSet,
    featureNames: names,
    numFeatures: F,
    featureWarmup: warmup,
    specHash: matrices[0]!.specHash ?? null,
    rangeStart,
    rangeEnd,
    frames,
    packedBars: () => {
      packed ??= packBars(data);
      return packed;
    },
    windowCopier: (w) => new WindowCopier(features, F, w, featureSet.windowViews(w)),
  };
  const first = firstDecisionBar(data, opts.windowSize);
  const k = opts.decisionInterval ?? 1;
  const need = opts.episodeLength === null ? 2 : opts.episodeLength * k + 1;
  if (rangeEnd - first < need) {
    const have = Math.max(0, rangeEnd - first);
    throw new InvalidArgumentError(
      `range: too short for one episode: the range ${kw.range ?? '(all data)'} has ${rangeEnd - rangeStart} bars of ${ref.symbol} ${ref.timeframe}; ` +
        `the first decision needs ${warmup} warm-up bar(s) of the features and ${opts.windowSize - 1} more for the window` +
        `${data.atrWarmup > 0 ? ` (the stops' ATR is defined from bar ${data.atrWarmup})` : ''}: bar ${first}, ` +
        `leaving ${have}, but an episode of ${opts.episodeLength ?? 1} step(s)${k > 1 ? ` of ${k} bars (decisionInterval)` : ''} needs ${need}: use a longer range, a shorter episodeLength${k > 1 ? ', a smaller decisionInterval' : ''} or a smaller windowSize`,
    );
  }
  return data;
}

/** First bar a decision can be taken at: features warm and a full window available, inside the range. */
export function firstDecisionBar(d: MarketData, windowSize: number): number {
  return Math.max(d.rangeStart, d.featureWarmup + windowSize - 1, d.atrWarmup);
}
