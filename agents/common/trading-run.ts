// Training on tg4/Trading-v0 with a train/validation/test split, then an out-of-sample comparison against the
// comparison baselines (buy-and-hold and the bot's EMA-9 trend flip) through the model runner, on the very env the
// model was trained with (costs, fills, stops) over the test split: printed as a table and written beside the model
// (oos/: the backtest report with the price chart, trades and metrics; oos-comparison.svg: equity curves;
// oos-comparison.json: the numbers).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTradingConfig } from '../../envs/trading/config.ts';
import { fillLoggingEnvs } from '../../envs/trading/fill-log.ts';
import { writeBacktestReport } from '../../envs/trading/report.ts';
import { DEFAULT_SYMBOL, DEFAULT_TIMEFRAME } from '../../replay/index.ts';
import { lineChart } from '../../src/report/svg-plot.ts';
import { COMPARISON_BASELINES } from '../baselines/index.ts';
import {
  baselineConditions,
  policyRef,
  runOverRange,
  trainingConditions,
  type NamedRun,
  type PolicyRef,
} from './model-runner.ts';
import { describeTradingEval, tradingEvalFigures } from './eval-figures.ts';
import { comparisonTable, fixed, pct } from './trading-format.ts';
import { runTraining, type TrainRunOptions, type TrainRunResult } from './train-run.ts';

export interface TradingRunResult {
  training: TrainRunResult;
  /** The model (when saved) first, then the baselines, over the test split. */
  runs: NamedRun[];
  /** Whether the trained policy beat the bot's EMA-9 rule on the test split on Sharpe and net return (null: no model or no rule). */
  passed: boolean | null;
  report: string;
}

/**
 * The plain verdict of an out-of-sample comparison against the bot's EMA-9 trend flip over the test split: the policy
 * (first run) passes only when it beats the rule on Sharpe AND on net return. A higher Sharpe alone is not enough: a
 * policy can post a better Sharpe (a smaller, steadier loss) while losing more money than the rule, and that is not a
 * pass. A flat policy's Sharpe counts as 0. Buy-and-hold is stated beside it, not judged.
 */
export function oosVerdict(runs: readonly NamedRun[]): { passed: boolean | null; line: string } {
  const policy = runs[0];
  const rule = runs.find((r) => r.name === 'ema-trend-flip');
  if (policy === undefined || rule === undefined || policy === rule)
    return { passed: null, line: 'no verdict: the comparison lacks the trained policy or the EMA-9 rule' };
  const sp = policy.metrics.sharpe ?? 0;
  const se = rule.metrics.sharpe ?? 0;
  const rp = policy.metrics.totalReturnPct;
  const re = rule.metrics.totalReturnPct;
  const betterSharpe = sp > se;
  const betterReturn = rp > re;
  const passed = betterSharpe && betterReturn;
  const why = passed
    ? "beat the bot's EMA-9 rule on both Sharpe and net return"
    : betterSharpe
      ? "did not beat the bot's EMA-9 rule: its Sharpe was higher but it made less money (a pass needs both)"
      : betterReturn
        ? "did not beat the bot's EMA-9 rule: it made more money but with a lower Sharpe (a pass needs both)"
        : "did not beat the bot's EMA-9 rule on Sharpe or on net return";
  const bh = runs.find((r) => r.name === 'buy-and-hold');
  const vsBh = bh
    ? `; against buy-and-hold it ${sp > (bh.metrics.sharpe ?? 0) ? 'did better' : 'did worse'} (Sharpe ${fixed(bh.metrics.sharpe ?? 0)}, return ${pct(bh.metrics.totalReturnPct)})`
    : '';
  return {
    passed,
    line:
      `${passed ? 'PASSED' : 'FAILED'}: out of sample the trained policy ${why} ` +
      `(Sharpe ${fixed(sp)} vs ${fixed(se)}; return ${pct(rp)} vs ${pct(re)}, ` +
      `${policy.metrics.totalTrades} vs ${rule.metrics.totalTrades} trades, fees ${fixed(policy.metrics.feesPaid)} vs ${fixed(rule.metrics.feesPaid)})${vsBh}.`,
  };
}

