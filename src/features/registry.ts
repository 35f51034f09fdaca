// Every feature the spec can name: its parameters (zod, with ranges), its outputs, the input columns it needs, its
// warm-up, and a factory for its incremental state. The batch and live paths both run these states.
import { z } from 'zod';
import { FeatureDataError, FeatureError } from './errors.ts';
import { bookColumn, type InputBar, TRADE_COLUMNS } from './input.ts';
import { Adx } from './indicators/adx.ts';
import { Atr } from './indicators/atr.ts';
import { Bollinger } from './indicators/bollinger.ts';
import { depthImbalance, microprice, mid, spreadBps } from './indicators/book.ts';
import { Choppiness } from './indicators/choppiness.ts';
import { Macd } from './indicators/macd.ts';
import { alignmentScore } from './indicators/ma-alignment.ts';
import { Ema, Sma } from './indicators/moving-averages.ts';
import { Obv } from './indicators/obv.ts';
import { regimeLabel, regimeScore } from './indicators/regime.ts';
import { MultiHorizonReturns } from './indicators/returns.ts';
import { Rsi } from './indicators/rsi.ts';
import { Stochastic } from './indicators/stochastic.ts';
import { VolumeImbalance, Vpin } from './indicators/trade-flow.ts';
import { LogReturnVolatility } from './indicators/volatility.ts';
import { VolumeSpike } from './indicators/volume-spike.ts';
import { Vwap } from './indicators/vwap.ts';
import { RollingZScore } from './indicators/zscore.ts';
import type { Shared } from './shared.ts';

/** One feature's running state: reads a bar, writes every output at out[offset…], says whether they are valid. */
export interface FeatureState {
  update(bar: InputBar, out: Float64Array, offset: number): boolean;
}

/** Resolves a named extra input column to its index in InputBar.x; throws FEATURE_ERROR when the data lacks it. */
export interface BuildContext {
  column(name: string): number;
  /** Whether the data has this extra column (for optional inputs such as sentiment). */
  has(name: string): boolean;
  /** The lane's one state for `key` (made on first request), stepped once per bar by whichever feature reads it first. */
  shared<T>(key: string, make: () => T, step: (state: T, bar: InputBar) => void): Shared<T>;
}

// Shared states: the same key always means the same indicator on the same input.
const sharedEma = (ctx: BuildContext, p: number) =>
  ctx.shared(
    `ema:${p}`,
    () => new Ema(p),
    (e, b) => {
      e.update(b.close);
    },
  );
const sharedSma = (ctx: BuildContext, p: number) =>
  ctx.shared(
    `sma:${p}`,
    () => new Sma(p),
    (e, b) => {
      e.update(b.close);
    },
  );
const sharedRsi = (ctx: BuildContext, p: number) =>
  ctx.shared(
    `rsi:${p}`,
    () => new Rsi(p),
    (r, b) => {
      r.update(b.close);
    },
  );
const sharedAtr = (ctx: BuildContext, p: number) =>
  ctx.shared(
    `atr:${p}`,
    () => new Atr(p),
    (a, b) => {
      a.update(b.high, b.low, b.close);
    },
  );
const sharedAdx = (ctx: BuildContext, p: number) =>
  ctx.shared(
    `adx:${p}`,
    () => new Adx(p),
    (a, b) => {
      a.update(b.high, b.low, b.close);
    },
  );
const sharedChop = (ctx: BuildContext, p: number) =>
  ctx.shared(
    `chop:${p}`,
    () => new Choppiness(p),
    (c, b) => {
      c.update(b.high, b.low, b.close);
    },
  );
const sharedVolSpike = (ctx: BuildContext, p: number) =>
  ctx.shared(
    `volume_spike:${p}`,
    () => new VolumeSpike(p),
    (v, b) => {
      v.update(b.volume);
    },
  );

/** EMAs of increasing periods with the close in front, for the MA alignment score. */
function alignment(ctx: BuildContext, periods: readonly number[]) {
  const emas = periods.map((q) => sharedEma(ctx, q));
  const seq = new Float64Array(periods.length + 1);
  const slowest = emas[emas.length - 1]!;
  return {
    score(b: InputBar): number {
      seq[0] = b.close;
      for (let i = 0; i < emas.length; i++) seq[i + 1] = emas[i]!.sync(b).value;
      return alignmentScore(seq);
    },
    ready: () => slowest.state.ready,
  };
}

