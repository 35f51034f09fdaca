// Look-ahead check for a user's own data, feature spec and reward (`tg4 check lookahead`): at many cut points c,
// perturb every bar after c (prices, volumes, every extra column), rebuild the features and replay the env with the
// same seeded actions on both frames. Anything at or before c that changes — a feature row ≤ c, an observation for a
// decision at a bar ≤ c, a reward for a step that ends at a bar ≤ c — read the future, and is reported by name.
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { buildFeatures, type FeatureMatrix, type FeatureSpecInput } from '../../src/features/index.ts';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { TradingEnv } from './trading-env.ts';

export interface LookaheadOptions {
  /** The data to check (bars after each cut are perturbed in a copy; this frame is never written). */
  frame: MarketFrame;
  /**
   * Trading env kwargs other than the data: features (a spec; default: the data timeframe's default), reward,
   * executor … Or a function of the frame, for a reward (or anything else) that reads the data it is run on.
   */
  env?: Record<string, unknown> | ((frame: MarketFrame) => Record<string, unknown>);
  /** A user's own feature pipeline, used instead of the spec (in-process use). */
  buildFeatures?: (frame: MarketFrame) => FeatureMatrix;
  /** Number of cut points (default 16), spread over the checkable bars, plus higher-timeframe bucket ends. */
  cuts?: number;
  /** Env steps replayed before each cut (default 48; a step spans decisionInterval bars). */
  stepsBefore?: number;
  /** Seeds the perturbations and the replayed actions (default 0). */
  seed?: number;
}

export interface Leak {
  /** Where the future showed up. */
  kind: 'feature' | 'observation' | 'reward';
  /** The feature column or observation element (e.g. 'rsi_14[t-2]'), or 'reward'. */
  name: string;
  /** The cut: bars after it were perturbed. */
  cut: number;
  cutTime: string;
  /** The bar whose value changed (≤ cut). */
  bar: number;
  barTime: string;
  original: number;
  perturbed: number;
}

export interface LookaheadReport {
  cuts: number[];
  featureNames: readonly string[];
  checked: { featureValues: number; observations: number; rewards: number };
  /** The first change per (kind, name, cut); `leakCount` counts every changed value. */
  leaks: Leak[];
  leakCount: number;
  /** Names that leaked, per kind: what to fix. */
  leakingNames: { feature: string[]; observation: string[]; reward: string[] };
  passed: boolean;
}

