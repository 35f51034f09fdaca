// A backtest: one policy (a baseline or a trained model) run through Trading-v0 over a range from its first valid bar
// to its last, beside comparison baselines on the very same env, written as a report a person can open.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InferencePolicy } from '../../agents/infer/policy.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import {
  BASELINE_NAMES,
  createBaseline,
  isBaselineName,
  runBaseline,
  type EpisodeResult,
} from '../../agents/baselines/index.ts';
import { prepareTradingKwargs } from './prepare.ts';
import { writeBacktestReport, type BacktestReportFiles, type BacktestRun } from './report.ts';
import { TradingEnv } from './trading-env.ts';

export interface BacktestOptions {
  /** A baseline name or a model directory (manifest.json inside). */
  policy: string;
  data?: string;
  symbol?: string;
  timeframe?: string;
  range?: string;
  out: string;
  /** Baselines to run beside it on the same env (default: buy-and-hold). */
  compare?: readonly string[];
  seed?: number;
  /** More Trading-v0 kwargs (executor, actionScheme, features, reward, …). */
  kwargs?: Record<string, unknown>;
}

export interface BacktestResult {
  files: BacktestReportFiles;
  runs: { name: string; metrics: EpisodeResult['metrics'] }[];
}

/** The report's table: the metrics a trader reads first, formatted (percentages, 2–4 significant decimals). */
export function reportMetrics(m: EpisodeResult['metrics']): Record<string, string | number> {
  const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
  const num = (v: number | null, d = 2): string => (v === null ? 'n/a' : v.toFixed(d));
  return {
    'final equity': num(m.equity),
    'total return': pct(m.totalReturnPct),
    'annualized return': pct(m.annualizedReturn),
    'max drawdown': pct(m.maxDrawdown),
    sharpe: num(m.sharpe),
    sortino: num(m.sortino),
    calmar: num(m.calmar),
    trades: m.totalTrades,
    'win rate': pct(m.winRate),
    'profit factor': num(m.profitFactor),
    'fees paid': num(m.feesPaid),
    'time in market': pct(m.exposure),
    turnover: num(m.turnover),
    bars: m.steps,
    from: m.startTime,
    to: m.endTime,
  };
}

/** Env kwargs a model was trained with that define its observation and action spaces (kept for its backtest). */
const MODEL_KWARGS = [
  'features',
  'windowSize',
  'actionScheme',
  'levels',
  'exposure',
  'rebalanceThreshold',
  'executor',
  'cooldownBars',
  'timeScale',
  'reward',
];

/** A model folder (manifest.json inside) → its manifest's env kwargs that shape its spaces; null for anything else. */
function modelKwargs(policy: string): Record<string, unknown> | null {
  if (isBaselineName(policy)) return null;
  if (!existsSync(policy) || !statSync(policy).isDirectory()) {
    throw new InvalidArgumentError(
      `--policy: '${policy}' is neither a baseline (${BASELINE_NAMES.join(', ')}) nor a model directory`,
    );
  }
  const mPath = join(policy, 'manifest.json');
  if (!existsSync(mPath)) {
    throw new InvalidArgumentError(
      `--policy: directory '${policy}' holds no manifest.json: pass a model version folder (e.g. models/ppo-tg4-Trading-v0/v0001) or a baseline (${BASELINE_NAMES.join(', ')})`,
    );
  }
  let manifest: { envId?: unknown; envKwargs?: Record<string, unknown> };
  try {
    manifest = JSON.parse(readFileSync(mPath, 'utf8')) as typeof manifest;
  } catch (e) {
    throw new InvalidArgumentError(`--policy: ${mPath} is not valid JSON (${(e as Error).message})`);
  }
  if (manifest.envId !== 'tg4/Trading-v0') {
    throw new InvalidArgumentError(
      `--policy: the model in '${policy}' was trained on ${String(manifest.envId)}; tg4 backtest runs tg4/Trading-v0 models`,
    );
  }
  const kw = manifest.envKwargs ?? {};
  return Object.fromEntries(MODEL_KWARGS.filter((k) => kw[k] !== undefined).map((k) => [k, kw[k]]));
}

