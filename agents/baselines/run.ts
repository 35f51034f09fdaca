// Runs a baseline policy through a trading env for one episode (the shared loop in agents/common/trading-episode.ts),
// acting through the env's own action scheme: the same env (costs, stops, fills) a model is evaluated on.
import { InvalidArgumentError } from '../../src/core/errors.ts';
import type { TradingEnv } from '../../envs/trading/trading-env.ts';
import { runTradingEpisode, type EpisodeResult, type TradingDecision } from '../common/trading-episode.ts';
import { toAction, type BaselinePolicy } from './policy.ts';

export type { EpisodeResult } from '../common/trading-episode.ts';

export interface RunOptions {
  seed?: number;
  /** reset option: 'first' (default), 'random', a bar index or a time. */
  start?: number | string;
}

/** The env kwargs under which `policy` runs: `kwargs` with the exits the policy sets itself (its `executor`) on top. */
export function baselineKwargs(policy: BaselinePolicy, kwargs: Record<string, unknown>): Record<string, unknown> {
  if (policy.executor === undefined) return kwargs;
  const executor = (kwargs['executor'] ?? {}) as Record<string, unknown>;
  return { ...kwargs, executor: { ...executor, ...policy.executor } };
}

/** The decision function of a baseline on `env` (prepared on the env's frame). */
export function baselineDecision(policy: BaselinePolicy, env: TradingEnv): TradingDecision {
  for (const [k, v] of Object.entries(policy.executor ?? {})) {
    const have = (env.config.executor as Record<string, unknown>)[k];
    if (have !== v)
      throw new InvalidArgumentError(
        `baseline '${policy.name}' sets its own exits (executor.${k} ${String(v)}) but this env has ${String(have)}: make the env from baselineKwargs(policy, kwargs)`,
      );
  }
  policy.prepare(env.data.frames[0]!);
  const scale = env.scheme.exposure;
  return (_obs, e) => {
    const a = toAction(e.scheme, policy.position(e.barIndex, e.currentExposure / scale));
    return e.scheme.discrete ? a : Float32Array.of(a);
  };
}

/** One episode of `policy` on `env` (reset with `seed`, default 0), acting through the env's own action scheme. */
export function runBaseline(env: TradingEnv, policy: BaselinePolicy, opts: RunOptions = {}): EpisodeResult {
  return runTradingEpisode(env, baselineDecision(policy, env), { seed: opts.seed ?? 0, start: opts.start ?? 'first' });
}
