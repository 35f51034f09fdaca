// Walk-forward evaluation of a learner on tg4/Trading-v0: K rolling folds (replay/splits.ts walkForwardSplits), each
// trained on its train window (validation right after it) and tested on the bars after those, for several seeds. Every
// trained model and every baseline runs over each fold's test window through the one model runner (model-runner.ts),
// under the model's training conditions (fees, slippage, fills; a baseline's own exits; a baseline decides every bar,
// whatever the policy's decisionInterval: model-runner.ts baselineConditions). Per fold and overall: return,
// Sharpe, max drawdown, turnover, fees, trades, time in market, for the policy and the baselines; the Probabilistic
// Sharpe Ratio of the policy against buy-and-hold's Sharpe on the same bars, and the Deflated Sharpe Ratio across every
// trial run (each configuration × seed, counted in a trials ledger that survives between runs). Numbers only (a JSON
// report); walk-forward-report.ts draws the plots and the table.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { MS_PER_YEAR } from '../../src/execution/metrics.ts';
import { deflatedSharpeRatio, probabilisticSharpeRatio, sharpeRatio } from '../../src/stats/sharpe.ts';
import { TradingEnv } from '../../envs/trading/trading-env.ts';
import { isoUtc } from '../../replay/time-range.ts';
import { walkForwardSplits, type SplitRange } from '../../replay/splits.ts';
import { sliceFrame } from '../../replay/slice.ts';
import type { MarketFrame } from '../../replay/market-frame.ts';
import type { AlgoName } from '../common/algorithm.ts';
import {
  baselineConditions,
  policyRef,
  runOverRange,
  trainingConditions,
  TRADING_ENV_ID,
  type NamedRun,
} from '../common/model-runner.ts';
import { ALGORITHMS, runTraining } from '../common/train-run.ts';
import { resolvePreset, withUserKwargs, type PresetSource } from '../common/algorithm.ts';
import { withResolvedConditions } from '../common/trading-run.ts';
import type { PpoConfig } from '../ppo/ppo.ts';
import type { DqnConfig } from '../dqn/dqn.ts';

/** The baselines every walk-forward fold runs: the market, the bot's EMA-9 rule, and a cost-aware slow crossover. */
export const WALK_FORWARD_BASELINES: readonly string[] = ['buy-and-hold', 'ema-trend-flip', 'ma-cross-band'];

export interface WalkForwardOptions {
  agent: AlgoName;
  /** Trading-v0 kwargs (data, symbol, timeframe, reward, actions, …); `range` is set per fold. */
  envKwargs?: Record<string, unknown>;
  folds: number;
  seeds: readonly number[];
  /** Env steps per training; default: the preset's. */
  steps?: number;
  preset?: string;
  overrides?: Partial<PpoConfig> | Partial<DqnConfig>;
  /** Bars of each fold's test window; default: a tenth of the data (walkForwardSplits'). */
  testBars?: number;
  /** Bars of each fold's validation window; default: testBars. */
  validationBars?: number;
  /** Train window in bars; default: what fits (walkForwardSplits'). */
  trainBars?: number;
  baselines?: readonly string[];
  /** Folder for the models (fold-k/seed-s) and the trials ledger. */
  out: string;
  /** Trials ledger (JSONL, one line per configuration × seed run); default: <out>/../trials.jsonl. */
  trialsLedger?: string;
  onProgress?: (msg: string) => void;
}

/** What a trader reads of one run over one test window (fractions, not percentages). */
export interface RunFigures {
  totalReturn: number;
  sharpe: number;
  maxDrawdown: number;
  turnover: number;
  fees: number;
  trades: number;
  timeInMarket: number;
  finalEquity: number;
}

export interface FoldSeedResult {
  seed: number;
  policy: RunFigures;
  /** PSR of the policy's per-bar returns against buy-and-hold's per-bar Sharpe over the same bars. */
  psrVsBuyAndHold: number;
  beats: Record<string, boolean>;
  model: string;
}

