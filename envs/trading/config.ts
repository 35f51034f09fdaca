// The trading envs' kwargs, validated with zod at construction so that a bad option fails before any training starts,
// with a message naming the option, what it got and what it accepts. Defaults are the bot's (shared/DESIGN.md).
import { z } from 'zod';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import type { SymbolParamsInput } from '../../src/execution/params.ts';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { FeatureSet } from './features.ts';
import type { RewardSpec } from './rewards/index.ts';

/** A precomputed feature matrix (what src/features builds): T × F row-major, row t uses bars ≤ t only. */
export interface FeatureMatrix {
  values: Float32Array;
  names: readonly string[];
  /** Rows before this index are not valid yet (indicator warm-up). */
  warmup: number;
  specHash?: string | undefined;
}

function isFrame(x: unknown): x is MarketFrame {
  const f = x as Partial<MarketFrame> | null;
  return (
    f !== null &&
    typeof f === 'object' &&
    f.close instanceof Float64Array &&
    f.open instanceof Float64Array &&
    typeof f.length === 'number'
  );
}
/** Also accepts src/features' own FeatureMatrix ({ matrix, names, warmup, specHash }); a FeatureSet is kept as is. */
function toFeatureMatrix(x: unknown): FeatureMatrix | null {
  if (x instanceof FeatureSet) return x; // the same object, so that envs sharing it share its window views
  const m = x as { values?: unknown; matrix?: unknown; names?: unknown; warmup?: unknown; specHash?: unknown } | null;
  if (m === null || typeof m !== 'object' || !Array.isArray(m.names) || typeof m.warmup !== 'number') return null;
  const values = m.values instanceof Float32Array ? m.values : m.matrix instanceof Float32Array ? m.matrix : null;
  if (values === null) return null;
  return {
    values,
    names: m.names as string[],
    warmup: m.warmup,
    specHash: typeof m.specHash === 'string' ? m.specHash : undefined,
  };
}
const featureMatrixSchema = z
  .custom<unknown>((x) => toFeatureMatrix(x) !== null, {
    message: 'expected a feature matrix { values | matrix: Float32Array, names: string[], warmup: number }',
  })
  .transform((x) => toFeatureMatrix(x)!);
function isRewardSpec(x: unknown): x is RewardSpec {
  return typeof x === 'string' || typeof x === 'function' || (x !== null && typeof x === 'object');
}

const nonNeg = z.number().min(0);
const multiple = z.number().positive().nullable();

export const executorSchema = z.strictObject({
  /** Quote currency the account starts with. */
  initialCapital: z.number().positive().default(10_000),
  /** Fee per side, fraction of notional (0.001 = 0.1%). */
  feeRate: nonNeg.max(0.1).default(0.001),
  /** Market-order slippage, fraction of the open, against the trader. */
  slippage: nonNeg.max(0.1).default(0.0005),
  maxLongLeverage: z.number().positive().max(100).default(1.5),
  maxShortLeverage: z.number().positive().max(100).default(2.0),
  maintenanceMarginRatio: nonNeg.lt(1).default(0.2),
  /** Rollover per 4 h on open notional (Kraken ≈ 0.0002); 0 = off. */
  rolloverRate: nonNeg.default(0),
  /** Stop-loss distance in ATR multiples from the entry fill; null = none. */
  stopLossAtr: multiple.default(null),
  /** Take-profit distance in ATR multiples; null = none. */
  takeProfitAtr: multiple.default(null),
  /** Close a position after this many bars; null = never. */
  maxHoldBars: z.number().int().positive().nullable().default(null),
  atrPeriod: z.number().int().min(1).max(1000).default(14),
});

const common = {
  /** 'bundled' (default), a CSV path (.csv / .csv.gz), or a postgres:// URL (load it first, see docs). */
  data: z.string().min(1).default('bundled'),
  timeframe: z.string().optional(),
  /** 'from..to' (ISO times, either side may be empty) or a split name: train, validation (val), test. */
  range: z.string().optional(),
  /** Feature spec for src/features (default: its default spec). */
  features: z.unknown().optional(),
  /** Rows of features per observation; default: the feature spec's `window` (32). */
  windowSize: z.number().int().min(1).max(4096).optional(),
  executor: executorSchema.default(executorSchema.parse({})),
  reward: z
    .custom<RewardSpec>(isRewardSpec, { message: 'expected a reward name, a function, or a weighted sum' })
    .default('log_return'),
  /** Steps per episode; null = to the end of the range. */
  episodeLength: z.number().int().positive().nullable().default(1000),
  /** 'random' (seeded, default), 'first' (first valid bar of the range), or a bar index of the frame. */
  start: z.union([z.literal('random'), z.literal('first'), z.number().int().nonnegative()]).default('random'),
  /** Terminate when equity ≤ ruinFraction × initial capital. */
  ruinFraction: z.number().min(0).lt(1).default(0.5),
  /** Terminate when the drawdown from the episode's peak reaches this fraction; null = off. */
  maxDrawdown: z.number().gt(0).max(1).nullable().default(null),
  /**
   * Bars per decision step: the agent acts every k bars (its order fills at the next bar's open) and the position is
   * held through the k−1 bars after, where stops, targets, max-hold and liquidation still run bar by bar and no new
   * order is placed. The step's reward is the sum of the k per-bar rewards; episodeLength counts decision steps.
   */
  decisionInterval: z.number().int().min(1).max(10_000).default(1),
  /** Bars after a position closes during which no new entry is allowed (also shown in action masks). */
  cooldownBars: z.number().int().min(0).default(0),
  /** time_in_trade in the observation = bars held / timeScale. */
  timeScale: z.number().positive().default(100),
  renderMode: z.enum(['ansi', 'svg']).nullable().default(null),
};

