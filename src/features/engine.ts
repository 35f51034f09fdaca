// The one feature pipeline that both paths run: bar validation → base-timeframe features → closed higher-timeframe
// bars and their features → column selection → causal normalization → Float32 row. buildFeatures() (replay) and
// ObservationBuilder (live) are thin loops around step(), so the numbers agree by construction.
import { FeatureDataError, FeatureError, formatTime } from './errors.ts';
import { InputBar } from './input.ts';
import { RollingZScoreBank } from './rolling-zscore-bank.ts';
import type { BuildContext, FeatureState } from './feature-def.ts';
import { getFeatureDef } from './registry.ts';
import { parseFeatureSpec, specHash, type FeatureSpec, type FeatureSpecInput } from './spec.ts';
import { Shared } from './shared.ts';
import { HigherTimeframeAggregator, parseTimeframe, timeframeLabel } from './timeframe.ts';

/** What one column of the matrix is. */
export interface ColumnInfo {
  name: string;
  feature: string;
  output: string;
  /** Timeframe the feature runs on, e.g. '1h'. */
  timeframe: string;
  normalized: boolean;
  /** Base rows before this column is valid (on data without gaps), normalization included. */
  warmup: number;
}

interface Lane {
  ms: number;
  shared: Map<string, Shared<unknown>>;
  agg: HigherTimeframeAggregator | null;
  states: FeatureState[];
  offsets: number[];
  values: Float64Array;
  valid: Uint8Array;
}

export interface EngineOptions {
  /** Bar length of the input data in ms. */
  baseTimeframeMs: number;
  /** Names of the extra input columns the data carries (MarketFrame.extra keys / LiveBar.extra keys). */
  extraColumns: readonly string[];
  /** false: skip normalization and emit raw feature values (to fit fixed stats). */
  normalize?: boolean;
}

export class FeatureEngine {
  readonly spec: FeatureSpec;
  readonly specHash: string;
  readonly columns: ColumnInfo[];
  readonly names: string[];
  /** Base rows before every column is valid on gap-free data (VPIN and gaps can make the real start later). */
  readonly warmup: number;
  /** Extra input columns the features read, in InputBar.x order. */
  readonly inputColumns: string[] = [];
  readonly bar: InputBar;
  /** Latest raw values, one per column (valid where rawValid). */
  readonly raw: Float64Array;
  /** Latest output row (normalized; 0 where not yet valid). */
  readonly row: Float32Array;
  /** 1 where the column of the latest row is valid (feature warmed up and normalization window full). */
  readonly valid: Uint8Array;
  /** Rows stepped so far. */
  count = 0;
  /** Whether every column of the latest row is valid. */
  ready = false;

  private readonly lanes: Lane[] = [];
  private readonly colLane: Int32Array;
  private readonly colIndex: Int32Array;
  private readonly colFeature: Int32Array;
  private readonly colNorm: Uint8Array;
  private readonly zbank: RollingZScoreBank | null;
  private readonly fixedMean: Float64Array;
  private readonly fixedStd: Float64Array;
  private readonly clip: number;
  private readonly method: 'none' | 'rolling_zscore' | 'fixed';
  private readonly emitters: ((b: InputBar) => void)[];
  private lastTime = -Infinity;