export interface FoldResult {
  fold: number;
  train: { from: string; to: string; bars: number };
  validation: { from: string; to: string; bars: number };
  test: { from: string; to: string; bars: number };
  baselines: Record<string, RunFigures>;
  seeds: FoldSeedResult[];
}

export interface WalkForwardReport {
  envId: string;
  agent: AlgoName;
  symbol: string;
  timeframe: string;
  /** Bars per year (the metrics' Sharpe is per bar × √periodsPerYear; the overall Sharpe is per bar). */
  periodsPerYear: number;
  /** Hash of the configuration (agent, preset, overrides, env kwargs, steps, windows): one trial per seed. */
  configHash: string;
  config: Record<string, unknown>;
  folds: FoldResult[];
  overall: {
    /** Per seed: the policy's test windows chained (compounded returns, Sharpe over all test bars). */
    seeds: { seed: number; totalReturn: number; sharpe: number; psrVsBuyAndHold: number; dsr: number }[];
    baselines: Record<string, { totalReturn: number; sharpe: number }>;
    /** Fraction of fold × seed runs in which the policy's Sharpe beat each baseline's. */
    beatRate: Record<string, number>;
    meanTimeInMarket: number;
    meanTurnoverPerBar: number;
  };
  /** Deflated Sharpe: every trial counted in the ledger (all configurations and seeds ever run into it). */
  trials: { count: number; ledger: string; thresholdSharpe: number; variance: number };
  elapsedS: number;
}

function figures(r: NamedRun): RunFigures {
  const m = r.metrics;
  return {
    totalReturn: m.totalReturnPct,
    sharpe: m.sharpe ?? 0, // null: no variation (a flat run), no edge shown
    maxDrawdown: m.maxDrawdown,
    turnover: m.turnover,
    fees: m.feesPaid,
    trades: m.totalTrades,
    timeInMarket: m.exposure,
    finalEquity: m.equity,
  };
}

/** Per-bar simple returns of an equity curve. */
export function barReturns(equity: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.max(0, equity.length - 1));
  for (let t = 1; t < equity.length; t++) out[t - 1] = equity[t]! / equity[t - 1]! - 1;
  return out;
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function compounded(r: Float64Array): number {
  let g = 1;
  for (const x of r) g *= 1 + x;
  return g - 1;
}

/** A `range` kwarg selecting exactly the bars of a split ('from..to', `to` exclusive). */
export function rangeKwarg(frame: MarketFrame, r: SplitRange): string {
  const end = r.end < frame.length ? frame.time[r.end]! : frame.time[r.end - 1]! + frame.timeframeMs;
  return `${isoUtc(frame.time[r.start]!)}..${isoUtc(end)}`;
}

function span(frame: MarketFrame, r: SplitRange): { from: string; to: string; bars: number } {
  return { from: isoUtc(frame.time[r.start]!), to: isoUtc(frame.time[r.end - 1]!), bars: r.end - r.start };
}

interface LedgerLine {
  configHash: string;
  seed: number;
  symbol: string;
  sharpe: number;
  bars: number;
}

function readLedger(path: string): LedgerLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LedgerLine);
}

/** The test windows chained: bar times and equity (starting at 1) of each seed's policy and each baseline. */
export interface WalkForwardCurves {
  time: Float64Array;
  policy: { seed: number; equity: Float64Array }[];
  baselines: { name: string; equity: Float64Array }[];
}

function growth(r: Float64Array): Float64Array {
  const out = new Float64Array(r.length);
  let g = 1;
  for (let i = 0; i < r.length; i++) out[i] = g *= 1 + r[i]!;
  return out;
}

