// `tg4 backtest`: runs a policy (a baseline or a trained model) through tg4/Trading-v0 over a data range and writes a
// report (metrics table, equity curve and drawdown as self-contained HTML + SVG, metrics.json, equity.csv). A model
// runs under the training conditions its manifest records; the flags given override them and are listed.
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.ts';
import { BASELINE_NAMES, COMPARISON_BASELINES } from '../../../agents/baselines/index.ts';
import { type BacktestOptions, describeOverrides, runBacktest } from '../../../agents/common/backtest.ts';
import { comparisonTable } from '../../../agents/common/trading-format.ts';
import { FUSION_MODES, fusedDecisionRef, parseFusionFlags } from '../../live/fusion.ts';
import { resolvePolicy } from '../../live/policy.ts';
import { jsonObjectFlag, listFlag } from '../flags.ts';

/** The flags as commander hands them over: the run's own options as runBacktest takes them, the rest as text. */
interface BacktestFlags extends Pick<BacktestOptions, 'data' | 'symbol' | 'timeframe' | 'range' | 'out'> {
  policy: string[];
  fusion?: string;
  weights?: string;
  compare: string;
  seed: string;
  actionScheme?: string;
  fee?: string;
  slippage?: string;
  stopLossAtr?: string;
  takeProfitAtr?: string;
  maxHold?: string;
  features?: string;
  window?: string;
  kwargs?: string;
  json?: boolean;
}

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`--${flag} must be a number (got "${v}")`);
  return n;
}

export function register(program: Command): void {
  program
    .command('backtest')
    .description(
      'run a policy through the trading env over a data range and write a report (HTML/SVG) a person can open',
    )
    .requiredOption(
      '--policy <name|dir>',
      `a baseline (${BASELINE_NAMES.join(', ')}) or a model directory; several (repeated or comma-separated) with --fusion`,
      listFlag,
      [] as string[],
    )
    .option(
      '--fusion <mode>',
      `fuse the --policy list as tg4 live does: ${FUSION_MODES.join(', ')} (gate/size: a model then a baseline; weight: several, --weights); the first policy's training conditions apply`,
    )
    .option('--weights <list>', 'fusion weight: one weight per policy, comma-separated')
    .option('--data <src>', "'bundled', a CSV path, or a postgres:// URL (default: the model's, else bundled)")
    .option('--symbol <s>', "market, e.g. BTC/USD (default: the model's, else the data's)")
    .option('--timeframe <tf>', "bar length, e.g. 1h, 4h (default: the model's, else the data's; bundled 1h)")
    .option('--range <r>', "'from..to' (ISO dates, either side may be empty) or a split: train, validation, test")
    .requiredOption('--out <dir>', 'folder for report.html, equity.svg, drawdown.svg, metrics.json, equity.csv')
    .option(
      '--compare <names>',
      'comma-separated baselines run on the same env for comparison (or "none")',
      COMPARISON_BASELINES.join(','),
    )
    .option('--seed <n>', 'seed (random policy)', '0')
    .option(
      '--action-scheme <s>',
      "discrete3, discrete-sized or continuous (a model's flags default to its training conditions)",
    )
    .option('--fee <rate>', 'fee per side, e.g. 0.001')
    .option('--slippage <rate>', 'slippage, e.g. 0.0005')
    .option('--stop-loss-atr <k>', 'stop-loss distance in ATR multiples')
    .option('--take-profit-atr <k>', 'take-profit distance in ATR multiples')
    .option('--max-hold <bars>', 'close positions after this many bars')
    .option('--features <spec>', "feature spec file (.json/.yaml); default: the model's, else the default spec")
    .option('--window <n>', 'observation window (rows)')
    .option('--kwargs <json>', 'more Trading-v0 options as JSON, e.g. \'{"cooldownBars":2}\'')
    .option('--json', 'print the metrics as JSON')
    .action(async (f: BacktestFlags) => {
      const extra = f.kwargs !== undefined ? jsonObjectFlag('kwargs', f.kwargs) : {};
      const seed = Number(f.seed);
      if (!/^\d+$/.test(f.seed.trim()))
        throw new InvalidArgumentError(`--seed must be a non-negative integer (got "${f.seed}")`);
      // Only what was given goes in: anything left out keeps the model's training condition (or the env default).
      const executor: Record<string, unknown> = { ...((extra.executor as Record<string, unknown> | undefined) ?? {}) };
      const set = (k: string, v: number | undefined): void => {
        if (v !== undefined) executor[k] = v;
      };
      set('feeRate', num('fee', f.fee));
      set('slippage', num('slippage', f.slippage));
      set('stopLossAtr', num('stop-loss-atr', f.stopLossAtr));
      set('takeProfitAtr', num('take-profit-atr', f.takeProfitAtr));
      set('maxHoldBars', num('max-hold', f.maxHold));
      const kwargs: Record<string, unknown> = { ...extra, ...(Object.keys(executor).length > 0 ? { executor } : {}) };
      if (f.actionScheme !== undefined) kwargs.actionScheme = f.actionScheme;
      if (f.features !== undefined) kwargs.features = f.features;
      if (f.window !== undefined) kwargs.windowSize = num('window', f.window);
      const compare =
        f.compare === 'none'
          ? []
          : f.compare
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
      if (f.policy.length === 0) throw new InvalidArgumentError('--policy names no policy');
      const fusion = parseFusionFlags(f.policy, f.fusion, f.weights);
      if (fusion === null && f.policy.length > 1)
        throw new InvalidArgumentError(
          `--policy names ${f.policy.length} policies: fuse them with --fusion (${FUSION_MODES.join(', ')}) or pass one`,
        );
      const r = await runBacktest({
        policy: f.policy[0]!,
        ...(fusion !== null
          ? { decision: fusedDecisionRef(f.policy, fusion, (p, ctx) => resolvePolicy(p, ctx), seed) }
          : {}),
        data: f.data,
        symbol: f.symbol,
        timeframe: f.timeframe,
        range: f.range,
        out: f.out,
        compare,
        seed,
        kwargs,
      });
      if (f.json) {
        const runs = r.runs.map((run) => ({ name: run.name, metrics: run.metrics, conditions: run.conditions }));
        process.stdout.write(JSON.stringify({ files: r.files, runs, overridden: r.overridden }, null, 2) + '\n');
        return;
      }
      process.stdout.write(comparisonTable(r.runs) + '\n');
      if (r.overridden.length > 0)
        process.stdout.write(`overridden from the model's training conditions: ${describeOverrides(r.overridden)}\n`);
      process.stdout.write(`report: ${r.files.html}\n`);
    });
}
