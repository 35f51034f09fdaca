// What the algorithms share with the CLI, the benchmark and the tests: a trained agent that acts deterministically and
// can be saved, progress callbacks, and episode-return bookkeeping.
import type { Normalizer } from './running-stats.ts';
import type { NamedWeight } from './model-io.ts';
import type { EnvShape } from './vec-env.ts';

export interface TrainedAgent {
  readonly algo: 'ppo' | 'dqn';
  readonly shape: EnvShape;
  readonly normalizer: Normalizer | null;
  /** Deterministic actions for `n` raw observations (index for discrete, unclipped values for box). */
  act(obs: Float32Array, n: number, actions: Float32Array, actionMasks?: Uint8Array | null): void;
  /** Architecture needed to rebuild the network from the saved weights. */
  network(): Record<string, unknown>;
  dispose(): void;
}

export interface SavableAgent extends TrainedAgent {
  namedWeights(): NamedWeight[];
}

export interface IterationInfo {
  steps: number;
  updates: number;
  elapsedS: number;
  stepsPerS: number;
  /** Milliseconds spent inside env.step and in network/learning code so far. */
  envMs: number;
  netMs: number;
  episodes: number;
  /** Mean raw return of the last 100 finished episodes (NaN before the first). */
  meanReturn: number;
  losses: Record<string, number>;
}

/** The progress record of one update, from an algorithm's running counters (t0: performance.now() at the start). */
export function iterationInfo(
  c: { steps: number; updates: number; t0: number; envMs: number; netMs: number; tracker: EpisodeTracker },
  losses: Record<string, number>,
): IterationInfo {
  const elapsedS = (performance.now() - c.t0) / 1000;
  const { steps, updates, envMs, netMs, tracker } = c;
  return {
    steps,
    updates,
    elapsedS,
    stepsPerS: steps / elapsedS,
    envMs,
    netMs,
    episodes: tracker.episodes,
    meanReturn: tracker.meanRecentReturn(),
    losses,
  };
}

export interface TrainCallbacks {
  /** Called after each rollout+update (PPO) or each training round (DQN); return false to stop training. */
  onIteration?: (info: IterationInfo, agent: TrainedAgent) => void | boolean | Promise<void | boolean>;
}

export interface TrainResult<A extends TrainedAgent> {
  agent: A;
  steps: number;
  updates: number;
  elapsedS: number;
  envMs: number;
  netMs: number;
  episodes: number;
  stoppedEarly: boolean;
}

/** Raw (unnormalised) episode returns per sub-env, and the mean of the last `window` finished episodes. */
export class EpisodeTracker {
  private readonly current: Float64Array;
  private readonly recent: Float64Array;
  private count = 0;
  episodes = 0;

  constructor(numEnvs: number, window = 100) {
    this.current = new Float64Array(numEnvs);
    this.recent = new Float64Array(window);
  }

  record(rewards: Float32Array, terminated: Uint8Array, truncated: Uint8Array): void {
    for (let i = 0; i < this.current.length; i++) {
      this.current[i] += rewards[i]!;
      if (terminated[i] || truncated[i]) {
        this.recent[this.count % this.recent.length] = this.current[i]!;
        this.count++;
        this.episodes++;
        this.current[i] = 0;
      }
    }
  }

  meanRecentReturn(): number {
    const n = Math.min(this.count, this.recent.length);
    if (n === 0) return NaN;
    let s = 0;
    for (let k = 0; k < n; k++) s += this.recent[k]!;
    return s / n;
  }
}
