// Proximal Policy Optimization (Schulman et al. 2017), CleanRL-style: every hyperparameter with its default at the top,
// then the loss, then the loop. Behaviour follows Stable-Baselines3's PPO: GAE(λ), clipped surrogate, optionally clipped
// value loss, entropy bonus, per-minibatch advantage normalisation, minibatch epochs, Adam with linear LR decay,
// gradient-norm clipping, target-KL early stop (checked before the step), and truncated episodes bootstrapped with
// the value of their final observation. Acting uses typed-array copies of the weights (no tfjs call per env step).
// With `useActionMasks` it is sb3-contrib's MaskablePPO: the env's masks are stored with each step and applied to the
// logits both when acting and in the loss.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { ActorCritic, type ActorCriticConfig } from '../common/actor-critic.ts';
import { ClippedAdam } from '../common/optim.ts';
import { RolloutBuffer, normalizeInPlace, type RolloutMinibatch } from '../common/rollout-buffer.ts';
import { Normalizer } from '../common/running-stats.ts';
import { makeSchedule, type ScheduleSpec } from '../common/schedules.ts';
import { actionWidth } from '../common/spaces.ts';
import {
  ActionEncoder,
  describeTrainingEnv,
  finalObservation,
  type AgentVectorEnv,
  type EnvShape,
} from '../common/vec-env.ts';
import type { TrainCallbacks, TrainResult, TrainedAgent } from '../common/agent.ts';
import { EpisodeTracker, iterationInfo } from '../common/agent.ts';

export interface PpoConfig {
  /** Parallel sub-envs (the vector env must have this many). */
  nEnvs: number;
  /** Steps per sub-env per rollout; a rollout holds nEnvs × nSteps transitions. */
  nSteps: number;
  /** Minibatch size. */
  batchSize: number;
  /** Passes over each rollout. */
  nEpochs: number;
  /** Discount factor. */
  gamma: number;
  /** GAE λ (1 = Monte-Carlo returns, 0 = one-step TD). */
  gaeLambda: number;
  /** Adam learning rate: a number or { type: 'linear', start } (decays to 0 over training). */
  learningRate: ScheduleSpec;
  /** Policy ratio clip ε. */
  clipRange: ScheduleSpec;
  /** Clip of the value change around the old value; null = unclipped value loss (SB3's default). */
  clipRangeVf: ScheduleSpec | null;
  /** Entropy bonus coefficient. */
  entCoef: number;
  /** Value loss coefficient. */
  vfCoef: number;
  /** Global gradient-norm clip; null = none. */
  maxGradNorm: number | null;
  /** Stop an epoch loop when the approximate KL exceeds 1.5 × this; null = never. */
  targetKl: number | null;
  /** Standardise advantages per minibatch. */
  normalizeAdvantage: boolean;
  /** Running observation normalisation (VecNormalize), saved with the model. */
  normalizeObs: boolean;
  /** Running reward scaling by the discounted-return std. */
  normalizeReward: boolean;
  /** Adam ε (SB3 uses 1e-5 for PPO). */
  adamEpsilon: number;
  /** Network: SB3's default is separate 64-64 tanh actor and critic with orthogonal init. */
  policy: ActorCriticConfig;
  /** Maskable PPO: read env.actionMasks() every step and never choose a masked action (Discrete action spaces only). */
  useActionMasks: boolean;
}

export const PPO_DEFAULTS: PpoConfig = {
  nEnvs: 8,
  nSteps: 2048,
  batchSize: 64,
  nEpochs: 10,
  gamma: 0.99,
  gaeLambda: 0.95,
  learningRate: 3e-4,
  clipRange: 0.2,
  clipRangeVf: null,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  targetKl: null,
  normalizeAdvantage: true,
  normalizeObs: false,
  normalizeReward: false,
  adamEpsilon: 1e-5,
  policy: { shared: [], pi: [64, 64], vf: [64, 64], activation: 'tanh', init: 'orthogonal', logStdInit: 0 },
  useActionMasks: false,
};