/** One deterministic pass of a saved model over the env's range (MODEL_MISMATCH if it does not fit the env). */
function runModel(dir: string, env: TradingEnv, seed: number): EpisodeResult {
  const policy = InferencePolicy.load(dir, {
    obsSize: env.core.obsDim,
    actionSpace: env.actionSpace.toJSON(),
    featureSpecHash: env.data.specHash ?? null,
  });
  let obs = env.reset({ seed, options: { start: 'first' } }).observation;
  const rewards: number[] = [];
  for (;;) {
    const a = policy.decide(obs, policy.usesActionMasks ? env.actionMasks() : undefined);
    const r = env.step(typeof a === 'number' ? a : Float32Array.from(a));
    rewards.push(r.reward);
    if (r.terminated || r.truncated) {
      return {
        ...env.equityCurve(),
        rewards: Float64Array.from(rewards),
        metrics: r.info.metrics as EpisodeResult['metrics'],
        terminated: r.terminated,
      };
    }
    obs = r.observation;
  }
}

function runName(policy: string): string {
  return isBaselineName(policy)
    ? policy
    : `${basename(dirname(policy.replace(/\/+$/, '')))}/${basename(policy.replace(/\/+$/, ''))}`;
}

export async function runBacktest(opts: BacktestOptions): Promise<BacktestResult> {
  const fromModel = modelKwargs(opts.policy);
  const kwargs = await prepareTradingKwargs({
    // A backtest runs to the end of the range unless the account is wiped out (training defaults stop at −50%).
    ruinFraction: 0,
    ...(fromModel ?? {}),
    ...(opts.kwargs ?? {}),
    data: opts.data ?? 'bundled',
    ...(opts.symbol !== undefined ? { symbol: opts.symbol } : {}),
    ...(opts.timeframe !== undefined ? { timeframe: opts.timeframe } : {}),
    ...(opts.range !== undefined ? { range: opts.range } : {}),
    start: 'first',
    episodeLength: null,
  });
  const compare = (opts.compare ?? ['buy-and-hold']).filter((c) => c !== opts.policy);
  for (const c of compare)
    if (!isBaselineName(c))
      throw new InvalidArgumentError(`--compare: unknown baseline '${c}'; valid: ${BASELINE_NAMES.join(', ')}`);
  const seed = opts.seed ?? 0;
  const env = new TradingEnv(kwargs);
  const runs: BacktestRun[] = [];
  const out: BacktestResult['runs'] = [];
  const record = (name: string, r: EpisodeResult): void => {
    runs.push({ name, time: r.time, equity: r.equity, metrics: reportMetrics(r.metrics) });
    out.push({ name, metrics: r.metrics });
  };
  record(
    runName(opts.policy),
    fromModel === null
      ? runBaseline(env, createBaseline(opts.policy, seed), { seed })
      : runModel(opts.policy, env, seed),
  );
  for (const c of compare) record(c, runBaseline(new TradingEnv(kwargs), createBaseline(c, seed), { seed }));
  const d = env.data;
  const c = env.config;
  const description =
    `${d.symbols[0]} ${d.timeframe} from ${opts.data ?? 'bundled'}, range ${opts.range ?? 'all'}; ` +
    `actions ${c.actionScheme}, fee ${c.executor.feeRate}, slippage ${c.executor.slippage}, caps ${c.executor.maxLongLeverage}x long / ${c.executor.maxShortLeverage}x short, ` +
    `stops ${c.executor.stopLossAtr ?? 'none'} ATR / targets ${c.executor.takeProfitAtr ?? 'none'} ATR / max hold ${c.executor.maxHoldBars ?? 'none'} bars; ` +
    `${d.numFeatures} features (spec ${d.specHash?.slice(0, 12) ?? 'given matrix'}), window ${env.core.windowSize}. ` +
    `Decisions at each bar's close, fills at the next bar's open.`;
  const files = writeBacktestReport(opts.out, {
    title: `Backtest: ${runName(opts.policy)} on ${d.symbols[0]} ${d.timeframe}`,
    description,
    runs,
  });
  return { files, runs: out };
}
