// The one model runner: everything that runs a saved policy (or a baseline beside it) over a trading env goes through
// here — `tg4 backtest`, the out-of-sample comparison after `tg4 train`, and `tg4 eval` on trading models. It resolves
// what to run (a baseline name or a model folder), reads the conditions a model was trained under from its manifest,
// loads the model for the env it will run on (MODEL_MISMATCH when it does not fit), and runs each policy through the
// shared episode loop (trading-episode.ts). It returns numbers only; formatting is trading-format.ts's.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import type { ExecutorConfig } from '../../envs/trading/config.ts';
import type { MarketData } from '../../envs/trading/market-data.ts';
import { TradingEnv } from '../../envs/trading/trading-env.ts';
import {
  BASELINE_NAMES,
  baselineDecision,
  baselineKwargs,
  createBaseline,
  isBaselineName,
} from '../baselines/index.ts';
import { InferencePolicy } from '../infer/policy.ts';
import { runTradingEpisode, type EpisodeResult, type TradingDecision } from './trading-episode.ts';

export const TRADING_ENV_ID = 'tg4/Trading-v0';

/** Env kwargs of a comparison: every policy from the range's first valid bar to its end, no ruin stop, no time limit. */
export const FULL_RANGE: Readonly<Record<string, unknown>> = Object.freeze({
  start: 'first',
  episodeLength: null,
  ruinFraction: 0,
  maxDrawdown: null,
});

/**
 * The Trading-v0 kwargs that make up a model's training conditions: where its data came from, its executor, its
 * observations and its actions. A backtest keeps them unless told otherwise; the episode kwargs (range, start, length,
 * ruin and drawdown stops) are the run's own.
 */
export const TRAINING_CONDITIONS = [
  'data',
  'symbol',
  'timeframe',
  'executor',
  'features',
  'windowSize',
  'actionScheme',
  'levels',
  'exposure',
  'rebalanceThreshold',
  'cooldownBars',
  'decisionInterval',
  'timeScale',
  'reward',
] as const;

/**
 * What to run: a baseline by name, a saved Trading-v0 model's folder with the kwargs it was trained with, or a decision
 * built by a layer above for the env it runs on (a live signal fusion, src/live/fusion.ts) with the exits it sets.
 */
export type PolicyRef =
  | { kind: 'baseline'; name: string }
  | { kind: 'model'; dir: string; name: string; envKwargs: Readonly<Record<string, unknown>> }
  | {
      kind: 'decision';
      name: string;
      executor?: Readonly<Partial<ExecutorConfig>>;
      decision: (env: TradingEnv) => TradingDecision;
    };

/** The conditions a run actually had, read back from its env (what the report states, what tests check). */
export interface RunConditions {
  symbol: string;
  timeframe: string;
  actionScheme: string;
  executor: ExecutorConfig;
  numFeatures: number;
  featureSpecHash: string | null;
  windowSize: number;
}

export interface NamedRun extends EpisodeResult {
  name: string;
  conditions: RunConditions;
  /** The market it ran over (the env's data, shared, not copied). */
  market: MarketData;
}

function conditionsOf(env: TradingEnv): RunConditions {
  return {
    symbol: env.data.symbols[0]!,
    timeframe: env.data.timeframe,
    actionScheme: env.config.actionScheme,
    executor: { ...env.config.executor },
    numFeatures: env.data.numFeatures,
    featureSpecHash: env.data.specHash ?? null,
    windowSize: env.core.windowSize,
  };
}

/** A baseline name or a model version folder (manifest.json inside) → what to run; a clear error for anything else. */
export function policyRef(policy: string, flag = '--policy'): PolicyRef {
  if (isBaselineName(policy)) return { kind: 'baseline', name: policy };
  if (!existsSync(policy) || !statSync(policy).isDirectory()) {
    throw new InvalidArgumentError(
      `${flag}: '${policy}' is neither a baseline (${BASELINE_NAMES.join(', ')}) nor a model directory`,
    );
  }
  const mPath = join(policy, 'manifest.json');
  if (!existsSync(mPath)) {
    throw new InvalidArgumentError(
      `${flag}: directory '${policy}' holds no manifest.json: pass a model version folder (e.g. models/ppo-tg4_Trading-v0/v0001) or a baseline (${BASELINE_NAMES.join(', ')})`,
    );
  }
  let manifest: { envId?: unknown; envKwargs?: unknown };
  try {
    manifest = JSON.parse(readFileSync(mPath, 'utf8')) as typeof manifest;
  } catch (e) {
    throw new InvalidArgumentError(`${flag}: ${mPath} is not valid JSON (${(e as Error).message})`);
  }
  if (manifest.envId !== TRADING_ENV_ID) {
    throw new InvalidArgumentError(
      `${flag}: the model in '${policy}' was trained on ${String(manifest.envId)}; this runs ${TRADING_ENV_ID} models`,
    );
  }
  const kw = manifest.envKwargs;
  const envKwargs = kw !== null && typeof kw === 'object' && !Array.isArray(kw) ? (kw as Record<string, unknown>) : {};
  const trimmed = policy.replace(/\/+$/, '');
  return { kind: 'model', dir: policy, name: `${basename(dirname(trimmed))}/${basename(trimmed)}`, envKwargs };
}