export interface FeatureDef<P = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly params: z.ZodType<P>;
  /** Params that go into the default column id, in order. */
  readonly idParams: readonly string[];
  outputs(p: P): readonly string[];
  defaultOutputs(p: P): readonly string[];
  /** Bars of its own timeframe before the first valid value (on data without gaps). */
  warmup(p: P): number;
  /** Extra input columns it reads (FEATURE_ERROR when missing). */
  inputs(p: P): readonly string[];
  create(p: P, ctx: BuildContext): FeatureState;
}

const int = (min: number, max = 100_000) => z.number().int().min(min).max(max);
const period = (def: number, min = 2) => int(min).default(def);

function def<S extends z.ZodType>(
  d: Omit<FeatureDef<z.output<S>>, 'params'> & { params: S },
): FeatureDef<Record<string, unknown>> {
  return d as unknown as FeatureDef<Record<string, unknown>>;
}

const P = z.object;

const priceAndDist = (
  name: string,
  description: string,
  make: (ctx: BuildContext, p: number) => { sync(b: InputBar): Sma | Ema },
) =>
  def({
    name,
    description,
    params: P({ period: period(20, 1) }).strict(),
    idParams: ['period'],
    outputs: () => ['value', 'dist'],
    defaultOutputs: () => ['dist'],
    warmup: (p) => p.period - 1,
    inputs: () => [],
    create: (p, ctx) => {
      const sh = make(ctx, p.period);
      return {
        update(b, out, o) {
          const ma = sh.sync(b);
          const v = ma.value;
          out[o] = v;
          out[o + 1] = b.close / v - 1;
          return ma.ready;
        },
      };
    },
  });

const bookLevelCheck = (b: InputBar, bid: number, ask: number): void => {
  if (!(bid > 0 && ask >= bid)) {
    throw new FeatureDataError(
      b.time,
      `order book input is not a valid book: best bid ${bid}, best ask ${ask} (need 0 < bid ≤ ask)`,
    );
  }
};

