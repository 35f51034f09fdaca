// One training run from start to saved model, shared by `tg4 train`, the benchmark and the tests: pick the backend and
// preset, open the vector env (local or remote), train with periodic deterministic evaluation, write metrics.jsonl,
// the learning-curve SVG and the model (manifest.json + weights.bin) into a registry version folder.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../envs/index.ts';
import { makeVec } from '../../src/core/registry.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { assertSeed } from '../../src/core/rng.ts';
import { lineChart } from '../../src/report/svg-plot.ts';
import { selectBackend, type BackendName, type BackendInfo } from './backend.ts';
import { evaluate, type EvalResult } from './evaluate.ts';
import { tradingEvalFigures, type TradingEvalFigures } from './eval-figures.ts';
import { nextVersionDir, saveModel, type ModelManifest } from './model-io.ts';
import { describeEnv, type AgentVectorEnv } from './vec-env.ts';
import type { IterationInfo, TrainResult, TrainedAgent } from './agent.ts';
import { resolvePreset, withUserKwargs, type AlgoName, type AlgorithmSpec } from './algorithm.ts';
import type { PpoConfig } from '../ppo/ppo.ts';
import { PPO_SPEC } from '../ppo/spec.ts';
import type { DqnConfig } from '../dqn/dqn.ts';
import { DQN_SPEC } from '../dqn/spec.ts';
import { openRemoteVecEnv } from './remote-env.ts';

export type { AlgoName } from './algorithm.ts';

/** Every algorithm `tg4 train --agent` offers, by name. */
export const ALGORITHMS = { ppo: PPO_SPEC, dqn: DQN_SPEC } as const;

export interface TrainRunOptions {
  envId: string;
  agent: AlgoName;
  /** Preset name (see the algorithm's spec.ts, or 'default'); default: the env id's when it has one. */
  preset?: string;
  /** Env steps; default: the preset's. */
  steps?: number;
  seed: number;
  backend?: BackendName;
  /** tcp://host:port of a `tg4 serve` env server; default: envs run in this process. */
  remote?: string;
  /** Model folder; default: the next version folder under `modelsRoot`. */
  out?: string;
  modelsRoot?: string;
  /** Env kwargs; they override the preset's env kwargs key by key. */
  envKwargs?: Record<string, unknown>;
  /** Kwargs changed for the evaluation env (e.g. the validation split of a trading env), on top of the training env's. */
  evalEnvOverrides?: Record<string, unknown>;
  /** Evaluate every this many steps (0 = only at the end); default: a twentieth of training. */
  evalFreq?: number;
  evalEpisodes?: number;
  /**
   * The evaluation env runs one fixed range from a fixed start (a trading validation split with start 'first'): the
   * deterministic policy gives the same episode every time, so each evaluation runs it once.
   */
  evalFixedRange?: boolean;
  /** Stop as soon as a periodic evaluation reaches this mean return (the benchmark's "time to solve"). */
  stopAtReturn?: number;
  /** Hyperparameters changed from the preset's (keys of the algorithm's config only). */
  overrides?: Partial<PpoConfig> | Partial<DqnConfig>;
  /** Feature-spec hash recorded in the manifest; default: read from the env when it exposes one. */
  featureSpecHash?: string | null;
  /** Extra manifest fields from the caller (the registry's provenance: code version, parent, data range), given the final env kwargs. */
  manifestExtras?: (envKwargs: Record<string, unknown>) => Record<string, unknown>;
  onProgress?: (info: IterationInfo, evalResult: EvalPoint | null) => void;
  /** Write nothing to disk (tests of learning only). */
  dryRun?: boolean;
  /** Polled after each update (src/cli/interrupt.ts): once requested, training stops there, saved marked partial. */
  interrupt?: { readonly requested: boolean; readonly reason: string };
}

export interface EvalPoint {
  steps: number;
  elapsedS: number;
  /** Mean and std of the evaluation episodes' returns (sums of rewards). */
  mean: number;
  std: number;
  /** Trading envs: the evaluation in a trader's terms (return %, equity, trades, fees, ruin); else null. */
  trading: TradingEvalFigures | null;
}