  constructor(specInput: FeatureSpec | FeatureSpecInput, opts: EngineOptions) {
    const spec = parseFeatureSpec(specInput);
    this.spec = spec;
    this.specHash = specHash(spec);
    const baseMs = opts.baseTimeframeMs;
    if (!(baseMs > 0)) throw new FeatureError(`base timeframe must be a positive number of ms, got ${baseMs}`);
    if (spec.base_timeframe !== undefined && parseTimeframe(spec.base_timeframe, 'base_timeframe') !== baseMs) {
      throw new FeatureError(
        `the spec's base_timeframe is ${spec.base_timeframe} but the data is ${timeframeLabel(baseMs)}: resample the data or change the spec`,
      );
    }
    const available = new Set(opts.extraColumns);
    const used = this.inputColumns;
    const normalizeOn = opts.normalize !== false;
    this.method = normalizeOn ? spec.normalization.method : 'none';

    const laneOf = (ms: number): Lane => {
      let l = this.lanes.find((x) => x.ms === ms);
      if (!l) {
        l = {
          ms,
          shared: new Map(),
          agg: null,
          states: [],
          offsets: [],
          values: new Float64Array(0),
          valid: new Uint8Array(0),
        };
        this.lanes.push(l);
      }
      return l;
    };
    laneOf(baseMs);

    const cols: ColumnInfo[] = [];
    const colSrc: { lane: Lane; feature: number; outIndex: number }[] = [];
    const laneWidth = new Map<Lane, number>();
    const ids = new Set<string>();
    spec.features.forEach((f, fi) => {
      const field = `features[${fi}]`;
      const d = getFeatureDef(f.feature, `${field}.feature`);
      const ms = f.timeframe !== undefined ? parseTimeframe(f.timeframe, `${field}.timeframe`) : baseMs;
      if (ms < baseMs || ms % baseMs !== 0) {
        throw new FeatureError(
          `${field}.timeframe: ${f.timeframe} is not a whole multiple of the data's timeframe ${timeframeLabel(baseMs)}: use the data's timeframe or a coarser multiple`,
        );
      }
      const lane = laneOf(ms);
      const ctx: BuildContext = {
        has: (name) => available.has(name),
        shared: <T>(key: string, make: () => T, step: (state: T, bar: InputBar) => void): Shared<T> => {
          let sh = lane.shared.get(key) as Shared<T> | undefined;
          if (!sh) {
            sh = new Shared(make(), step);
            lane.shared.set(key, sh as Shared<unknown>);
          }
          return sh;
        },
        column: (name) => {
          if (!available.has(name)) {
            const have = opts.extraColumns.length ? opts.extraColumns.join(', ') : 'none (candle-only data)';
            throw new FeatureError(
              `${field}: feature '${f.feature}' needs input column '${name}', which the data does not have (extra columns: ${have}); use trade/book data that carries it or drop the feature`,
            );
          }
          let i = used.indexOf(name);
          if (i < 0) i = used.push(name) - 1;
          return i;
        },
      };
      for (const c of d.inputs(f.params)) ctx.column(c);
      const state = d.create(f.params, ctx);
      const off = laneWidth.get(lane) ?? 0;
      const outs = d.outputs(f.params);
      laneWidth.set(lane, off + outs.length);
      lane.states.push(state);
      lane.offsets.push(off);
      const tfLabel = timeframeLabel(ms);
      const id =
        f.id ?? defaultId(f.feature, d.idParams, f.params, f.timeframe !== undefined && ms !== baseMs ? tfLabel : '');
      const selected = f.outputs ?? d.defaultOutputs(f.params);
      const ratio = ms / baseMs;
      const laneWarm = d.warmup(f.params);
      const baseWarm = ratio === 1 ? laneWarm : (laneWarm + 1) * ratio - 1;
      const norm = normalizeOn && spec.normalization.method !== 'none' && f.normalize === 'inherit';
      for (const o of selected) {
        const name = selected.length === 1 && o === 'value' ? id : `${id}_${o}`;
        if (ids.has(name))
          throw new FeatureError(`${field}: column '${name}' appears twice: give one of the entries an explicit "id"`);
        ids.add(name);
        const nw = norm && spec.normalization.method === 'rolling_zscore' ? spec.normalization.window - 1 : 0;
        cols.push({ name, feature: f.feature, output: o, timeframe: tfLabel, normalized: norm, warmup: baseWarm + nw });
        colSrc.push({ lane, feature: lane.states.length - 1, outIndex: off + outs.indexOf(o) });
      }
    });

    for (const l of this.lanes) {
      l.values = new Float64Array(laneWidth.get(l) ?? 0).fill(NaN);
      l.valid = new Uint8Array(l.states.length);
      if (l.ms !== baseMs) l.agg = new HigherTimeframeAggregator(l.ms, used);
    }
    this.bar = new InputBar(used.length);
    this.bar.durationMs = baseMs;
    this.columns = cols;
    this.names = cols.map((c) => c.name);
    this.warmup = cols.reduce((m, c) => Math.max(m, c.warmup), 0);
    const F = cols.length;
    this.raw = new Float64Array(F);
    this.row = new Float32Array(F);
    this.valid = new Uint8Array(F);
    this.colLane = Int32Array.from(colSrc, (s) => this.lanes.indexOf(s.lane));
    this.colIndex = Int32Array.from(colSrc, (s) => s.outIndex);
    this.colFeature = Int32Array.from(colSrc, (s) => s.feature);
    this.colNorm = Uint8Array.from(cols, (c) => (c.normalized ? 1 : 0));
    const n = spec.normalization;
    this.clip = n.method === 'none' ? Infinity : n.clip;
    this.zbank =
      this.method === 'rolling_zscore' && n.method === 'rolling_zscore' ? new RollingZScoreBank(F, n.window) : null;
    this.fixedMean = new Float64Array(F);
    this.fixedStd = new Float64Array(F).fill(1);
    if (this.method === 'fixed' && n.method === 'fixed') {
      cols.forEach((c, i) => {
        if (!c.normalized) return;
        const s = n.stats[c.name];
        if (!s)
          throw new FeatureError(
            `normalization.stats: no mean/std for column '${c.name}': refit the stats for this spec (fitNormalization)`,
          );
        this.fixedMean[i] = s.mean;
        this.fixedStd[i] = s.std;
      });
    }
    this.emitters = this.lanes.map((l) => (b: InputBar) => this.runLane(l, b));
  }