const frameSchema = z.custom<MarketFrame>(isFrame, { message: 'expected a MarketFrame (replay/market-frame.ts)' });

export const tradingSchema = z.strictObject({
  ...common,
  symbol: z.string().optional(),
  /** An already loaded frame (shared by many envs); overrides `data`. */
  frame: frameSchema.optional(),
  /** A precomputed feature matrix over `frame` (skips building features; server and agents share one). */
  featureMatrix: featureMatrixSchema.optional(),
  actionScheme: z.enum(['discrete3', 'discrete-sized', 'continuous']).default('discrete3'),
  /** Exposure levels of 'discrete-sized', each in [-1, 1] (× exposure). */
  levels: z.array(z.number()).min(2).optional(),
  /** Target exposure (notional / equity) of a full position. */
  exposure: z.number().positive().max(100).default(1),
  /** Continuous actions trade only when the target differs from the current exposure by more than this. */
  rebalanceThreshold: z.number().min(0).max(2).default(0.05),
});

export const portfolioSchema = z.strictObject({
  ...common,
  /** 'bundled' or a postgres:// URL (they hold every symbol), or one source per symbol: { 'BTC/USD': 'btc.csv', … }. */
  data: z.union([z.string().min(1), z.record(z.string().min(1), z.string().min(1))]).default('bundled'),
  symbols: z.array(z.string().min(1)).min(2).default(['BTC/USD', 'ETH/USD']),
  /** Already loaded frames, one per symbol (same timeframe); overrides `data`/`symbols`. */
  frames: z.array(frameSchema).min(2).optional(),
  /** Precomputed feature matrices, one per frame (skips building features). */
  featureMatrices: z.array(featureMatrixSchema).optional(),
  /** Cap on Σ|w|: larger target weight vectors are scaled down to it. */
  maxGrossExposure: z.number().positive().max(100).default(1),
  rebalanceThreshold: z.number().min(0).max(2).default(0.05),
});

export type ExecutorConfig = z.infer<typeof executorSchema>;

/** The kernel's per-symbol params an executor config trades under (the env's core and the live lane's executor). */
export function symbolParamsOf(ex: ExecutorConfig): SymbolParamsInput {
  return {
    feeRate: ex.feeRate,
    slippage: ex.slippage,
    maxLongLeverage: ex.maxLongLeverage,
    maxShortLeverage: ex.maxShortLeverage,
    maintenanceMarginRatio: ex.maintenanceMarginRatio,
    rolloverRate: ex.rolloverRate,
  };
}
export type TradingConfig = z.infer<typeof tradingSchema>;
export type PortfolioConfig = z.infer<typeof portfolioSchema>;
export type TradingKwargs = z.input<typeof tradingSchema>;
export type PortfolioKwargs = z.input<typeof portfolioSchema>;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  if (v instanceof Float32Array || v instanceof Float64Array) return `a ${v.constructor.name}(${v.length})`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function parseWith<S extends z.ZodType>(schema: S, envId: string, kwargs: unknown): z.infer<S> {
  const r = schema.safeParse(kwargs ?? {});
  if (r.success) return r.data;
  const accepted = Object.keys((schema as unknown as { shape: Record<string, unknown> }).shape).join(', ');
  const lines = r.error.issues.map((iss) => {
    const name = iss.path.map(String).join('.') || '(kwargs)';
    if (iss.code === 'unrecognized_keys') {
      const where = iss.path.length ? ` in '${name}'` : '';
      const valid = iss.path.length ? Object.keys(executorSchema.shape).join(', ') : accepted;
      return `unknown option${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `'${k}'`).join(', ')}${where}; accepted: ${valid}`;
    }
    return `option '${name}': ${iss.message} (got ${show(valueAt(kwargs, iss.path))})`;
  });
  throw new InvalidArgumentError(`${envId}: ${lines.join('; ')}`);
}

export function parseTradingConfig(kwargs: unknown): TradingConfig {
  return parseWith(tradingSchema, 'tg4/Trading-v0', kwargs);
}

export function parsePortfolioConfig(kwargs: unknown): PortfolioConfig {
  return parseWith(portfolioSchema, 'tg4/Portfolio-v0', kwargs);
}