/** The PPO loss on one minibatch, as SB3 writes it; returns the scalar loss and [pg, value, entropy, approxKl, clipFrac]. */
export function ppoLoss(
  policy: ActorCritic,
  t: {
    obs: tf.Tensor2D;
    actions: tf.Tensor;
    oldLogProbs: tf.Tensor1D;
    advantages: tf.Tensor1D;
    returns: tf.Tensor1D;
    oldValues: tf.Tensor1D;
    actionMasks?: tf.Tensor2D;
  },
  clipRange: number,
  clipRangeVf: number | null,
  entCoef: number,
  vfCoef: number,
): { loss: tf.Scalar; stats: tf.Tensor1D } {
  const { logProb, entropy, values } = policy.evaluate(t.obs, t.actions, t.actionMasks ?? null);
  const logRatio = tf.sub(logProb, t.oldLogProbs);
  const ratio = tf.exp(logRatio);
  const surr1 = tf.mul(t.advantages, ratio);
  const surr2 = tf.mul(t.advantages, tf.clipByValue(ratio, 1 - clipRange, 1 + clipRange));
  const pgLoss = tf.neg(tf.mean(tf.minimum(surr1, surr2))) as tf.Scalar;
  const vPred =
    clipRangeVf === null
      ? values
      : tf.add(t.oldValues, tf.clipByValue(tf.sub(values, t.oldValues), -clipRangeVf, clipRangeVf));
  const vfLoss = tf.mean(tf.square(tf.sub(t.returns, vPred))) as tf.Scalar;
  const entLoss = tf.neg(tf.mean(entropy)) as tf.Scalar;
  const loss = tf.addN([pgLoss, tf.mul(entCoef, entLoss), tf.mul(vfCoef, vfLoss)]) as tf.Scalar;
  // Diagnostics, not differentiated: approx KL = E[(r - 1) - log r] (Schulman's k3), share of clipped ratios.
  const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio));
  const clipFrac = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), clipRange), 'float32'));
  const stats = tf.stack([pgLoss, vfLoss, tf.neg(entLoss), approxKl, clipFrac]) as tf.Tensor1D;
  return { loss, stats };
}

export class PpoAgent implements TrainedAgent {
  readonly algo = 'ppo' as const;
  readonly shape: EnvShape;
  readonly config: PpoConfig;
  readonly policy: ActorCritic;
  readonly normalizer: Normalizer;
  private normObs: Float32Array;

  constructor(shape: EnvShape, config: PpoConfig, seed: number, maxBatch: number) {
    this.shape = shape;
    this.config = config;
    this.policy = new ActorCritic(shape.obsSize, shape.action, config.policy, new Rng(seed), Math.max(maxBatch, 1));
    this.normalizer = new Normalizer({
      obsSize: shape.obsSize,
      normObs: config.normalizeObs,
      normReward: config.normalizeReward,
      gamma: config.gamma,
    });
    this.normObs = new Float32Array(Math.max(maxBatch, 1) * shape.obsSize);
  }

  /** Deterministic actions for raw observations (normalised with the frozen statistics); masks as in training. */
  act(obs: Float32Array, n: number, actions: Float32Array, actionMasks: Uint8Array | null = null): void {
    if (this.normObs.length < n * this.shape.obsSize) this.normObs = new Float32Array(n * this.shape.obsSize);
    const x = this.normalizer.obs ? this.normalizer.normalizeObs(obs, n, this.normObs) : obs;
    this.policy.act(x, n, true, null, actions, null, null, actionMasks);
  }

  network(): Record<string, unknown> {
    return { kind: 'actor-critic', ...this.config.policy };
  }

  dispose(): void {
    this.policy.dispose();
  }
}

