// Runs a baseline policy through a trading env for one episode and returns what a report needs: the equity curve,
// the rewards and the env's end-of-episode metrics. The same env (costs, stops, fills) a model is evaluated on.
import type { AccountMetrics } from '../../src/execution/metrics.ts';
import type { TradingEnv } from '../../envs/trading/trading-env.ts';
import { toAction, type BaselinePolicy } from './policy.ts';

export interface EpisodeResult {
  time: Float64Array;
  equity: Float64Array;
  rewards: Float64Array;
  metrics: AccountMetrics & { steps: number; startTime: string; endTime: string };
  terminated: boolean;
}

export interface RunOptions {
  seed?: number;
  /** reset option: 'first' (default), 'random', a bar index or a time. */
  start?: number | string;
}

/** One episode of `policy` on `env` (reset with `seed`), acting through the env's own action scheme. */
export function runBaseline(env: TradingEnv, policy: BaselinePolicy, opts: RunOptions = {}): EpisodeResult {
  policy.prepare(env.data.frames[0]!);
  env.reset({ seed: opts.seed ?? 0, options: { start: opts.start ?? 'first' } });
  const rewards: number[] = [];
  const scale = env.scheme.exposure;
  for (;;) {
    const p = policy.position(env.barIndex, env.currentExposure / scale);
    const a = toAction(env.scheme, p);
    const r = env.step(env.scheme.discrete ? a : Float32Array.of(a));
    rewards.push(r.reward);
    if (r.terminated || r.truncated) {
      const curve = env.equityCurve();
      return {
        ...curve,
        rewards: Float64Array.from(rewards),
        metrics: r.info.metrics as EpisodeResult['metrics'],
        terminated: r.terminated,
      };
    }
  }
}
