// Training on tg4/Trading-v0 with a train/validation/test split, then an out-of-sample comparison against the
// baselines (buy-and-hold, EMA-9 trend flip) on the very same env (costs, fills, stops): printed as a table and
// plotted as equity curves beside the model (oos-comparison.svg, oos-comparison.json).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TradingEnv } from '../../envs/trading/index.ts';
import { createBaseline, runBaseline } from '../baselines/index.ts';
import { lineChart } from '../../src/report/svg-plot.ts';
import { InferencePolicy } from '../infer/policy.ts';
import { runTraining, type TrainRunOptions, type TrainRunResult } from './train-run.ts';

export interface OosRun {
  name: string;
  totalReturn: number;
  sharpe: number | null;
  maxDrawdown: number | null;
  trades: number;
  feesPaid: number;
  finalEquity: number;
  time: Float64Array;
  equity: Float64Array;
}

export interface TradingRunResult {
  training: TrainRunResult;
  runs: OosRun[];
  report: string;
}

interface Metrics {
  equity: number;
  totalReturnPct: number;
  sharpe: number | null;
  maxDrawdown: number | null;
  totalTrades: number;
  feesPaid: number;
}

function toRun(name: string, m: Metrics, curve: { time: Float64Array; equity: Float64Array }): OosRun {
  return {
    name,
    totalReturn: m.totalReturnPct,
    sharpe: m.sharpe,
    maxDrawdown: m.maxDrawdown,
    trades: m.totalTrades,
    feesPaid: m.feesPaid,
    finalEquity: m.equity,
    ...curve,
  };
}

/** One deterministic pass of a saved model over a whole range (from its first valid bar to its end). */
// Comparisons run every policy over the whole range: no ruin stop (as `tg4 backtest`), so that returns cover the same period.
const FULL_RANGE = { start: 'first', episodeLength: null, ruinFraction: 0 } as const;

export function runModelEpisode(modelDir: string, kwargs: Record<string, unknown>, seed: number): OosRun {
  const env = new TradingEnv({ ...kwargs, ...FULL_RANGE });
  const policy = InferencePolicy.load(modelDir, {
    obsSize: env.observationSpace.shape.reduce((a, b) => a * b, 1),
    featureSpecHash: env.data.specHash ?? null,
  });
  let { observation } = env.reset({ seed, options: { start: 'first' } });
  for (;;) {
    const a = policy.decide(observation, policy.usesActionMasks ? env.actionMasks() : undefined);
    const r = env.step(typeof a === 'number' ? a : Float32Array.from(a));
    if (r.terminated || r.truncated) {
      const run = toRun('model', r.info['metrics'] as Metrics, env.equityCurve());
      env.close();
      return run;
    }
    observation = r.observation;
  }
}

export function runBaselineEpisode(name: string, kwargs: Record<string, unknown>, seed: number): OosRun {
  const env = new TradingEnv({ ...kwargs, ...FULL_RANGE });
  const r = runBaseline(env, createBaseline(name, seed), { seed, start: 'first' });
  env.close();
  return toRun(name, r.metrics, { time: r.time, equity: r.equity });
}

const pct = (v: number | null): string => (v === null || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(2)}%`);
const num = (v: number | null): string => (v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(2));

export function comparisonTable(runs: readonly OosRun[]): string {
  const rows = [['policy', 'total return', 'sharpe', 'max drawdown', 'trades', 'fees', 'final equity']];
  for (const r of runs)
    rows.push([
      r.name,
      pct(r.totalReturn),
      num(r.sharpe),
      pct(r.maxDrawdown),
      String(r.trades),
      num(r.feesPaid),
      num(r.finalEquity),
    ]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n');
}

/** Trains on the 'train' split (evaluating on 'validation'), then compares with the baselines on 'test'. */
export async function trainTradingAndCompare(
  opts: TrainRunOptions,
  baselines: readonly string[] = ['buy-and-hold', 'ema-trend'],
): Promise<TradingRunResult> {
  const base = { ...(opts.envKwargs ?? {}) };
  delete base['range'];
  const training = await runTraining({
    ...opts,
    envKwargs: { ...base, range: 'train' },
    evalEnvKwargs: { ...base, range: 'validation', start: 'first', episodeLength: null },
    evalEpisodes: opts.evalEpisodes ?? 1,
  });
  // The OOS runs use the env exactly as trained (preset kwargs included), on the test split.
  const trainedKwargs = {
    ...((training.manifest as unknown as { envKwargs?: Record<string, unknown> } | null)?.envKwargs ?? base),
  };
  delete trainedKwargs['range'];
  const testKwargs = { ...trainedKwargs, range: 'test' };
  const runs: OosRun[] = [];
  if (training.dir) runs.push(runModelEpisode(training.dir, testKwargs, opts.seed));
  for (const b of baselines) runs.push(runBaselineEpisode(b, testKwargs, opts.seed));
  const table = comparisonTable(runs);
  if (training.dir) {
    writeFileSync(
      join(training.dir, 'oos-comparison.json'),
      JSON.stringify(
        runs.map(({ time: _t, equity: _e, ...rest }) => rest),
        null,
        2,
      ) + '\n',
    );
    writeFileSync(
      join(training.dir, 'oos-comparison.svg'),
      lineChart(
        runs.map((r) => ({ name: r.name, x: Array.from(r.time, (t) => t), y: r.equity })),
        {
          title: `Out of sample (test split): ${opts.agent.toUpperCase()} vs baselines on ${opts.envId}`,
          xAxis: 'time',
          yLabel: 'equity',
        },
      ),
    );
  }
  const t = training.train;
  const report =
    `trained ${opts.agent.toUpperCase()} on ${opts.envId} (train split): ${t.steps} steps in ${t.elapsedS.toFixed(1)} s; ` +
    `validation return ${training.finalEval.mean.toFixed(4)}\n` +
    `out-of-sample comparison (test split, same env, costs and fills):\n${table}\n` +
    (training.dir ? `model: ${training.dir}  (oos-comparison.svg, oos-comparison.json, learning-curve.svg)` : '');
  return { training, runs, report };
}