  private runLane(l: Lane, b: InputBar): void {
    const st = l.states;
    for (let i = 0; i < st.length; i++) l.valid[i] = st[i]!.update(b, l.values, l.offsets[i]!) ? 1 : 0;
  }

  private validate(b: InputBar): void {
    const t = b.time;
    if (!Number.isFinite(t)) throw new FeatureDataError(t, `bar ${this.count}: time is ${t}`);
    if (t <= this.lastTime) {
      throw new FeatureDataError(
        t,
        `bar ${this.count}: time is not after the previous bar's ${formatTime(this.lastTime)}: bars must be strictly ascending`,
      );
    }
    const o = b.open,
      h = b.high,
      l = b.low,
      c = b.close,
      v = b.volume;
    // One comparison chain catches NaN and ±Inf in every field (NaN fails every comparison).
    if (
      !(
        o > -Infinity &&
        o < Infinity &&
        h > -Infinity &&
        h < Infinity &&
        l > -Infinity &&
        l < Infinity &&
        c > -Infinity &&
        c < Infinity &&
        v >= 0 &&
        v < Infinity
      )
    ) {
      throw new FeatureDataError(
        t,
        `bar ${this.count}: non-finite or negative input (open ${o}, high ${h}, low ${l}, close ${c}, volume ${v}): clean or drop the bar before computing features`,
      );
    }
    if (!(c > 0 && o > 0 && l > 0))
      throw new FeatureDataError(t, `bar ${this.count}: prices must be positive (open ${o}, low ${l}, close ${c})`);
    if (h < l) throw new FeatureDataError(t, `bar ${this.count}: high ${h} is below low ${l}`);
    const x = b.x;
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      if (!(xi > -Infinity && xi < Infinity)) {
        throw new FeatureDataError(
          t,
          `bar ${this.count}: input column '${this.inputColumns[i]}' is ${xi}: fill or drop the bar`,
        );
      }
    }
  }

  /** Consumes this.bar (filled by the caller); updates raw/row/ready. */
  step(): void {
    const b = this.bar;
    this.validate(b);
    this.lastTime = b.time;
    b.seq++;
    const lanes = this.lanes;
    for (let li = 0; li < lanes.length; li++) {
      const l = lanes[li]!;
      if (l.agg === null) this.runLane(l, b);
      else l.agg.push(b, this.emitters[li]!);
    }
    const F = this.raw.length;
    const method = this.method;
    let all = true;
    for (let c = 0; c < F; c++) {
      const l = lanes[this.colLane[c]!]!;
      const ok = l.valid[this.colFeature[c]!] === 1;
      if (!ok) {
        this.raw[c] = NaN;
        this.row[c] = 0;
        this.valid[c] = 0;
        all = false;
        continue;
      }
      const x = l.values[this.colIndex[c]!]!;
      if (!(x > -Infinity && x < Infinity)) {
        throw new FeatureError(
          `column '${this.names[c]}' computed ${x} at bar ${this.count} (${formatTime(b.time)}): the input there is degenerate for this feature`,
        );
      }
      this.raw[c] = x;
      this.valid[c] = 1;
      if (method === 'none' || this.colNorm[c] === 0) {
        this.row[c] = x;
        continue;
      }
      let z: number;
      if (method === 'rolling_zscore') {
        z = this.zbank!.push(c, x);
        if (z !== z) {
          this.row[c] = 0;
          this.valid[c] = 0;
          all = false;
          continue;
        }
      } else {
        z = (x - this.fixedMean[c]!) / this.fixedStd[c]!;
      }
      this.row[c] = z > this.clip ? this.clip : z < -this.clip ? -this.clip : z;
    }
    this.ready = all;
    this.count++;
  }
}

function defaultId(feature: string, idParams: readonly string[], params: Record<string, unknown>, tf: string): string {
  const parts = [feature];
  for (const k of idParams) {
    const v = params[k];
    parts.push(Array.isArray(v) ? v.join('-') : String(v));
  }
  if (tf) parts.push(tf);
  return parts.join('_');
}
