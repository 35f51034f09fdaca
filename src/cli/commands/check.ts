// `tg4 check lookahead`: does a user's data, feature spec or reward read the future? Perturbs every bar after many
// cut points and reports any feature value, observation element or reward at or before the cut that changed, by name
// (envs/trading/lookahead-check.ts; docs/trading-env.md, "Checking your own setup for look-ahead").
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError } from '../../core/errors.ts';
import type { FeatureMatrix } from '../../features/builder.ts';
import { loadFeatureSpec } from '../../features/spec.ts';
import { checkLookahead, type LookaheadReport } from '../../../envs/trading/lookahead-check.ts';
import { loadFrame } from '../../../envs/trading/market-data.ts';
import { prepareTradingKwargs } from '../../../envs/trading/prepare.ts';
import type { MarketFrame } from '../../../replay/market-frame.ts';

interface LookaheadFlags {
  data: string;
  symbol?: string;
  timeframe?: string;
  features?: string;
  reward?: string;
  envKwargs?: string;
  module?: string;
  cuts: string;
  stepsBefore: string;
  seed: string;
  json?: boolean;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a whole number ≥ 1, got '${v}'`);
  return n;
}

function parseJson(text: string, flag: string, example: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(`${flag} is not valid JSON (${(e as Error).message}): quote it, e.g. '${example}'`);
  }
}

const REWARD_EXAMPLE = '{"log_return":1,"drawdown":0.5}';

/** What a --module may export: the user's own feature pipeline and/or reward, each given the frame it runs on. */
interface UserModule {
  features?: (frame: MarketFrame) => FeatureMatrix;
  reward?: (frame: MarketFrame) => unknown;
}

async function loadUserModule(file: string): Promise<UserModule> {
  const path = resolve(file);
  if (!existsSync(path)) throw new InvalidArgumentError(`--module: no file '${file}'`);
  const mod = (await import(pathToFileURL(path).href)) as UserModule;
  if (typeof mod.features !== 'function' && typeof mod.reward !== 'function') {
    throw new InvalidArgumentError(
      `--module ${file} exports neither features(frame) nor reward(frame): export at least one of them (docs/trading-env.md)`,
    );
  }
  return mod;
}

/** A reward name, a JSON weighted sum ('{"log_return":1,"drawdown":0.5}'), or a JSON file holding one. */
function parseReward(v: string): unknown {
  if (v.trim().startsWith('{')) return parseJson(v, '--reward', REWARD_EXAMPLE);
  if (v.endsWith('.json')) return parseJson(readFileSync(v, 'utf8'), `--reward file ${v}`, REWARD_EXAMPLE);
  return v;
}

async function loadData(f: LookaheadFlags): Promise<MarketFrame> {
  const kw = await prepareTradingKwargs({ data: f.data, symbol: f.symbol, timeframe: f.timeframe });
  return (kw.frame as MarketFrame | undefined) ?? loadFrame(f.data, f.symbol, f.timeframe);
}

function printReport(r: LookaheadReport, frame: MarketFrame): void {
  const out = process.stdout;
  out.write(
    `look-ahead check: ${frame.symbol} ${frame.timeframe}, ${frame.length} bars, ${r.featureNames.length} feature columns, ` +
      `${r.cuts.length} cut points\n` +
      `checked ${r.checked.featureValues} feature values, ${r.checked.observations} observation elements, ${r.checked.rewards} rewards\n`,
  );
  if (r.passed) {
    out.write('PASS: nothing at or before a cut changed when the bars after it were perturbed\n');
    return;
  }
  out.write(`FAIL: ${r.leakCount} values changed when only later bars did (they read the future)\n`);
  for (const kind of ['feature', 'observation', 'reward'] as const) {
    const names = r.leakingNames[kind];
    if (names.length > 0) out.write(`  leaking ${kind}s: ${names.join(', ')}\n`);
  }
  out.write('first change per name and cut:\n');
  for (const l of r.leaks.slice(0, 40)) {
    out.write(
      `  ${l.kind.padEnd(11)} ${l.name.padEnd(28)} bar ${l.barTime} (cut ${l.cutTime}): ${l.original} -> ${l.perturbed}\n`,
    );
  }
  if (r.leaks.length > 40) out.write(`  … ${r.leaks.length - 40} more (use --json for all)\n`);
}

export function register(program: Command): void {
  const check = program.command('check').description('checks of your own setup: look-ahead');
  check
    .command('lookahead')
    .description(
      'perturb the future at many cut points and report any feature, observation or reward that changes (exit 1 on a leak)',
    )
    .option('--data <source>', "'bundled', a candle CSV file, or a postgres://… URL", 'bundled')
    .option('--symbol <symbol>', 'symbol, e.g. BTC/USD')
    .option('--timeframe <tf>', 'bar timeframe, e.g. 1h')
    .option('--features <spec>', 'feature spec (.json/.yaml); default: the default spec of the data timeframe')
    .option('--reward <reward>', 'reward name, or a JSON weighted sum such as \'{"log_return":1,"drawdown":0.5}\'')
    .option('--module <file>', 'your own .ts/.js module exporting features(frame) and/or reward(frame) to check')
    .option('--env-kwargs <json>', 'other Trading-v0 kwargs as JSON (executor, actionScheme, windowSize, …)')
    .option('--cuts <n>', 'number of cut points (plus higher-timeframe bucket ends)', '16')
    .option('--steps-before <n>', 'env steps replayed before each cut', '48')
    .option('--seed <n>', 'seed of the perturbations and actions', '0')
    .option('--json', 'print the whole report as JSON')
    .action(async (f: LookaheadFlags) => {
      const extra =
        f.envKwargs === undefined ? {} : parseJson(f.envKwargs, '--env-kwargs', '{"actionScheme":"continuous"}');
      if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) {
        throw new InvalidArgumentError('--env-kwargs must be a JSON object of Trading-v0 kwargs');
      }
      const env: Record<string, unknown> = { ...(extra as Record<string, unknown>) };
      if (f.features !== undefined) env.features = loadFeatureSpec(f.features);
      if (f.reward !== undefined) env.reward = parseReward(f.reward);
      const user = f.module === undefined ? {} : await loadUserModule(f.module);
      if (user.reward !== undefined && f.reward !== undefined) {
        throw new InvalidArgumentError('give the reward either with --reward or in --module, not both');
      }
      const frame = await loadData(f);
      const userReward = user.reward;
      const report = checkLookahead({
        frame,
        env: userReward === undefined ? env : (fr: MarketFrame) => ({ ...env, reward: userReward(fr) }),
        ...(user.features !== undefined ? { buildFeatures: user.features } : {}),
        cuts: positiveInt(f.cuts, '--cuts'),
        stepsBefore: positiveInt(f.stepsBefore, '--steps-before'),
        seed: Number(f.seed),
      });
      if (f.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else printReport(report, frame);
      process.exitCode = report.passed ? 0 : 1;
    });
}
