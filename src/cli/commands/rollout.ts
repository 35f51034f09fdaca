// `tg4 rollout`: runs episodes of a registered env with a seeded random policy and prints each episode's return.
import type { Command } from 'commander';
import '../../../envs/index.ts';
import { make } from '../../core/registry.ts';
import { InvalidArgumentError } from '../../core/errors.ts';
import { assertSeed } from '../../core/rng.ts';
import type { RenderMode } from '../../core/types.ts';
import { meanStd } from '../../../agents/common/evaluate.ts';
import { jsonObjectFlag } from '../flags.ts';

export interface RolloutOptions {
  env: string;
  episodes: number;
  seed: number;
  render?: RenderMode;
  kwargs?: Record<string, unknown>;
  /** Stop an episode after this many steps (on top of the env's own limit). */
  maxSteps?: number;
  onFrame?: (frame: string) => void;
}

export interface EpisodeSummary {
  episode: number;
  return: number;
  length: number;
  terminated: boolean;
  truncated: boolean;
}

/**
 * Seeding: the first reset gets `seed` and the action space is seeded with `seed`; later episodes continue both
 * streams (reset() without a seed), so the whole run is one reproducible sequence.
 */
export function rollout(opts: RolloutOptions): EpisodeSummary[] {
  const kwargs = { ...(opts.kwargs ?? {}), ...(opts.render ? { renderMode: opts.render } : {}) };
  const env = make(opts.env, kwargs);
  env.actionSpace.seed(opts.seed);
  const out: EpisodeSummary[] = [];
  try {
    for (let ep = 0; ep < opts.episodes; ep++) {
      env.reset(ep === 0 ? { seed: opts.seed } : {});
      if (opts.render) emit(env.render(), opts.onFrame);
      let ret = 0,
        len = 0,
        terminated = false,
        truncated = false;
      while (!terminated && !truncated) {
        const r = env.step(env.actionSpace.sample());
        ret += r.reward;
        len++;
        terminated = r.terminated;
        truncated = r.truncated || (opts.maxSteps !== undefined && len >= opts.maxSteps);
        if (opts.render) emit(env.render(), opts.onFrame);
      }
      out.push({ episode: ep + 1, return: ret, length: len, terminated, truncated });
    }
  } finally {
    env.close();
  }
  return out;
}

function emit(frame: unknown, onFrame?: (f: string) => void): void {
  if (typeof frame === 'string' && onFrame) onFrame(frame);
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError(`--${name} must be a positive integer (got "${v}")`);
  return n;
}

export function register(program: Command): void {
  program
    .command('rollout')
    .description('run episodes of an env with a seeded random policy and print the episode returns')
    .option('--env <id>', 'registered env id (see `tg4 envs`)', 'CartPole-v1')
    .option('--episodes <n>', 'number of episodes', '5')
    .option('--seed <s>', 'seed of the first reset and of the action sampler', '0')
    .option('--render <mode>', 'print frames as the episode runs: ansi')
    .option('--max-steps <n>', 'cut each episode after n steps')
    .option('--kwargs <json>', 'env options as a JSON object, e.g. \'{"suttonBartoReward":true}\'')
    .option('--json', 'print the episodes as JSON')
    .action(
      (flags: {
        env: string;
        episodes: string;
        seed: string;
        render?: string;
        maxSteps?: string;
        kwargs?: string;
        json?: boolean;
      }) => {
        const seed = Number(flags.seed);
        if (!/^\d+$/.test(flags.seed.trim()))
          throw new InvalidArgumentError(`--seed must be a non-negative integer (got "${flags.seed}")`);
        assertSeed(seed, '--seed');
        if (flags.render !== undefined && flags.render !== 'ansi')
          throw new InvalidArgumentError(`--render supports only "ansi" in a terminal (got "${flags.render}")`);
        const kwargs = flags.kwargs !== undefined ? jsonObjectFlag('kwargs', flags.kwargs) : {};
        const episodes = rollout({
          env: flags.env,
          episodes: positiveInt('episodes', flags.episodes),
          seed,
          render: (flags.render as RenderMode | undefined) ?? null,
          kwargs,
          ...(flags.maxSteps !== undefined ? { maxSteps: positiveInt('max-steps', flags.maxSteps) } : {}),
          onFrame: flags.json ? undefined : (f) => process.stdout.write(`${f}\n`),
        });
        const returns = episodes.map((e) => e.return);
        const { mean, std } = meanStd(returns);
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ env: flags.env, seed, episodes, meanReturn: mean, stdReturn: std }, null, 2)}\n`,
          );
          return;
        }
        for (const e of episodes) {
          process.stdout.write(
            `episode ${e.episode}: return ${fmt(e.return)}, length ${e.length}, ${e.terminated ? 'terminated' : 'truncated'}\n`,
          );
        }
        process.stdout.write(
          `${flags.env}, seed ${seed}: mean return ${fmt(mean)} ± ${fmt(std)} over ${episodes.length} episode(s)\n`,
        );
      },
    );
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}
