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
import { nextVersionDir, saveModel, type ModelManifest } from './model-io.ts';
import { describeEnv, type AgentVectorEnv } from './vec-env.ts';
import type { IterationInfo, SavableAgent, TrainResult, TrainedAgent } from './agent.ts';
import { trainPpo, PPO_DEFAULTS, type PpoConfig, type PpoAgent } from '../ppo/ppo.ts';
import { PPO_PRESETS } from '../ppo/presets.ts';
import { trainDqn, checkDqnEnv, DQN_DEFAULTS, type DqnConfig, type DqnAgent } from '../dqn/dqn.ts';
import { DQN_PRESETS } from '../dqn/presets.ts';
import { openRemoteVecEnv } from './remote-env.ts';

export type AlgoName = 'ppo' | 'dqn';

export interface TrainRunOptions {
  envId: string;
  agent: AlgoName;
  /** Preset name (an env id in agents/<algo>/presets.ts, or 'default'); default: the env id when it has one. */
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
  envKwargs?: Record<string, unknown>;
  /** Kwargs of the evaluation env (e.g. the validation split of a trading env); default: envKwargs. */
  evalEnvKwargs?: Record<string, unknown>;
  /** Evaluate every this many steps (0 = only at the end); default: a twentieth of training. */
  evalFreq?: number;
  evalEpisodes?: number;
  /** Stop as soon as a periodic evaluation reaches this mean return (the benchmark's "time to solve"). */
  stopAtReturn?: number;
  /** Partial overrides of the preset's config (tests). */
  overrides?: Partial<PpoConfig> & Partial<DqnConfig>;
  /** Feature-spec hash recorded in the manifest; default: read from the env when it exposes one. */
  featureSpecHash?: string | null;
  onProgress?: (info: IterationInfo, evalResult: EvalPoint | null) => void;
  /** Write nothing to disk (tests of learning only). */
  dryRun?: boolean;
}

export interface EvalPoint {
  steps: number;
  elapsedS: number;
  mean: number;
  std: number;
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
  config: PpoConfig | DqnConfig;
  totalSteps: number;
}

export function resolvePreset(
  agent: AlgoName,
  envId: string,
  preset?: string,
): { name: string; totalSteps: number; config: PpoConfig | DqnConfig; envKwargs?: Record<string, unknown> } {
  const table: Record<
    string,
    { totalSteps: number; config: PpoConfig | DqnConfig; envKwargs?: Record<string, unknown> }
  > = agent === 'ppo' ? PPO_PRESETS : DQN_PRESETS;
  const name = preset ?? (table[envId] ? envId : 'default');
  if (name === 'default') return { name, totalSteps: 100_000, config: agent === 'ppo' ? PPO_DEFAULTS : DQN_DEFAULTS };
  const p = table[name];
  if (!p)
    throw new InvalidArgumentError(
      `unknown ${agent} preset '${name}': choose one of ${['default', ...Object.keys(table)].join(', ')}`,
    );
  return { name, totalSteps: p.totalSteps, config: p.config };
}