export interface TrainRunResult {
  dir: string | null;
  manifest: ModelManifest | null;
  backend: BackendInfo;
  train: TrainResult<TrainedAgent>;
  evals: EvalPoint[];
  finalEval: EvalResult;
  /** First evaluation whose mean reached stopAtReturn (or the env's reward threshold). */
  solvedAt: EvalPoint | null;
  preset: string;
  config: PpoConfig | DqnConfig;
  /** The kwargs the training env was made with: the preset's, overridden by the caller's. */
  envKwargs: Record<string, unknown>;
  totalSteps: number;
}

export function parseAlgo(s: string): AlgoName {
  if (Object.hasOwn(ALGORITHMS, s)) return s as AlgoName;
  throw new InvalidArgumentError(`--agent must be ${Object.keys(ALGORITHMS).join(' or ')} (got '${s}')`);
}

async function openEnv(
  envId: string,
  numEnvs: number,
  kwargs: Record<string, unknown>,
  seedHint: number,
  remote?: string,
): Promise<AgentVectorEnv> {
  if (remote) return openRemoteVecEnv(remote, envId, numEnvs, kwargs, seedHint);
  return makeVec(envId, { numEnvs, kwargs, autoresetMode: 'same-step' });
}

/** The env's feature-spec hash (declared by the trading envs), else null. */
export function featureSpecHashOf(env: { readonly featureSpecHash?: string | null }): string | null {
  return env.featureSpecHash ?? null;
}

export async function runTraining(opts: TrainRunOptions): Promise<TrainRunResult> {
  const spec = ALGORITHMS[parseAlgo(opts.agent)] as AlgorithmSpec<PpoConfig | DqnConfig, TrainedAgent>;
  return trainWith(spec, opts);
}

