// A backtest: one policy (a baseline or a trained model) run through Trading-v0 over a range from its first valid bar
// to its last, beside comparison baselines on the very same env, written as a report a person can open.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { BASELINE_NAMES, createBaseline, isBaselineName, runBaseline, type BaselinePolicy, type EpisodeResult } from '../../agents/baselines/index.ts';
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
  /** Turns a model directory into a policy (provided by the agents; absent → model dirs are refused). */
  loadModelPolicy?: (dir: string, env: TradingEnv) => BaselinePolicy;
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

function resolvePolicy(name: string, env: TradingEnv, opts: BacktestOptions): BaselinePolicy {
  if (isBaselineName(name)) return createBaseline(name, opts.seed ?? 0);
  if (existsSync(name) && statSync(name).isDirectory()) {
    if (!existsSync(join(name, 'manifest.json'))) throw new InvalidArgumentError(`--policy: directory '${name}' holds no manifest.json: pass a model version folder (e.g. models/ppo-tg4-Trading-v0/v0001) or a baseline (${BASELINE_NAMES.join(', ')})`);
    if (!opts.loadModelPolicy) throw new InvalidArgumentError(`--policy: running a trained model needs the agents' model loader, which is not available in this build; baselines: ${BASELINE_NAMES.join(', ')}`);
    return opts.loadModelPolicy(name, env);
  }
  throw new InvalidArgumentError(`--policy: '${name}' is neither a baseline (${BASELINE_NAMES.join(', ')}) nor a model directory`);
}

export async function runBacktest(opts: BacktestOptions): Promise<BacktestResult> {
  const kwargs = await prepareTradingKwargs({
    // A backtest runs to the end of the range unless the account is wiped out (training defaults stop at −50%).
    ruinFraction: 0,
    ...(opts.kwargs ?? {}),
    data: opts.data ?? 'bundled',
    ...(opts.symbol !== undefined ? { symbol: opts.symbol } : {}),
    ...(opts.timeframe !== undefined ? { timeframe: opts.timeframe } : {}),
    ...(opts.range !== undefined ? { range: opts.range } : {}),
    start: 'first',
    episodeLength: null,
  });
  const compare = (opts.compare ?? ['buy-and-hold']).filter((c) => c !== opts.policy);
  for (const c of compare) if (!isBaselineName(c)) throw new InvalidArgumentError(`--compare: unknown baseline '${c}'; valid: ${BASELINE_NAMES.join(', ')}`);
  const env = new TradingEnv(kwargs);
  const policy = resolvePolicy(opts.policy, env, opts);
  const runs: BacktestRun[] = [];
  const out: BacktestResult['runs'] = [];
  for (const [name, p] of [[opts.policy, policy], ...compare.map((c) => [c, createBaseline(c, opts.seed ?? 0)] as const)] as const) {
    const e = name === opts.policy ? env : new TradingEnv(kwargs);
    const r = runBaseline(e, p, { seed: opts.seed ?? 0 });
    runs.push({ name, time: r.time, equity: r.equity, metrics: reportMetrics(r.metrics) });
    out.push({ name, metrics: r.metrics });
  }
  const d = env.data;
  const c = env.config;
  const description = `${d.symbols[0]} ${d.timeframe} from ${opts.data ?? 'bundled'}, range ${opts.range ?? 'all'}; ` +
    `actions ${c.actionScheme}, fee ${c.executor.feeRate}, slippage ${c.executor.slippage}, caps ${c.executor.maxLongLeverage}x long / ${c.executor.maxShortLeverage}x short, ` +
    `stops ${c.executor.stopLossAtr ?? 'none'} ATR / targets ${c.executor.takeProfitAtr ?? 'none'} ATR / max hold ${c.executor.maxHoldBars ?? 'none'} bars; ` +
    `${d.numFeatures} features (spec ${d.specHash?.slice(0, 12) ?? 'given matrix'}), window ${env.core.windowSize}. ` +
    `Decisions at each bar's close, fills at the next bar's open.`;
  const files = writeBacktestReport(opts.out, { title: `Backtest: ${opts.policy} on ${d.symbols[0]} ${d.timeframe}`, description, runs });
  return { files, runs: out };
}