/** The kwargs of a model's training conditions (TRAINING_CONDITIONS present in its manifest). */
export function trainingConditions(ref: PolicyRef & { kind: 'model' }): Record<string, unknown> {
  const kw = ref.envKwargs;
  return Object.fromEntries(TRAINING_CONDITIONS.filter((k) => kw[k] !== undefined).map((k) => [k, kw[k]]));
}

/**
 * The kwargs a baseline runs under beside a model: the model's conditions (data, costs, fills), but deciding every bar
 * as the rule was designed to. A decision interval is the trained policy's own, not a market condition: the bot's EMA-9
 * rule acts on the bar its flip is confirmed, and every k bars it would miss most flips.
 */
export function baselineConditions(kwargs: Record<string, unknown>): Record<string, unknown> {
  const { decisionInterval: _policysOwn, ...rest } = kwargs;
  return rest;
}

/** A saved model loaded for `env`: refused with MODEL_MISMATCH unless its obs size, action space and features fit. */
export function loadPolicyFor(dir: string, env: TradingEnv): InferencePolicy {
  return InferencePolicy.load(dir, {
    obsSize: env.core.obsDim,
    actionSpace: env.actionSpace.toJSON(),
    featureSpecHash: env.data.specHash ?? null,
  });
}

/** The deterministic decision of a saved model (under the env's action masks when it was trained with them). */
export function modelDecision(policy: InferencePolicy): TradingDecision {
  return (obs, env) => {
    const a = policy.decide(obs, policy.usesActionMasks ? env.actionMasks() : undefined);
    return typeof a === 'number' ? a : Float32Array.from(a);
  };
}

/** The env a policy runs on for `kwargs` (a baseline's own exits applied) and its decision there. */
export function openPolicy<E extends TradingEnv>(
  ref: PolicyRef,
  kwargs: Record<string, unknown>,
  seed: number,
  makeEnv: (kwargs: Record<string, unknown>) => E,
): [E, TradingDecision] {
  if (ref.kind === 'model') {
    const env = makeEnv(kwargs);
    return [env, modelDecision(loadPolicyFor(ref.dir, env))];
  }
  if (ref.kind === 'decision') {
    const executor = { ...((kwargs['executor'] ?? {}) as Record<string, unknown>), ...ref.executor };
    const env = makeEnv(ref.executor === undefined ? kwargs : { ...kwargs, executor });
    return [env, ref.decision(env)];
  }
  const baseline = createBaseline(ref.name, seed);
  const env = makeEnv(baselineKwargs(baseline, kwargs));
  return [env, baselineDecision(baseline, env)];
}

/**
 * One deterministic pass of each policy over the whole range of `kwargs`, each on its own env made from them by
 * `makeEnv` (default: a plain TradingEnv; a report may pass one that records fills).
 */
export function runOverRange(
  refs: readonly PolicyRef[],
  kwargs: Record<string, unknown>,
  seed: number,
  makeEnv: (kwargs: Record<string, unknown>) => TradingEnv = (kw) => new TradingEnv(kw),
): NamedRun[] {
  return refs.map((ref) => {
    const [env, decide] = openPolicy(ref, { ...kwargs, ...FULL_RANGE }, seed, makeEnv);
    try {
      const episode = runTradingEpisode(env, decide, { seed, start: 'first' });
      return {
        name: ref.name,
        conditions: conditionsOf(env),
        market: env.data,
        ...episode,
      };
    } finally {
      env.close();
    }
  });
}

/** `episodes` episodes of a policy on one env made from `kwargs` (its own starts and lengths): the first reset seeded. */
export function runEpisodes(
  ref: PolicyRef,
  kwargs: Record<string, unknown>,
  episodes: number,
  seed: number,
): EpisodeResult[] {
  const [env, decide] = openPolicy(ref, kwargs, seed, (kw) => new TradingEnv(kw));
  try {
    return Array.from({ length: episodes }, (_, k) => runTradingEpisode(env, decide, k === 0 ? { seed } : {}));
  } finally {
    env.close();
  }
}
