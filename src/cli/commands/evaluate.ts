// `tg4 evaluate --walk-forward K`: trains a built-in agent on K rolling folds of tg4/Trading-v0 data for several seeds
// and tests each model on the bars after its fold, beside buy-and-hold, the bot's EMA-9 trend flip and a cost-aware
// slow crossover (agents/evaluation/walk-forward.ts). Prints the table with PSR, DSR and the number of trials; writes
// report.json, equity.svg and sharpe-by-fold.svg, and the models, under --out.
import type { Command } from 'commander';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../core/errors.ts';
import { assertSeed } from '../../core/rng.ts';
import { parseAlgo } from '../../../agents/common/train-run.ts';
import { walkForward } from '../../../agents/evaluation/walk-forward.ts';
import {
  walkForwardSummary,
  walkForwardTable,
  writeWalkForwardReport,
} from '../../../agents/evaluation/walk-forward-report.ts';

function positiveInt(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new InvalidArgumentError(`${name} must be a positive integer (got '${v}')`);
    return n;
  };
}

function jsonObject(name: string): (v: string) => Record<string, unknown> {
  return (v) => {
    try {
      const o = JSON.parse(v) as unknown;
      if (o && typeof o === 'object' && !Array.isArray(o)) return o as Record<string, unknown>;
    } catch {
      /* fall through */
    }
    throw new InvalidArgumentError(`${name} must be a JSON object, e.g. '{"symbol": "ETH/USD"}' (got '${v}')`);
  };
}

function seedList(v: string): number[] {
  const seeds = v.split(',').map((s) => Number(s.trim()));
  for (const s of seeds) assertSeed(s, '--seeds');
  if (seeds.length === 0) throw new InvalidArgumentError(`--seeds must list at least one seed, e.g. 1,2,3`);
  return seeds;
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description(
      'walk-forward evaluation of a built-in agent on tg4/Trading-v0: K rolling folds × seeds vs buy-and-hold, the EMA-9 rule and a cost-aware baseline, with PSR/DSR',
    )
    .requiredOption('--walk-forward <K>', 'number of rolling folds', positiveInt('--walk-forward'))
    .option('--agent <algo>', 'ppo or dqn', 'ppo')
    .option('--seeds <list>', 'comma-separated training seeds', seedList, [1, 2, 3])
    .option('--steps <n>', "env steps per training (default: the preset's)", positiveInt('--steps'))
    .option('--preset <name>', "hyperparameter preset (default: tg4/Trading-v0's)")
    .option('--overrides <json>', 'hyperparameters changed from the preset', jsonObject('--overrides'))
    .option('--kwargs <json>', 'Trading-v0 kwargs (data, symbol, timeframe, reward, …)', jsonObject('--kwargs'))
    .option(
      '--test-bars <n>',
      'bars of each fold’s test and validation windows (default: a tenth of the data)',
      positiveInt('--test-bars'),
    )
    .option('--train-bars <n>', 'bars of each fold’s train window (default: what fits)', positiveInt('--train-bars'))
    .option('--out <dir>', 'report folder', 'reports/walk-forward')
    .option(
      '--trials <file>',
      'trials ledger counted by the DSR (default: <out>/trials.jsonl, shared by every run into --out)',
    )
    .option('--json', 'print report.json instead of the table')
    .action(
      async (o: {
        walkForward: number;
        agent: string;
        seeds: number[];
        steps?: number;
        preset?: string;
        overrides?: Record<string, unknown>;
        kwargs?: Record<string, unknown>;
        testBars?: number;
        trainBars?: number;
        out: string;
        trials?: string;
        json?: boolean;
      }) => {
        const agent = parseAlgo(o.agent);
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        const runDir = join(o.out, `${agent}-${stamp}`);
        const { report, curves } = await walkForward({
          agent,
          folds: o.walkForward,
          seeds: o.seeds,
          out: runDir,
          trialsLedger: o.trials ?? join(o.out, 'trials.jsonl'),
          onProgress: (m) => process.stderr.write(`${m}\n`),
          ...(o.kwargs ? { envKwargs: o.kwargs } : {}),
          ...(o.steps !== undefined ? { steps: o.steps } : {}),
          ...(o.preset !== undefined ? { preset: o.preset } : {}),
          ...(o.overrides ? { overrides: o.overrides } : {}),
          ...(o.testBars !== undefined ? { testBars: o.testBars } : {}),
          ...(o.trainBars !== undefined ? { trainBars: o.trainBars } : {}),
        });
        writeWalkForwardReport(runDir, report, curves);
        process.stdout.write(
          o.json
            ? `${JSON.stringify(report, null, 2)}\n`
            : `${walkForwardTable(report)}\n\nPer fold:\n${walkForwardSummary(report)}\nreport: ${runDir} (report.json, equity.svg, sharpe-by-fold.svg, fold-k/seed-s models)\n`,
        );
      },
    );
}