export async function walkForward(
  o: WalkForwardOptions,
): Promise<{ report: WalkForwardReport; curves: WalkForwardCurves }> {
  if (o.seeds.length === 0) throw new InvalidArgumentError('walk-forward needs at least one seed');
  const t0 = performance.now();
  const say = o.onProgress ?? (() => {});
  const baselines = o.baselines ?? WALK_FORWARD_BASELINES;
  if (!baselines.includes('buy-and-hold'))
    throw new InvalidArgumentError("walk-forward baselines must include 'buy-and-hold'");
  // The folds cover the user's `range` (default: all the data); each fold's parts become `range` kwargs of their own.
  const { range: span_, ...userKwargs } = o.envKwargs ?? {};
  // The preset's env kwargs under the user's, merged as the training merges them, so that the baselines run under the
  // model's conditions (its action levels, cooldown, reward) as in the main job's comparison, not the env's defaults.
  const preset = resolvePreset(ALGORITHMS[o.agent] as PresetSource<object>, TRADING_ENV_ID, o.preset);
  const base = withResolvedConditions(withUserKwargs(preset.envKwargs, userKwargs));
  // Only for the data: no episode has to fit (the folds are checked below, each training checks its own episodes).
  const probe = new TradingEnv({ ...base, episodeLength: null, ...(span_ !== undefined ? { range: span_ } : {}) });
  const frame = sliceFrame(probe.data.frames[0]!, probe.data.rangeStart, probe.data.rangeEnd);
  const symbol = probe.data.symbols[0]!;
  const timeframe = probe.data.timeframe;
  probe.close();
  const folds = walkForwardSplits(frame, {
    folds: o.folds,
    ...(o.testBars !== undefined ? { testBars: o.testBars } : {}),
    ...((o.validationBars ?? o.testBars) !== undefined ? { validationBars: o.validationBars ?? o.testBars } : {}),
    ...(o.trainBars !== undefined ? { trainBars: o.trainBars } : {}),
  });
  const config = {
    agent: o.agent,
    preset: o.preset ?? null,
    overrides: o.overrides ?? {},
    envKwargs: base,
    range: span_ ?? null,
    steps: o.steps ?? null,
    folds: o.folds,
    testBars: o.testBars ?? null,
    validationBars: o.validationBars ?? null,
    trainBars: o.trainBars ?? null,
  };
  const configHash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
  mkdirSync(o.out, { recursive: true });
  const ledger = o.trialsLedger ?? join(o.out, '..', 'trials.jsonl');

  const foldResults: FoldResult[] = [];
  const policyReturns = new Map<number, Float64Array[]>(o.seeds.map((s) => [s, []]));
  const baselineReturns = new Map<string, Float64Array[]>(baselines.map((b) => [b, []]));
  const times: Float64Array[] = [];
  for (const f of folds) {
    const testRange = rangeKwarg(frame, f.test);
    const baseRuns = runOverRange(
      baselines.map((b) => policyRef(b, 'baselines')),
      { ...baselineConditions(base), range: testRange },
      0,
    );
    const baseFigures: Record<string, RunFigures> = {};
    for (const r of baseRuns) {
      baseFigures[r.name] = figures(r);
      baselineReturns.get(r.name)!.push(barReturns(r.equity));
    }
    const bhRun = baseRuns[baselines.indexOf('buy-and-hold')]!;
    const bhSharpe = sharpeRatio(barReturns(bhRun.equity));
    times.push(bhRun.time.slice(1));
    const seeds: FoldSeedResult[] = [];
    for (const seed of o.seeds) {
      const dir = join(o.out, `fold-${f.fold}`, `seed-${seed}`);
      say(`fold ${f.fold + 1}/${folds.length} seed ${seed}: training on ${rangeKwarg(frame, f.train)}`);
      const training = await runTraining({
        envId: TRADING_ENV_ID,
        agent: o.agent,
        seed,
        out: dir,
        envKwargs: { ...base, range: rangeKwarg(frame, f.train) },
        evalEnvOverrides: { range: rangeKwarg(frame, f.validation), start: 'first', episodeLength: null },
        evalFixedRange: true,
        evalFreq: 0,
        ...(o.preset !== undefined ? { preset: o.preset } : {}),
        ...(o.steps !== undefined ? { steps: o.steps } : {}),
        ...(o.overrides !== undefined ? { overrides: o.overrides } : {}),
      });
      const ref = policyRef(training.dir!);
      const [run] = runOverRange(
        [ref],
        { ...trainingConditions(ref as typeof ref & { kind: 'model' }), range: testRange },
        seed,
      );
      const rets = barReturns(run!.equity);
      policyReturns.get(seed)!.push(rets);
      const fig = figures(run!);
      const beats: Record<string, boolean> = {};
      for (const b of baselines) beats[b] = fig.sharpe > baseFigures[b]!.sharpe;
      seeds.push({ seed, policy: fig, psrVsBuyAndHold: probabilisticSharpeRatio(rets, bhSharpe), beats, model: dir });
      say(
        `fold ${f.fold + 1} seed ${seed}: return ${(fig.totalReturn * 100).toFixed(2)}%, Sharpe ${fig.sharpe.toFixed(2)} ` +
          `(ema-trend-flip ${baseFigures['ema-trend-flip']?.sharpe.toFixed(2) ?? 'n/a'}), trades ${fig.trades}`,
      );
    }
    foldResults.push({
      fold: f.fold,
      train: span(frame, f.train),
      validation: span(frame, f.validation),
      test: span(frame, f.test),
      baselines: baseFigures,
      seeds,
    });
  }

  // Overall: each seed's test windows chained; the trials ledger gets one line per seed of this configuration.
  const bhAll = concat(baselineReturns.get('buy-and-hold')!);
  const bhSharpe = sharpeRatio(bhAll);
  const seriesBySeed = o.seeds.map((seed) => ({ seed, r: concat(policyReturns.get(seed)!) }));
  for (const { seed, r } of seriesBySeed) {
    const line: LedgerLine = { configHash, seed, symbol, sharpe: sharpeRatio(r), bars: r.length };
    appendFileSync(ledger, JSON.stringify(line) + '\n');
  }
  const trialSharpes = readLedger(ledger).map((l) => l.sharpe);
  let threshold = 0;
  let variance = 0;
  const overallSeeds = seriesBySeed.map(({ seed, r }) => {
    const d = deflatedSharpeRatio(r, trialSharpes);
    threshold = d.threshold;
    variance = d.variance;
    return {
      seed,
      totalReturn: compounded(r),
      sharpe: sharpeRatio(r),
      psrVsBuyAndHold: probabilisticSharpeRatio(r, bhSharpe),
      dsr: d.dsr,
    };
  });
  const overallBaselines: Record<string, { totalReturn: number; sharpe: number }> = {};
  for (const b of baselines) {
    const r = concat(baselineReturns.get(b)!);
    overallBaselines[b] = { totalReturn: compounded(r), sharpe: sharpeRatio(r) };
  }
  const all = foldResults.flatMap((f) => f.seeds);
  const beatRate: Record<string, number> = {};
  for (const b of baselines) beatRate[b] = all.filter((s) => s.beats[b]).length / all.length;
  const report: WalkForwardReport = {
    envId: TRADING_ENV_ID,
    agent: o.agent,
    symbol,
    timeframe,
    periodsPerYear: MS_PER_YEAR / frame.timeframeMs,
    configHash,
    config,
    folds: foldResults,
    overall: {
      seeds: overallSeeds,
      baselines: overallBaselines,
      beatRate,
      meanTimeInMarket: all.reduce((s, x) => s + x.policy.timeInMarket, 0) / all.length,
      meanTurnoverPerBar:
        all.reduce((s, x) => s + x.policy.turnover, 0) /
        foldResults.reduce((s, f) => s + f.test.bars * o.seeds.length, 0),
    },
    trials: { count: trialSharpes.length, ledger, thresholdSharpe: threshold, variance },
    elapsedS: (performance.now() - t0) / 1000,
  };
  const curves: WalkForwardCurves = {
    time: concat(times),
    policy: seriesBySeed.map(({ seed, r }) => ({ seed, equity: growth(r) })),
    baselines: baselines.map((name) => ({ name, equity: growth(concat(baselineReturns.get(name)!)) })),
  };
  return { report, curves };
}