export function parseAlgo(s: string): AlgoName {
  if (s === 'ppo' || s === 'dqn') return s;
  throw new InvalidArgumentError(`--agent must be ppo or dqn (got '${s}')`);
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
  assertSeed(opts.seed, '--seed');
  const backend = await selectBackend(opts.backend ?? 'wasm');
  const preset = resolvePreset(opts.agent, opts.envId, opts.preset);
  const config = { ...preset.config, ...(opts.overrides ?? {}) } as PpoConfig | DqnConfig;
  const usesMasks = (config as Partial<PpoConfig>).useActionMasks === true;
  const totalSteps = opts.steps ?? preset.totalSteps;
  if (!Number.isSafeInteger(totalSteps) || totalSteps <= 0)
    throw new InvalidArgumentError(`--steps must be a positive integer (got ${totalSteps})`);
  const envKwargs = { ...(preset.envKwargs ?? {}), ...(opts.envKwargs ?? {}) };
  const env = await openEnv(opts.envId, config.nEnvs, envKwargs, opts.seed, opts.remote);
  let evalEnv: AgentVectorEnv | null = null;
  try {
    const shape = describeEnv(env);
    if (opts.agent === 'dqn') checkDqnEnv(shape);
    evalEnv = await openEnv(
      opts.envId,
      1,
      opts.evalEnvKwargs ? { ...(preset.envKwargs ?? {}), ...opts.evalEnvKwargs } : envKwargs,
      opts.seed + 1,
      opts.remote,
    );
    const featureSpecHash = opts.featureSpecHash !== undefined ? opts.featureSpecHash : featureSpecHashOf(env);
    const evalEpisodes = opts.evalEpisodes ?? 10;
    const evalFreq = opts.evalFreq ?? Math.max(1, Math.floor(totalSteps / 20));
    const dir = opts.dryRun ? null : (opts.out ?? nextVersionDir(opts.modelsRoot ?? 'models', opts.agent, opts.envId));
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
    const runEval = async (agent: TrainedAgent, steps: number, elapsedS: number): Promise<EvalPoint> => {
      const r = await evaluate(
        evalEnv as AgentVectorEnv,
        (o, n, a, m) => agent.act(o, n, a, m ?? null),
        evalEpisodes,
        evalSeed,
        { useActionMasks: usesMasks },
      );
      const p = { steps, elapsedS, mean: r.mean, std: r.std };
      evals.push(p);
      return p;
    };
    const onIteration = async (info: IterationInfo, agent: TrainedAgent): Promise<boolean> => {
      let ev: EvalPoint | null = null;
      if (evalFreq > 0 && info.steps >= nextEval) {
        nextEval += evalFreq;
        ev = await runEval(agent, info.steps, info.elapsedS);
        if (opts.stopAtReturn !== undefined && ev.mean >= opts.stopAtReturn && !solvedAt) solvedAt = ev;
      }
      if (!Number.isNaN(info.meanReturn)) curve.push({ steps: info.steps, meanReturn: info.meanReturn });
      if (metricsPath) appendFileSync(metricsPath, JSON.stringify({ ...info, eval: ev }) + '\n');
      opts.onProgress?.(info, ev);
      return !(solvedAt && opts.stopAtReturn !== undefined);
    };
    const train: TrainResult<PpoAgent | DqnAgent> =
      opts.agent === 'ppo'
        ? await trainPpo(env, totalSteps, opts.seed, config as PpoConfig, { onIteration })
        : await trainDqn(env, totalSteps, opts.seed, config as DqnConfig, { onIteration });
    const agent = train.agent as SavableAgent & (PpoAgent | DqnAgent);
    const finalEval = await evaluate(
      evalEnv,
      (o, n, a, m) => agent.act(o, n, a, m ?? null),
      Math.max(evalEpisodes, 20),
      evalSeed,
      { useActionMasks: usesMasks },
    );
    let manifest: ModelManifest | null = null;
    if (dir) {
      const weights =
        agent.algo === 'ppo' ? (agent as PpoAgent).policy.namedWeights() : (agent as DqnAgent).namedWeights();
      manifest = saveModel(
        dir,
        {
          algo: opts.agent,
          envId: opts.envId,
          observationSpace: shape.observationSpace,
          actionSpace: shape.actionSpace,
          obsSize: shape.obsSize,
          featureSpecHash,
          normalization: agent.normalizer.active ? agent.normalizer.toJSON() : null,
          network: agent.network(),
          hyperparameters: { preset: preset.name, totalSteps, ...config },
          metrics: {
            steps: train.steps,
            updates: train.updates,
            elapsedS: train.elapsedS,
            stepsPerS: train.steps / train.elapsedS,
            envShare: train.envMs / (train.envMs + train.netMs),
            episodes: train.episodes,
            finalEval: { episodes: finalEval.returns.length, mean: finalEval.mean, std: finalEval.std },
            evals,
            solvedAt,
          },
          created: new Date().toISOString(),
          seed: opts.seed,
          backend: backend.active,
          envKwargs,
        } as Omit<ModelManifest, 'weights' | 'format'>,
        weights,
      );
      writeFileSync(
        join(dir, 'learning-curve.svg'),
        lineChart(
          [
            {
              name: 'training episode return (mean of last 100)',
              x: curve.map((c) => c.steps),
              y: curve.map((c) => c.meanReturn),
            },
            {
              name: `deterministic eval (${evalEpisodes} episodes)`,
              x: evals.map((e) => e.steps),
              y: evals.map((e) => e.mean),
            },
          ],
          {
            title: `${opts.agent.toUpperCase()} on ${opts.envId} (seed ${opts.seed}, ${backend.active})`,
            xLabel: 'env steps',
            yLabel: 'episode return',
          },
        ),
      );
    }
    return { dir, manifest, backend, train, evals, finalEval, solvedAt, config, totalSteps };
  } finally {
    await env.close();
    await evalEnv?.close();
  }
}
