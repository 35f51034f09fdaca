// A backtest: one policy (a baseline or a trained model) run through Trading-v0 over a range from its first valid bar
// to its last, beside comparison baselines on the very same env, written as a report a person can open. A model runs
// under its training conditions as its manifest records them (data source, timeframe, executor, features, actions);
// what the caller gives explicitly overrides them key by key (executor field by field) and is reported as overridden.
import { prepareTradingKwargs } from '../../envs/trading/prepare.ts';
import { fillLoggingEnvs } from '../../envs/trading/fill-log.ts';
import { writeBacktestReport, type BacktestReportFiles, type BacktestRun } from '../../envs/trading/report.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { BASELINE_NAMES, COMPARISON_BASELINES, isBaselineName } from '../baselines/index.ts';
import {
  baselineConditions,
  policyRef,
  runOverRange,
  trainingConditions,
  TRAINING_CONDITIONS,
  type NamedRun,
  type PolicyRef,
} from './model-runner.ts';

export interface BacktestOptions {
  /** A baseline name or a model directory (manifest.json inside). */
  policy: string;
  /** Each of these, when given, overrides the model's training condition (or the env default for a baseline). */
  data?: string;
  symbol?: string;
  timeframe?: string;
  /** 'from..to' or a split name; default: all bars. */
  range?: string;
  out: string;
  /** Baselines to run beside it on the same env (default: buy-and-hold and the bot's EMA-9 trend flip). */
  compare?: readonly string[];
  seed?: number;
  /** More Trading-v0 kwargs (executor, actionScheme, features, windowSize, reward, …), also overriding the model's. */
  kwargs?: Record<string, unknown>;
  /**
   * Runs this decision in `policy`'s place, under `policy`'s training conditions (e.g. a signal fusion of the model
   * with a baseline: src/live/fusion.ts's fusedDecisionRef, which `tg4 backtest --fusion` builds).
   */
  decision?: PolicyRef & { kind: 'decision' };
}

/** A training condition the caller changed: `key` (e.g. 'executor.feeRate'), its value in training and in this run. */
export interface Override {
  key: string;
  /** undefined: the model's manifest does not record it (the env default of its time). */
  trained: unknown;
  used: unknown;
}

export interface BacktestResult {
  files: BacktestReportFiles;
  runs: NamedRun[];
  /** The Trading-v0 kwargs of the run (before its range/episode options). */
  kwargs: Record<string, unknown>;
  /** For a model: the training conditions the caller overrode (empty: it ran exactly as trained). */
  overridden: Override[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** `given` over `trained`, key by key (the executor field by field), and every value that differs from training. */
export function overrideConditions(
  trained: Record<string, unknown>,
  given: Record<string, unknown>,
): { kwargs: Record<string, unknown>; overridden: Override[] } {
  const kwargs: Record<string, unknown> = { ...trained };
  const overridden: Override[] = [];
  for (const [key, used] of Object.entries(given)) {
    if (key === 'executor') {
      const ex = asRecord(trained['executor']);
      for (const [f, v] of Object.entries(asRecord(used)))
        if (!same(ex[f], v)) overridden.push({ key: `executor.${f}`, trained: ex[f], used: v });
      kwargs['executor'] = { ...ex, ...asRecord(used) };
    } else {
      const isCondition = (TRAINING_CONDITIONS as readonly string[]).includes(key);
      if (isCondition && !same(trained[key], used)) overridden.push({ key, trained: trained[key], used });
      kwargs[key] = used;
    }
  }
  return { kwargs, overridden };
}

/** 'executor.feeRate 0.0004 → 0.001, data bundled → x.csv' */
export function describeOverrides(overridden: readonly Override[]): string {
  const show = (v: unknown): string => (v === undefined ? 'default' : typeof v === 'string' ? v : JSON.stringify(v));
  return overridden.map((o) => `${o.key} ${show(o.trained)} → ${show(o.used)}`).join(', ');
}

export async function runBacktest(opts: BacktestOptions): Promise<BacktestResult> {
  const subject = policyRef(opts.policy);
  const compare = (opts.compare ?? COMPARISON_BASELINES).filter((c) => c !== opts.policy);
  for (const c of compare)
    if (!isBaselineName(c))
      throw new InvalidArgumentError(`--compare: unknown baseline '${c}'; valid: ${BASELINE_NAMES.join(', ')}`);
  const refs = [opts.decision ?? subject, ...compare.map((c) => policyRef(c))];
  const given: Record<string, unknown> = {
    ...(opts.kwargs ?? {}),
    ...(opts.data !== undefined ? { data: opts.data } : {}),
    ...(opts.symbol !== undefined ? { symbol: opts.symbol } : {}),
    ...(opts.timeframe !== undefined ? { timeframe: opts.timeframe } : {}),
  };
  const { kwargs, overridden } =
    subject.kind === 'model'
      ? overrideConditions(trainingConditions(subject), given)
      : { kwargs: given, overridden: [] };
  const prepared = await prepareTradingKwargs({
    ...kwargs,
    ...(opts.range !== undefined ? { range: opts.range } : {}),
  });
  // Each env records its fills, so that the report lists the trades and marks them on the price chart.
  const recorded = fillLoggingEnvs();
  // The comparison baselines decide every bar whatever the subject's decisionInterval (model-runner.ts).
  const runs = [
    ...runOverRange(refs.slice(0, 1), prepared, opts.seed ?? 0, recorded.make),
    ...runOverRange(refs.slice(1), baselineConditions(prepared), opts.seed ?? 0, recorded.make),
  ];
  const c = runs[0]!.conditions;
  const x = c.executor;
  const description =
    `${c.symbol} ${c.timeframe} from ${String(kwargs['data'] ?? 'bundled')}, range ${opts.range ?? 'all'}; ` +
    `actions ${c.actionScheme}, fee ${x.feeRate}, slippage ${x.slippage}, caps ${x.maxLongLeverage}x long / ${x.maxShortLeverage}x short, ` +
    `stops ${x.stopLossAtr ?? 'none'} ATR / targets ${x.takeProfitAtr ?? 'none'} ATR / max hold ${x.maxHoldBars ?? 'none'} bars; ` +
    `${c.numFeatures} features (spec ${c.featureSpecHash?.slice(0, 12) ?? 'given matrix'}), window ${c.windowSize}. ` +
    (Number(prepared['decisionInterval'] ?? 1) > 1
      ? `The policy decides at every ${String(prepared['decisionInterval'])}th bar's close (the comparisons at every bar's), fills at the next bar's open. `
      : `Decisions at each bar's close, fills at the next bar's open. `) +
    (subject.kind === 'model'
      ? overridden.length === 0
        ? "The model's training conditions, as its manifest records them."
        : `Overridden from the model's training conditions: ${describeOverrides(overridden)}.`
      : '') +
    runs
      .filter((r) => r.name !== refs[0]!.name && !same(r.conditions.executor, x))
      .map(
        (r) =>
          ` ${r.name} sets its own exits: stop ${r.conditions.executor.stopLossAtr ?? 'none'} ATR, target ${r.conditions.executor.takeProfitAtr ?? 'none'} ATR.`,
      )
      .join('');
  const reportRuns: BacktestRun[] = runs.map((r, i) => ({
    name: r.name,
    time: r.time,
    equity: r.equity,
    metrics: r.metrics,
    trades: recorded.trades(i),
  }));
  const files = writeBacktestReport(opts.out, {
    title: `Backtest: ${refs[0]!.name} on ${c.symbol} ${c.timeframe}`,
    description,
    runs: reportRuns,
    market: runs[0]!.market,
  });
  return { files, runs, kwargs, overridden };
}
