// `tg4 eval`: runs a saved model deterministically on an env and prints the mean ± std of the episode returns. The
// model is rebuilt as a typed-array policy (agents/infer), and refused with MODEL_MISMATCH when it is corrupt or
// does not fit the env (observation size, action space, feature-spec hash). Trading models run through the model
// runner (agents/common/model-runner.ts), as backtests do, and their episodes' trading metrics are printed too.
import type { Command } from 'commander';
import '../../../envs/index.ts';
import { makeVec } from '../../core/registry.ts';
import { InvalidArgumentError } from '../../core/errors.ts';
import { assertSeed } from '../../core/rng.ts';
import { evaluate, meanStd, type EvalResult } from '../../../agents/common/evaluate.ts';
import { describeEnv } from '../../../agents/common/vec-env.ts';
import { InferencePolicy } from '../../../agents/infer/policy.ts';
import { loadModel } from '../../../agents/common/model-io.ts';
import { featureSpecHashOf } from '../../../agents/common/train-run.ts';
import { policyRef, runEpisodes, TRADING_ENV_ID } from '../../../agents/common/model-runner.ts';
import type { EpisodeResult } from '../../../agents/common/trading-episode.ts';
import { pct } from '../../../agents/common/trading-format.ts';
import { jsonObjectFlag } from '../flags.ts';

export interface EvalModelOptions {
  model: string;
  env?: string;
  episodes: number;
  seed: number;
  kwargs?: Record<string, unknown>;
}

export interface EvalModelResult extends EvalResult {
  envId: string;
  /** Trading envs: each episode's end-of-episode metrics (total return, trades, …), in episode order. */
  trading?: EpisodeResult['metrics'][];
}

export async function evalModel(o: EvalModelOptions): Promise<EvalModelResult> {
  assertSeed(o.seed, '--seed');
  if (!Number.isSafeInteger(o.episodes) || o.episodes <= 0)
    throw new InvalidArgumentError(`--episodes must be a positive integer (got ${o.episodes})`);
  const peek = loadModel(o.model);
  const envId = o.env ?? peek.manifest.envId;
  const kwargs = o.kwargs ?? (peek.manifest as unknown as { envKwargs?: Record<string, unknown> }).envKwargs ?? {};
  if (envId === TRADING_ENV_ID && peek.manifest.envId === TRADING_ENV_ID) {
    const episodes = runEpisodes(policyRef(o.model, '--model'), kwargs, o.episodes, o.seed);
    const returns = episodes.map((e) => e.rewards.reduce((a, b) => a + b, 0));
    const lengths = episodes.map((e) => e.rewards.length);
    return { returns, lengths, ...meanStd(returns), envId, trading: episodes.map((e) => e.metrics) };
  }
  const env = makeVec(envId, { numEnvs: 1, kwargs, autoresetMode: 'same-step' });
  try {
    const shape = describeEnv(env);
    const policy = InferencePolicy.load(o.model, {
      obsSize: shape.obsSize,
      actionSpace: shape.actionSpace,
      featureSpecHash: featureSpecHashOf(env),
    });
    const r = await evaluate(env, (obs, n, a, masks) => policy.act(obs, n, a, masks ?? null), o.episodes, o.seed, {
      useActionMasks: policy.usesActionMasks,
    });
    return { ...r, envId };
  } finally {
    env.close();
  }
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('run a saved model deterministically and print mean ± std of the episode returns')
    .requiredOption('--model <dir>', 'model version folder (holding manifest.json and weights.bin)')
    .option('--env <id>', 'env id (default: the one the model was trained on)')
    .option('--episodes <n>', 'episodes', (v) => Number(v), 20)
    .option('--seed <n>', 'seed of the evaluation episodes', (v) => Number(v), 0)
    .option(
      '--kwargs <json>',
      'env kwargs as a JSON object (default: the ones it was trained with), e.g. \'{"range":"test"}\'',
    )
    .option('--json', 'print the returns as JSON')
    .action(
      async (o: { model: string; env?: string; episodes: number; seed: number; kwargs?: string; json?: boolean }) => {
        const kwargs = o.kwargs !== undefined ? jsonObjectFlag('kwargs', o.kwargs) : undefined;
        const r = await evalModel({
          model: o.model,
          episodes: o.episodes,
          seed: o.seed,
          ...(o.env ? { env: o.env } : {}),
          ...(kwargs ? { kwargs } : {}),
        });
        if (o.json) {
          const { envId, trading, ...rest } = r;
          process.stdout.write(JSON.stringify({ env: envId, ...rest, ...(trading ? { trading } : {}) }) + '\n');
          return;
        }
        process.stdout.write(
          `${r.envId}: ${r.mean.toFixed(2)} ± ${r.std.toFixed(2)} over ${r.returns.length} deterministic episodes\n`,
        );
        if (r.trading) {
          const m = r.trading;
          const avg = (f: (x: (typeof m)[number]) => number): number => m.reduce((a, x) => a + f(x), 0) / m.length;
          process.stdout.write(
            `trading: mean total return ${pct(avg((x) => x.totalReturnPct))}, mean max drawdown ${pct(avg((x) => x.maxDrawdown))}, ` +
              `mean trades ${avg((x) => x.totalTrades).toFixed(1)}, mean fees ${avg((x) => x.feesPaid).toFixed(2)} per episode\n`,
          );
        }
      },
    );
}