/**
 * The user's kwargs with the defaults of the data source and executor written out, so that the manifest names the
 * training conditions in full (a backtest reproduces them even if a default changes later).
 */
export function withResolvedConditions(kwargs: Record<string, unknown>): Record<string, unknown> {
  const data = kwargs['data'] ?? 'bundled';
  const bundled = data === 'bundled' ? { symbol: DEFAULT_SYMBOL, timeframe: DEFAULT_TIMEFRAME } : {};
  const executor = parseTradingConfig({ executor: kwargs['executor'] ?? {} }).executor;
  return { ...bundled, ...kwargs, data, executor };
}

/** Trains on the 'train' split (evaluating on 'validation'), then compares with the baselines on 'test'. */
export async function trainTradingAndCompare(
  opts: TrainRunOptions,
  baselines: readonly string[] = COMPARISON_BASELINES,
): Promise<TradingRunResult> {
  const { range: _range, ...base } = opts.envKwargs ?? {};
  const training = await runTraining({
    ...opts,
    envKwargs: { ...withResolvedConditions(base), range: 'train' },
    evalEnvOverrides: { range: 'validation', start: 'first', episodeLength: null },
    evalFixedRange: true,
  });
  // The test split under the model's training conditions, as the manifest records them.
  const model: PolicyRef | null = training.dir ? policyRef(training.dir) : null;
  const testKwargs = {
    ...(model?.kind === 'model' ? trainingConditions(model) : training.envKwargs),
    range: 'test',
  };
  const recorded = fillLoggingEnvs();
  // The model under its training conditions; each baseline under the same, deciding every bar (baselineConditions).
  const runs = [
    ...(model ? runOverRange([model], testKwargs, opts.seed, recorded.make) : []),
    ...runOverRange(
      baselines.map((b) => policyRef(b, 'baselines')),
      baselineConditions(testKwargs),
      opts.seed,
      recorded.make,
    ),
  ];
  const table = comparisonTable(runs);
  if (training.dir && runs.length > 0) {
    // The out-of-sample backtest as tg4 backtest writes it (price chart with the model's trades, trade list, metrics).
    writeBacktestReport(join(training.dir, 'oos'), {
      title: `Out of sample (test split): ${runs[0]!.name} vs baselines on ${runs[0]!.conditions.symbol} ${runs[0]!.conditions.timeframe}`,
      description: `${opts.agent.toUpperCase()} trained on the train split of ${opts.envId}; the test split under its training conditions.`,
      runs: runs.map((r, i) => ({
        name: r.name,
        time: r.time,
        equity: r.equity,
        metrics: r.metrics,
        trades: recorded.trades(i),
      })),
      market: runs[0]!.market,
    });
  }
  if (training.dir) {
    writeFileSync(
      join(training.dir, 'oos-comparison.json'),
      JSON.stringify(
        runs.map((r) => ({ name: r.name, metrics: r.metrics })),
        null,
        2,
      ) + '\n',
    );
    writeFileSync(
      join(training.dir, 'oos-comparison.svg'),
      lineChart(
        runs.map((r) => ({ name: r.name, x: r.time, y: r.equity })),
        {
          title: `Out of sample (test split): ${opts.agent.toUpperCase()} vs baselines on ${opts.envId}`,
          xAxis: 'time',
          yLabel: 'equity',
        },
      ),
    );
  }
  const t = training.train;
  const val = tradingEvalFigures(training.finalEval);
  const verdict = model ? oosVerdict(runs) : { passed: null, line: 'no verdict: dry run, no model saved' };
  const report =
    `trained ${opts.agent.toUpperCase()} on ${opts.envId} (train split): ${t.steps} steps in ${t.elapsedS.toFixed(1)} s; ` +
    `${val ? describeTradingEval('validation (one deterministic pass):', val) : `validation return ${training.finalEval.mean.toFixed(4)}`}\n` +
    `out-of-sample comparison (test split, same env, costs and fills):\n${table}\n${verdict.line}\n` +
    (training.dir
      ? `model: ${training.dir}  (oos/report.html, oos-comparison.svg, oos-comparison.json, learning-curve.svg)`
      : '');
  return { training, runs, passed: verdict.passed, report };
}