const DEFS: FeatureDef[] = [
  priceAndDist('sma', 'simple moving average of close; dist = close / SMA − 1', sharedSma),
  priceAndDist(
    'ema',
    'exponential moving average of close (seeded with the first close); dist = close / EMA − 1',
    sharedEma,
  ),
  def({
    name: 'rsi',
    description: 'relative strength index, Wilder smoothing, 0..100',
    params: P({ period: period(14) }).strict(),
    idParams: ['period'],
    outputs: () => ['value'],
    defaultOutputs: () => ['value'],
    warmup: (p) => p.period,
    inputs: () => [],
    create: (p, ctx) => {
      const sh = sharedRsi(ctx, p.period);
      return {
        update(b, out, o) {
          const r = sh.sync(b);
          out[o] = r.value;
          return r.ready;
        },
      };
    },
  }),
  def({
    name: 'atr',
    description: 'average true range (Wilder); pct = ATR / close',
    params: P({ period: period(14, 1) }).strict(),
    idParams: ['period'],
    outputs: () => ['value', 'pct'],
    defaultOutputs: () => ['pct'],
    warmup: (p) => p.period - 1,
    inputs: () => [],
    create: (p, ctx) => {
      const sh = sharedAtr(ctx, p.period);
      return {
        update(b, out, o) {
          const a = sh.sync(b);
          const v = a.value;
          out[o] = v;
          out[o + 1] = v / b.close;
          return a.ready;
        },
      };
    },
  }),
  def({
    name: 'bbands',
    description: 'Bollinger bands (SMA ± k population std); pctb = %B, width = (upper − lower) / middle',
    params: P({ period: period(20), k: z.number().gt(0).max(10).default(2) }).strict(),
    idParams: ['period', 'k'],
    outputs: () => ['middle', 'upper', 'lower', 'pctb', 'width'],
    defaultOutputs: () => ['pctb', 'width'],
    warmup: (p) => p.period - 1,
    inputs: () => [],
    create: (p) => {
      const bb = new Bollinger(p.period, p.k);
      return {
        update(b, out, o) {
          bb.update(b.close);
          out[o] = bb.middle;
          out[o + 1] = bb.upper;
          out[o + 2] = bb.lower;
          out[o + 3] = bb.percentB;
          out[o + 4] = bb.width;
          return bb.ready;
        },
      };
    },
  }),
  def({
    name: 'macd',
    description: 'MACD = EMA(fast) − EMA(slow), signal EMA, histogram; hist_pct = histogram / close · 100',
    params: P({ fast: period(12, 1), slow: period(26), signal: period(9, 1) })
      .strict()
      .refine((p) => p.fast < p.slow, { message: 'fast must be smaller than slow', path: ['fast'] }),
    idParams: ['fast', 'slow', 'signal'],
    outputs: () => ['macd', 'signal', 'hist', 'hist_pct'],
    defaultOutputs: () => ['macd', 'signal', 'hist'],
    warmup: (p) => p.slow - 1 + p.signal - 1,
    inputs: () => [],
    create: (p) => {
      const m = new Macd(p.fast, p.slow, p.signal);
      return {
        update(b, out, o) {
          m.update(b.close);
          out[o] = m.macd;
          out[o + 1] = m.signal;
          out[o + 2] = m.histogram;
          out[o + 3] = (m.histogram / b.close) * 100;
          return m.ready;
        },
      };
    },
  }),
  def({
    name: 'adx',
    description: 'average directional index with +DI and −DI (Wilder), 0..100',
    params: P({ period: period(14) }).strict(),
    idParams: ['period'],
    outputs: () => ['adx', 'plus_di', 'minus_di'],
    defaultOutputs: () => ['adx', 'plus_di', 'minus_di'],
    warmup: (p) => 2 * p.period - 2,
    inputs: () => [],
    create: (p, ctx) => {
      const sh = sharedAdx(ctx, p.period);
      return {
        update(b, out, o) {
          const a = sh.sync(b);
          out[o] = a.value;
          out[o + 1] = a.plusDi;
          out[o + 2] = a.minusDi;
          return a.ready;
        },
      };
    },
  }),
  def({
    name: 'chop',
    description: 'choppiness index (0..100; > 61.8 choppy, < 38.2 trending)',
    params: P({ period: period(14) }).strict(),
    idParams: ['period'],
    outputs: () => ['value'],
    defaultOutputs: () => ['value'],
    warmup: (p) => p.period,
    inputs: () => [],
    create: (p, ctx) => {
      const sh = sharedChop(ctx, p.period);
      return {
        update(b, out, o) {
          const c = sh.sync(b);
          out[o] = c.value;
          return c.ready;
        },
      };
    },
  }),
  def({
    name: 'stoch',
    description: 'slow stochastic oscillator %K and %D, 0..100',
    params: P({ k_period: period(14, 1), slowing: period(3, 1), d_period: period(3, 1) }).strict(),
    idParams: ['k_period', 'slowing', 'd_period'],
    outputs: () => ['k', 'd'],
    defaultOutputs: () => ['k', 'd'],
    warmup: (p) => p.k_period - 1 + p.slowing - 1 + p.d_period - 1,
    inputs: () => [],
    create: (p) => {
      const s = new Stochastic(p.k_period, p.slowing, p.d_period);
      return {
        update(b, out, o) {
          s.update(b.high, b.low, b.close);
          out[o] = s.k;
          out[o + 1] = s.d;
          return s.ready;
        },
      };
    },
  }),
  def({
    name: 'volatility',
    description: 'rolling sample std of one-bar log returns',
    params: P({ period: period(20) }).strict(),
    idParams: ['period'],
    outputs: () => ['value'],
    defaultOutputs: () => ['value'],
    warmup: (p) => p.period,
    inputs: () => [],
    create: (p) => {
      const v = new LogReturnVolatility(p.period);
      return {
        update(b, out, o) {
          out[o] = v.update(b.close);
          return v.ready;
        },
      };
    },
  }),
  def({
    name: 'zscore',
    description: 'rolling z-score of close or volume over the last n bars (current bar included)',
    params: P({ period: period(20), source: z.enum(['close', 'volume']).default('close') }).strict(),
    idParams: ['period'],
    outputs: () => ['value'],
    defaultOutputs: () => ['value'],
    warmup: (p) => p.period - 1,
    inputs: () => [],
    create: (p) => {
      const zs = new RollingZScore(p.period);
      const vol = p.source === 'volume';
      return {
        update(b, out, o) {
          out[o] = zs.update(vol ? b.volume : b.close);
          return zs.ready;
        },
      };
    },
  }),
  def({
    name: 'vwap',
    description: 'VWAP of the typical price over the last n bars (0 = since the first bar); dist = close / VWAP − 1',
    params: P({ period: int(0).default(20) }).strict(),
    idParams: ['period'],
    outputs: () => ['value', 'dist'],
    defaultOutputs: () => ['dist'],
    warmup: (p) => Math.max(0, p.period - 1),
    inputs: () => [],
    create: (p) => {
      const v = new Vwap(p.period);
      return {
        update(b, out, o) {
          const x = v.update(b.high, b.low, b.close, b.volume);
          out[o] = x;
          out[o + 1] = b.close / x - 1;
          return v.ready;
        },
      };
    },
  }),
  def({
    name: 'obv',
    description: 'on-balance volume (running total since the first bar)',
    params: P({}).strict(),
    idParams: [],
    outputs: () => ['value'],
    defaultOutputs: () => ['value'],
    warmup: () => 0,
    inputs: () => [],
    create: () => {
      const v = new Obv();
      return {
        update(b, out, o) {
          out[o] = v.update(b.close, b.volume);
          return true;
        },
      };
    },
  }),
  def({
    name: 'volume_spike',
    description: 'volume / mean volume of the last n bars',
    params: P({ period: period(20, 1) }).strict(),
    idParams: ['period'],
    outputs: () => ['value'],
    defaultOutputs: () => ['value'],
    warmup: (p) => p.period - 1,
    inputs: () => [],
    create: (p, ctx) => {
      const sh = sharedVolSpike(ctx, p.period);
      return {
        update(b, out, o) {
          const v = sh.sync(b);
          out[o] = v.value;
          return v.ready;
        },
      };
    },
  }),
  def({
    name: 'ma_alignment',
    description: 'alignment of close and EMAs of increasing period, −1 (bearish stack) .. +1 (bullish stack)',
    params: P({ periods: z.array(int(1)).min(1).max(8).default([9, 21, 50]) })
      .strict()
      .refine((p) => p.periods.every((x, i) => i === 0 || x > p.periods[i - 1]!), {
        message: 'periods must be strictly increasing',
        path: ['periods'],
      }),
    idParams: [],
    outputs: () => ['value'],
    defaultOutputs: () => ['value'],
    warmup: (p) => p.periods[p.periods.length - 1]! - 1,
    inputs: () => [],
    create: (p, ctx) => {
      const m = alignment(ctx, p.periods);
      return {
        update(b, out, o) {
          out[o] = m.score(b);
          return m.ready();
        },
      };
    },
  }),
  def({
    name: 'returns',
    description: 'log returns ln(close_t / close_{t−h}) for each horizon h',
    params: P({ horizons: z.array(int(1)).min(1).max(16).default([1, 5, 15, 60]) }).strict(),
    idParams: [],
    outputs: (p) => p.horizons.map((h) => `r${h}`),
    defaultOutputs: (p) => p.horizons.map((h) => `r${h}`),
    warmup: (p) => Math.max(...p.horizons),
    inputs: () => [],
    create: (p) => {
      const r = new MultiHorizonReturns(p.horizons);
      const n = p.horizons.length;
      return {
        update(b, out, o) {
          r.update(b.close);
          for (let i = 0; i < n; i++) out[o + i] = r.values[i]!;
          return r.ready;
        },
      };
    },
  }),
  def({
    name: 'volume_imbalance',
    description: `(buy − sell) / (buy + sell) aggressor volume over n bars; needs columns ${TRADE_COLUMNS.buy}, ${TRADE_COLUMNS.sell}`,
    params: P({ period: period(20, 1) }).strict(),
    idParams: ['period'],
    outputs: () => ['value'],
    defaultOutputs: () => ['value'],
    warmup: (p) => p.period - 1,
    inputs: () => [TRADE_COLUMNS.buy, TRADE_COLUMNS.sell],
    create: (p, ctx) => {
      const v = new VolumeImbalance(p.period);
      const bi = ctx.column(TRADE_COLUMNS.buy);
      const si = ctx.column(TRADE_COLUMNS.sell);
      return {
        update(b, out, o) {
          out[o] = v.update(b.x[bi]!, b.x[si]!);
          return v.ready;
        },
      };
    },
  }),
  def({
    name: 'vpin',
    description: `volume-synchronized probability of informed trading over n volume buckets; needs ${TRADE_COLUMNS.buy}, ${TRADE_COLUMNS.sell}; warm-up depends on traded volume`,
    params: P({ bucket_volume: z.number().gt(0), buckets: period(50, 1) }).strict(),
    idParams: ['bucket_volume', 'buckets'],
    outputs: () => ['value'],
    defaultOutputs: () => ['value'],
    warmup: () => 0,
    inputs: () => [TRADE_COLUMNS.buy, TRADE_COLUMNS.sell],
    create: (p, ctx) => {
      const v = new Vpin(p.bucket_volume, p.buckets);
      const bi = ctx.column(TRADE_COLUMNS.buy);
      const si = ctx.column(TRADE_COLUMNS.sell);
      return {
        update(b, out, o) {
          const buy = b.x[bi]!;
          const sell = b.x[si]!;
          if ((buy + sell) / p.bucket_volume > 1e6) {
            throw new FeatureError(
              `vpin: bucket_volume ${p.bucket_volume} is too small for a bar with volume ${buy + sell} (over a million buckets): raise bucket_volume`,
            );
          }
          out[o] = v.update(buy, sell);
          return v.ready;
        },
      };
    },
  }),
  def({
    name: 'spread',
    description: 'relative bid-ask spread in basis points; needs bid_px_1, ask_px_1',
    params: P({}).strict(),
    idParams: [],
    outputs: () => ['bps'],
    defaultOutputs: () => ['bps'],
    warmup: () => 0,
    inputs: () => [bookColumn('bid', 'px', 1), bookColumn('ask', 'px', 1)],
    create: (_p, ctx) => {
      const bi = ctx.column(bookColumn('bid', 'px', 1));
      const ai = ctx.column(bookColumn('ask', 'px', 1));
      return {
        update(b, out, o) {
          bookLevelCheck(b, b.x[bi]!, b.x[ai]!);
          out[o] = spreadBps(b.x[bi]!, b.x[ai]!);
          return true;
        },
      };
    },
  }),
  def({
    name: 'mid',
    description: 'mid price (bid + ask) / 2; dist = mid / close − 1; needs bid_px_1, ask_px_1',
    params: P({}).strict(),
    idParams: [],
    outputs: () => ['value', 'dist'],
    defaultOutputs: () => ['dist'],
    warmup: () => 0,
    inputs: () => [bookColumn('bid', 'px', 1), bookColumn('ask', 'px', 1)],
    create: (_p, ctx) => {
      const bi = ctx.column(bookColumn('bid', 'px', 1));
      const ai = ctx.column(bookColumn('ask', 'px', 1));
      return {
        update(b, out, o) {
          bookLevelCheck(b, b.x[bi]!, b.x[ai]!);
          const m = mid(b.x[bi]!, b.x[ai]!);
          out[o] = m;
          out[o + 1] = m / b.close - 1;
          return true;
        },
      };
    },
  }),
  def({
    name: 'microprice',
    description:
      'size-weighted microprice; dev_bps = (microprice − mid) / mid in bps; needs bid/ask px and sz at level 1',
    params: P({}).strict(),
    idParams: [],
    outputs: () => ['value', 'dev_bps'],
    defaultOutputs: () => ['dev_bps'],
    warmup: () => 0,
    inputs: () => ['bid_px_1', 'ask_px_1', 'bid_sz_1', 'ask_sz_1'],
    create: (_p, ctx) => {
      const [bp, ap, bs, as] = ['bid_px_1', 'ask_px_1', 'bid_sz_1', 'ask_sz_1'].map((c) => ctx.column(c)) as [
        number,
        number,
        number,
        number,
      ];
      return {
        update(b, out, o) {
          const bid = b.x[bp]!;
          const ask = b.x[ap]!;
          bookLevelCheck(b, bid, ask);
          const mp = microprice(bid, ask, b.x[bs]!, b.x[as]!);
          const m = mid(bid, ask);
          out[o] = mp;
          out[o + 1] = ((mp - m) / m) * 1e4;
          return true;
        },
      };
    },
  }),
  def({
    name: 'depth_imbalance',
    description: '(Σ bid size − Σ ask size) / Σ both over the first k levels; needs bid_sz_1..k, ask_sz_1..k',
    params: P({ levels: int(1, 100).default(5) }).strict(),
    idParams: ['levels'],
    outputs: () => ['value'],
    defaultOutputs: () => ['value'],
    warmup: () => 0,
    inputs: (p) =>
      Array.from({ length: p.levels }, (_, i) => [
        bookColumn('bid', 'sz', i + 1),
        bookColumn('ask', 'sz', i + 1),
      ]).flat(),
    create: (p, ctx) => {
      const bidIdx = Int32Array.from({ length: p.levels }, (_, i) => ctx.column(bookColumn('bid', 'sz', i + 1)));
      const askIdx = Int32Array.from({ length: p.levels }, (_, i) => ctx.column(bookColumn('ask', 'sz', i + 1)));
      const bids = new Float64Array(p.levels);
      const asks = new Float64Array(p.levels);
      return {
        update(b, out, o) {
          for (let i = 0; i < p.levels; i++) {
            bids[i] = b.x[bidIdx[i]!]!;
            asks[i] = b.x[askIdx[i]!]!;
          }
          out[o] = depthImbalance(bids, asks, p.levels);
          return true;
        },
      };
    },
  }),
  def({
    name: 'regime',
    description:
      'TG4 regime: weighted score of ADX 25%, choppiness 20%, MA alignment 20%, RSI 15%, volume 10%, sentiment 10% (optional column, renormalized when absent); label +1 bull / −1 bear / 0 sideways',
    params: P({
      adx_period: period(14),
      chop_period: period(14),
      ma_periods: z.array(int(1)).min(1).max(8).default([9, 21, 50]),
      rsi_period: period(14),
      volume_period: period(20, 1),
      threshold: z.number().gt(0).lt(1).default(0.25),
      sentiment: z.enum(['auto', 'off', 'required']).default('auto'),
      sentiment_column: z.string().min(1).default('sentiment'),
    })
      .strict()
      .refine((p) => p.ma_periods.every((x, i) => i === 0 || x > p.ma_periods[i - 1]!), {
        message: 'ma_periods must be strictly increasing',
        path: ['ma_periods'],
      }),
    idParams: [],
    outputs: () => ['score', 'label', 'bull', 'bear', 'sideways'],
    defaultOutputs: () => ['score', 'label'],
    warmup: (p) =>
      Math.max(
        2 * p.adx_period - 2,
        p.chop_period,
        p.ma_periods[p.ma_periods.length - 1]! - 1,
        p.rsi_period,
        p.volume_period - 1,
      ),
    inputs: (p) => (p.sentiment === 'required' ? [p.sentiment_column] : []),
    create: (p, ctx) => {
      const use = p.sentiment === 'required' || (p.sentiment === 'auto' && ctx.has(p.sentiment_column));
      const si = use ? ctx.column(p.sentiment_column) : -1;
      const adx = sharedAdx(ctx, p.adx_period);
      const chop = sharedChop(ctx, p.chop_period);
      const ma = alignment(ctx, p.ma_periods);
      const rsi = sharedRsi(ctx, p.rsi_period);
      const vol = sharedVolSpike(ctx, p.volume_period);
      return {
        update(b, out, o) {
          const a = adx.sync(b);
          const c = chop.sync(b);
          const r = rsi.sync(b);
          const v = vol.sync(b);
          const m = ma.score(b);
          const ready = a.ready && c.ready && r.ready && v.ready && ma.ready();
          if (ready) {
            const score = regimeScore(
              a.value,
              a.plusDi,
              a.minusDi,
              c.value,
              m,
              r.value,
              v.value,
              si >= 0 ? b.x[si]! : NaN,
              use,
            );
            const label = regimeLabel(score, p.threshold);
            out[o] = score;
            out[o + 1] = label;
            out[o + 2] = label === 1 ? 1 : 0;
            out[o + 3] = label === -1 ? 1 : 0;
            out[o + 4] = label === 0 ? 1 : 0;
          }
          return ready;
        },
      };
    },
  }),
];

const BY_NAME = new Map(DEFS.map((d) => [d.name, d]));

export function featureNames(): string[] {
  return DEFS.map((d) => d.name).sort();
}

export function getFeatureDef(name: string, field = 'feature'): FeatureDef {
  const d = BY_NAME.get(name);
  if (!d) throw new FeatureError(`${field}: unknown feature '${name}'; available: ${featureNames().join(', ')}`);
  return d;
}

export function listFeatures(): { name: string; description: string }[] {
  return DEFS.map((d) => ({ name: d.name, description: d.description })).sort((a, b) => a.name.localeCompare(b.name));
}
