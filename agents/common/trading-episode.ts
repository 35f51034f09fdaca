// The one loop that runs a policy through a trading env: reset, decide at each bar's close, step, until the episode
// ends; it returns numbers only (the equity curve, rewards, the env's end-of-episode metrics). Baselines, saved models,
// `tg4 backtest`, the out-of-sample comparison after training and `tg4 eval` on trading envs all run through it.
import type { EpisodeMetrics } from '../../envs/trading/trading-core.ts';
import type { TradingAction, TradingEnv } from '../../envs/trading/trading-env.ts';

export interface EpisodeResult {
  /** Bar time (ms) and equity of every decision point, from the reset to the last step. */
  time: Float64Array;
  equity: Float64Array;
  rewards: Float64Array;
  metrics: EpisodeMetrics;
  terminated: boolean;
}

/** A decision for the env's current observation (the env is passed for what a policy reads beside it: masks, bars). */
export type TradingDecision = (observation: Float32Array, env: TradingEnv) => TradingAction;

export interface EpisodeOptions {
  /** Seed of the reset; none: the env's random stream goes on from its last episode (later episodes of an eval). */
  seed?: number;
  /** Reset option `start`: 'first', 'random', a bar index or a time; default: the env's own `start` kwarg. */
  start?: number | string;
}

/** One episode of `decide` on `env`. */
export function runTradingEpisode(env: TradingEnv, decide: TradingDecision, opts: EpisodeOptions = {}): EpisodeResult {
  const reset = env.reset({
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.start !== undefined ? { options: { start: opts.start } } : {}),
  });
  let observation = reset.observation;
  const rewards: number[] = [];
  for (;;) {
    const r = env.step(decide(observation, env));
    rewards.push(r.reward);
    if (r.terminated || r.truncated) {
      return {
        ...env.equityCurve(),
        rewards: Float64Array.from(rewards),
        metrics: r.info['metrics'] as EpisodeResult['metrics'],
        terminated: r.terminated,
      };
    }
    observation = r.observation;
  }
}