const MS = { '5m': 300_000, '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000 } as const;

function same(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

/** A copy of `frame` whose bars after `cut` are perturbed (prices scaled consistently, volumes and extras rescaled). */
export function perturbAfter(frame: MarketFrame, cut: number, seed: number): MarketFrame {
  const rng = new Rng(seed);
  const copy = (a: Float64Array): Float64Array => Float64Array.from(a);
  const open = copy(frame.open);
  const high = copy(frame.high);
  const low = copy(frame.low);
  const close = copy(frame.close);
  const volume = copy(frame.volume);
  const trades = frame.trades ? copy(frame.trades) : undefined;
  const vwap = frame.vwap ? copy(frame.vwap) : undefined;
  const extra: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(frame.extra ?? {})) extra[k] = copy(v);
  for (let i = cut + 1; i < frame.length; i++) {
    const k = 0.85 + 0.3 * rng.random();
    open[i]! *= k;
    close[i]! *= k * (0.98 + 0.04 * rng.random());
    high[i] = Math.max(high[i]! * k * 1.01, open[i]!, close[i]!);
    low[i] = Math.min(low[i]! * k * 0.99, open[i]!, close[i]!);
    volume[i]! *= 0.5 + rng.random();
    if (trades) trades[i] = Math.max(1, Math.round(trades[i]! * (0.5 + rng.random())));
    if (vwap) vwap[i] = low[i]! + (high[i]! - low[i]!) * rng.random();
    for (const col of Object.values(extra)) col[i] = col[i]! * (0.5 + rng.random()) + (rng.random() - 0.5) * 1e-3;
  }
  return {
    ...frame,
    open,
    high,
    low,
    close,
    volume,
    ...(trades ? { trades } : {}),
    ...(vwap ? { vwap } : {}),
    ...(frame.extra ? { extra } : {}),
  };
}

function cutPoints(frame: MarketFrame, first: number, count: number): number[] {
  const last = frame.length - 3;
  if (last <= first) {
    throw new InvalidArgumentError(
      `the data has ${frame.length} bars but the features need ${first} before the first checkable bar: use more data`,
    );
  }
  const cuts = new Set<number>();
  for (let k = 0; k < count; k++) cuts.add(Math.round(first + ((last - first) * (k + 0.5)) / count));
  // The last bar of each higher-timeframe bucket: where a multi-timeframe feature that used an unclosed bar would leak.
  for (const ms of Object.values(MS)) {
    if (ms <= frame.timeframeMs) continue;
    for (let i = Math.round((first + last) / 2); i <= last; i++) {
      if ((frame.time[i]! + frame.timeframeMs) % ms === 0) {
        cuts.add(i);
        break;
      }
    }
  }
  return [...cuts].sort((a, b) => a - b);
}

function matrixOf(frame: MarketFrame, opts: LookaheadOptions, spec: FeatureSpecInput | 'default'): FeatureMatrix {
  return opts.buildFeatures ? opts.buildFeatures(frame) : buildFeatures(frame, spec);
}

/** Runs the check; see the file comment. Throws only for bad inputs; leaks are reported, not thrown. */
export function checkLookahead(opts: LookaheadOptions): LookaheadReport {
  const { frame } = opts;
  const kwargsFor = (f: MarketFrame): Record<string, unknown> => {
    const kw = { ...(typeof opts.env === 'function' ? opts.env(f) : (opts.env ?? {})) };
    for (const k of ['frame', 'data', 'featureMatrix', 'start', 'episodeLength', 'range']) {
      if (kw[k] !== undefined) {
        throw new InvalidArgumentError(
          `checkLookahead sets '${k}' itself (it replays the env around each cut): leave it out`,
        );
      }
    }
    delete kw.features;
    return kw;
  };
  const envKw = kwargsFor(frame);
  const given = typeof opts.env === 'function' ? opts.env(frame) : opts.env;
  const spec = (given?.features as FeatureSpecInput | 'default' | undefined) ?? 'default';
  const seed = opts.seed ?? 0;
  const stepsBefore = opts.stepsBefore ?? 48;
  if (!Number.isInteger(stepsBefore) || stepsBefore < 1) {
    throw new InvalidArgumentError(`stepsBefore must be an integer ≥ 1, got ${String(stepsBefore)}`);
  }
  const base = matrixOf(frame, opts, spec);
  const F = base.names.length;
  const baseEnv = new TradingEnv({ ...envKw, frame, featureMatrix: base, episodeLength: null });
  const windowSize = baseEnv.core.windowSize;
  // A decision step spans `interval` bars (decisionInterval): its reward may use bars up to the last of them.
  const interval = baseEnv.config.decisionInterval;
  const first = Math.max(base.warmup + windowSize, 1) + stepsBefore * interval;
  const cuts = cutPoints(frame, first, opts.cuts ?? 16);
  const leaks: Leak[] = [];
  const seen = new Set<string>();
  let leakCount = 0;
  const checked = { featureValues: 0, observations: 0, rewards: 0 };
  const report = (kind: Leak['kind'], name: string, cut: number, bar: number, a: number, b: number): void => {
    leakCount++;
    const key = `${kind}|${name}|${cut}`;
    if (seen.has(key)) return;
    seen.add(key);
    leaks.push({
      kind,
      name,
      cut,
      cutTime: iso(frame.time[cut]!),
      bar,
      barTime: iso(frame.time[bar]!),
      original: a,
      perturbed: b,
    });
  };

  for (const [ci, cut] of cuts.entries()) {
    const other = perturbAfter(frame, cut, seed * 1_000_003 + ci);
    const pert = matrixOf(other, opts, spec);
    // Features: every row ≤ cut must be unchanged.
    const a = base.matrix;
    const b = pert.matrix;
    for (let t = 0; t <= cut; t++) {
      for (let j = 0; j < F; j++) {
        checked.featureValues++;
        if (!same(a[t * F + j]!, b[t * F + j]!))
          report('feature', base.names[j]!, cut, t, a[t * F + j]!, b[t * F + j]!);
      }
    }
    // Observations and rewards: replay the same seeded actions on both frames up to the cut.
    const start = cut - stepsBefore * interval;
    const envB = new TradingEnv({ ...kwargsFor(other), frame: other, featureMatrix: pert, episodeLength: null });
    const rng = new Rng(seed + ci);
    const space = baseEnv.actionSpace as { n?: number };
    const discrete = typeof space.n === 'number';
    const r0 = baseEnv.reset({ seed, options: { start } });
    const r1 = envB.reset({ seed, options: { start } });
    let oa = r0.observation;
    let ob = r1.observation;
    for (;;) {
      const bar = baseEnv.barIndex;
      for (let k = 0; k < oa.length; k++) {
        checked.observations++;
        if (!same(oa[k]!, ob[k]!)) report('observation', baseEnv.observationNames[k]!, cut, bar, oa[k]!, ob[k]!);
      }
      if (bar + interval > cut) break;
      const action = discrete ? rng.integer(space.n!) : Float32Array.of(rng.uniform(-1, 1));
      const sa = baseEnv.step(action);
      const sb = envB.step(action);
      // This step's reward is marked at the close of bar + interval ≤ cut: it may use bars ≤ cut only.
      checked.rewards++;
      if (!same(sa.reward, sb.reward)) report('reward', 'reward', cut, bar + interval, sa.reward, sb.reward);
      if (sa.terminated || sa.truncated || sb.terminated || sb.truncated) break;
      oa = sa.observation;
      ob = sb.observation;
    }
    envB.close();
  }
  baseEnv.close();
  const names = (kind: Leak['kind']): string[] => [...new Set(leaks.filter((l) => l.kind === kind).map((l) => l.name))];
  return {
    cuts,
    featureNames: base.names,
    checked,
    leaks,
    leakCount,
    leakingNames: { feature: names('feature'), observation: names('observation'), reward: names('reward') },
    passed: leakCount === 0,
  };
}