/** Trains PPO on `env` for `totalSteps` env steps (rounded up to whole rollouts). */
export async function trainPpo(
  env: AgentVectorEnv,
  totalSteps: number,
  seed: number,
  cfg: PpoConfig,
  callbacks: TrainCallbacks = {},
): Promise<TrainResult<PpoAgent>> {
  const shape = describeTrainingEnv(env, 'PPO', cfg.nEnvs);
  const N = env.numEnvs;
  if (cfg.batchSize < 1 || cfg.nSteps < 1 || cfg.nEpochs < 1)
    throw new InvalidArgumentError('PPO batchSize, nSteps and nEpochs must be ≥ 1');
  const D = shape.obsSize;
  const A = actionWidth(shape.action);
  const maskWidth = cfg.useActionMasks ? checkMaskable(env, shape) : 0;
  const rng = new Rng(seed);
  const agent = new PpoAgent(shape, cfg, rng.uint32(), N);
  const { policy, normalizer } = agent;
  const lrSchedule = makeSchedule(cfg.learningRate, 'learningRate');
  const clipSchedule = makeSchedule(cfg.clipRange, 'clipRange');
  const clipVfSchedule = cfg.clipRangeVf === null ? null : makeSchedule(cfg.clipRangeVf, 'clipRangeVf');
  const optimizer = new ClippedAdam(policy.variables(), lrSchedule(1), cfg.adamEpsilon, cfg.maxGradNorm);
  const buffer = new RolloutBuffer(cfg.nSteps, N, D, A, maskWidth);
  const encoder = new ActionEncoder(shape.action, N);
  const tracker = new EpisodeTracker(N);

  // Per-step scratch, allocated once.
  const obs = new Float32Array(N * D);
  const actions = new Float32Array(N * A);
  const logProbs = new Float32Array(N);
  const values = new Float32Array(N);
  const rewards = new Float32Array(N);
  const dones = new Uint8Array(N);
  const episodeStarts = new Uint8Array(N).fill(1);
  const oneObs = new Float32Array(D);
  const oneValue = new Float32Array(1);
  const lastValues = new Float32Array(N);
  const fullBatches = Math.floor(buffer.size / cfg.batchSize);
  const rest = buffer.size - fullBatches * cfg.batchSize;
  const mbFull = buffer.makeMinibatch(Math.min(cfg.batchSize, buffer.size));
  const mbRest = rest > 0 ? buffer.makeMinibatch(rest) : null;

  const reset = await env.reset({ seed: rng.uint32() });
  normalizer.observe(reset.observations, N, obs);

  const rollouts = Math.ceil(totalSteps / buffer.size);
  let steps = 0;
  let updates = 0;
  let envMs = 0;
  let netMs = 0;
  let stopped = false;
  let last: number[] = [0, 0, 0, 0, 0];
  const t0 = performance.now();

  for (let iter = 0; iter < rollouts && !stopped; iter++) {
    // ---- Collect a rollout with the current policy (typed-array forward pass). ----
    buffer.reset();
    for (let s = 0; s < cfg.nSteps; s++) {
      const ta = performance.now();
      const masks = maskWidth > 0 ? await readMasks(env, N * maskWidth) : null;
      policy.act(obs, N, false, rng, actions, logProbs, values, masks);
      const tb = performance.now();
      const r = await env.step(encoder.encode(actions, N));
      const tc = performance.now();
      envMs += tc - tb;
      rewards.set(r.rewards);
      tracker.record(r.rewards, r.terminated, r.truncated);
      for (let i = 0; i < N; i++) dones[i] = r.terminated[i]! | r.truncated[i]!;
      normalizer.scaleRewards(rewards, dones, N);
      // Truncation is not failure: add γ·V(final observation) so the return is bootstrapped past the time limit.
      for (let i = 0; i < N; i++) {
        if (r.truncated[i] && !r.terminated[i]) {
          const fin = finalObservation(r.infos[i], D);
          if (fin) {
            normalizer.normalizeObs(fin, 1, oneObs);
            policy.predictValues(oneObs, 1, oneValue);
            rewards[i] += cfg.gamma * oneValue[0]!;
          }
        }
      }
      buffer.add(obs, actions, rewards, episodeStarts, values, logProbs, masks);
      normalizer.observe(r.observations, N, obs);
      episodeStarts.set(dones);
      steps += N;
      netMs += tb - ta + (performance.now() - tc);
    }
    policy.predictValues(obs, N, lastValues);
    buffer.computeReturnsAndAdvantages(lastValues, dones, cfg.gamma, cfg.gaeLambda);

    // ---- Learn: nEpochs passes of shuffled minibatches. ----
    const tl = performance.now();
    // SB3 measures progress after the rollout's steps are counted (the last update runs at a learning rate near 0).
    const progressRemaining = Math.max(0, 1 - steps / totalSteps);
    const clip = clipSchedule(progressRemaining);
    const clipVf = clipVfSchedule ? clipVfSchedule(progressRemaining) : null;
    optimizer.learningRate = lrSchedule(progressRemaining);
    let continueTraining = true;
    for (let epoch = 0; epoch < cfg.nEpochs && continueTraining; epoch++) {
      const order = buffer.shuffle(rng);
      for (let b = 0; b * cfg.batchSize < buffer.size; b++) {
        const mb: RolloutMinibatch = b < fullBatches ? mbFull : (mbRest as RolloutMinibatch);
        buffer.gather(order, b * cfg.batchSize, mb);
        if (cfg.normalizeAdvantage && mb.size > 1) normalizeInPlace(mb.advantages);
        let stats: tf.Tensor1D | null = null;
        const norm = optimizer.step(
          () => {
            const t = {
              obs: tf.tensor2d(mb.obs, [mb.size, D]),
              actions:
                A === 1 && shape.action.kind === 'discrete'
                  ? tf.tensor1d(mb.actions)
                  : tf.tensor2d(mb.actions, [mb.size, A]),
              oldLogProbs: tf.tensor1d(mb.oldLogProbs),
              advantages: tf.tensor1d(mb.advantages),
              returns: tf.tensor1d(mb.returns),
              oldValues: tf.tensor1d(mb.oldValues),
              ...(mb.actionMasks ? { actionMasks: tf.tensor2d(mb.actionMasks, [mb.size, maskWidth], 'int32') } : {}),
            };
            const out = ppoLoss(policy, t, clip, clipVf, cfg.entCoef, cfg.vfCoef);
            stats = tf.keep(out.stats);
            return out.loss;
          },
          () => {
            last = Array.from((stats as tf.Tensor1D).dataSync());
            if (cfg.targetKl !== null && last[3]! > 1.5 * cfg.targetKl) {
              continueTraining = false;
              return false;
            }
            return true;
          },
        );
        (stats as tf.Tensor1D | null)?.dispose();
        if (norm === null) break;
        updates++;
      }
    }
    policy.sync();
    netMs += performance.now() - tl;

    const info = iterationInfo(
      { steps, updates, t0, envMs, netMs, tracker },
      {
        policy: last[0]!,
        value: last[1]!,
        entropy: last[2]!,
        approxKl: last[3]!,
        clipFraction: last[4]!,
        learningRate: optimizer.learningRate,
        clipRange: clip,
      },
    );
    if ((await callbacks.onIteration?.(info, agent)) === false) stopped = true;
  }
  optimizer.dispose();
  const elapsedS = (performance.now() - t0) / 1000;
  return { agent, steps, updates, elapsedS, envMs, netMs, episodes: tracker.episodes, stoppedEarly: stopped };
}

/** Refuses `useActionMasks` where it cannot work; returns the mask width (the number of discrete actions). */
function checkMaskable(env: AgentVectorEnv, shape: EnvShape): number {
  if (shape.action.kind !== 'discrete') {
    throw new InvalidArgumentError(
      `useActionMasks needs a Discrete action space (got ${JSON.stringify(shape.actionSpace)}): use a discrete action scheme or set useActionMasks: false`,
    );
  }
  if (typeof env.actionMasks !== 'function') {
    throw new InvalidArgumentError(
      'useActionMasks is set but this vector env has no actionMasks(): use an env that offers masks (tg4/Trading-v0 with a discrete scheme) or set useActionMasks: false',
    );
  }
  return shape.action.n;
}

async function readMasks(env: AgentVectorEnv, size: number): Promise<Uint8Array> {
  const m = await (env.actionMasks as () => Uint8Array | Promise<Uint8Array>).call(env);
  if (!(m instanceof Uint8Array) || m.length !== size) {
    throw new InvalidArgumentError(
      `env.actionMasks() must return a Uint8Array of numEnvs × actions = ${size} (got ${m instanceof Uint8Array ? `length ${m.length}` : typeof m})`,
    );
  }
  return m;
}