async function trainWith<C extends PpoConfig | DqnConfig>(
  spec: AlgorithmSpec<C, TrainedAgent>,
  opts: TrainRunOptions,
): Promise<TrainRunResult> {
  assertSeed(opts.seed, '--seed');
  const preset = resolvePreset(spec, opts.envId, opts.preset, opts.overrides);
  const { config } = preset;
  const totalSteps = opts.steps ?? preset.totalSteps;
  if (!Number.isSafeInteger(totalSteps) || totalSteps <= 0)
    throw new InvalidArgumentError(`--steps must be a positive integer (got ${totalSteps})`);
  const backend = await selectBackend(opts.backend ?? 'wasm');
  const envKwargs = withUserKwargs(preset.envKwargs, opts.envKwargs);
  const usesMasks = spec.usesActionMasks(config);
  const env = await openEnv(opts.envId, config.nEnvs, envKwargs, opts.seed, opts.remote);
  let evalEnv: AgentVectorEnv | null = null;
  try {
    const shape = describeEnv(env);
    spec.checkEnv(shape, config);
    evalEnv = await openEnv(
      opts.envId,
      1,
      { ...envKwargs, ...(opts.evalEnvOverrides ?? {}) },
      opts.seed + 1,
      opts.remote,
    );
    const featureSpecHash = opts.featureSpecHash !== undefined ? opts.featureSpecHash : featureSpecHashOf(env);
    const evalEpisodes = opts.evalFixedRange ? 1 : (opts.evalEpisodes ?? 10);
    const evalFreq = opts.evalFreq ?? Math.max(1, Math.floor(totalSteps / 20));
    const dir = opts.dryRun ? null : (opts.out ?? nextVersionDir(opts.modelsRoot ?? 'models', spec.name, opts.envId));
    const metricsPath = dir ? join(dir, 'metrics.jsonl') : null;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(metricsPath!, '');
    }
    const evals: EvalPoint[] = [];
    const curve: { steps: number; meanReturn: number }[] = [];
    let solvedAt: EvalPoint | null = null;
    let nextEval = evalFreq;
    const evalSeed = opts.seed + 1_000_003;
    const runEval = (agent: TrainedAgent, episodes: number): Promise<EvalResult> =>
      evaluate(evalEnv as AgentVectorEnv, (o, n, a, m) => agent.act(o, n, a, m ?? null), episodes, evalSeed, {
        useActionMasks: usesMasks,
      });
    const onIteration = async (info: IterationInfo, agent: TrainedAgent): Promise<boolean> => {
      // The update loop awaits only resolved promises: let a signal handler run between updates.
      if (opts.interrupt) await new Promise<void>((resolve) => setImmediate(resolve));
      let ev: EvalPoint | null = null;
      if (evalFreq > 0 && info.steps >= nextEval) {
        nextEval += evalFreq;
        const r = await runEval(agent, evalEpisodes);
        ev = { steps: info.steps, elapsedS: info.elapsedS, mean: r.mean, std: r.std, trading: tradingEvalFigures(r) };
        evals.push(ev);
        if (opts.stopAtReturn !== undefined && ev.mean >= opts.stopAtReturn && !solvedAt) solvedAt = ev;
      }
      if (!Number.isNaN(info.meanReturn)) curve.push({ steps: info.steps, meanReturn: info.meanReturn });
      if (metricsPath) appendFileSync(metricsPath, JSON.stringify({ ...info, eval: ev }) + '\n');
      opts.onProgress?.(info, ev);
      return !(solvedAt && opts.stopAtReturn !== undefined) && opts.interrupt?.requested !== true;
    };
    const train = await spec.train(env, totalSteps, opts.seed, config, { onIteration });
    const agent = train.agent;
    const partial = opts.interrupt?.requested ? { reason: opts.interrupt.reason, steps: train.steps } : null;
    const finalEpisodes = opts.evalFixedRange ? 1 : partial ? Math.min(evalEpisodes, 3) : Math.max(evalEpisodes, 20);
    const finalEval = await runEval(agent, finalEpisodes);
    let manifest: ModelManifest | null = null;
    if (dir) {
      manifest = saveModel(
        dir,
        {
          algo: spec.name,
          envId: opts.envId,
          observationSpace: shape.observationSpace,
          actionSpace: shape.actionSpace,
          obsSize: shape.obsSize,
          featureSpecHash,
          normalization: agent.normalizer?.active ? agent.normalizer.toJSON() : null,
          network: agent.network(),
          hyperparameters: { preset: preset.name, totalSteps, ...config },
          metrics: {
            steps: train.steps,
            updates: train.updates,
            elapsedS: train.elapsedS,
            stepsPerS: train.steps / train.elapsedS,
            envShare: train.envMs / (train.envMs + train.netMs),
            episodes: train.episodes,
            finalEval: {
              episodes: finalEval.returns.length,
              mean: finalEval.mean,
              std: finalEval.std,
              trading: tradingEvalFigures(finalEval),
            },
            evals,
            solvedAt,
          },
          created: new Date().toISOString(),
          seed: opts.seed,
          backend: backend.active,
          envKwargs,
          ...(opts.manifestExtras?.(envKwargs) ?? {}),
          ...(partial ? { partial } : {}),
        } as Omit<ModelManifest, 'weights' | 'format'>,
        spec.weights(agent),
      );
      writeFileSync(join(dir, 'learning-curve.svg'), learningCurve(spec.name, opts, backend.active, curve, evals));
    }
    return {
      dir,
      manifest,
      backend,
      train,
      evals,
      finalEval,
      solvedAt,
      preset: preset.name,
      config,
      envKwargs,
      totalSteps,
    };
  } finally {
    await env.close();
    await evalEnv?.close();
  }
}

function learningCurve(
  algo: AlgoName,
  opts: TrainRunOptions,
  backend: string,
  curve: readonly { steps: number; meanReturn: number }[],
  evals: readonly EvalPoint[],
): string {
  return lineChart(
    [
      {
        name: 'training: sum of rewards per episode (mean of the last 100 episodes, sampled actions)',
        x: curve.map((c) => c.steps),
        y: curve.map((c) => c.meanReturn),
      },
      {
        name: opts.evalFixedRange
          ? 'evaluation: sum of rewards of one deterministic pass over the evaluation range'
          : `evaluation: mean sum of rewards of ${opts.evalEpisodes ?? 10} deterministic episodes`,
        x: evals.map((e) => e.steps),
        y: evals.map((e) => e.mean),
      },
    ],
    {
      title: `${algo.toUpperCase()} on ${opts.envId} (seed ${opts.seed}, ${backend})`,
      xLabel: 'env steps',
      yLabel: 'episode return (sum of rewards)',
    },
  );
}
