// Deep Q-Network (Mnih et al. 2015), CleanRL-style: the config with its defaults at the top, then the loss, then the
// loop. Behaviour follows Stable-Baselines3's DQN: uniform replay on typed arrays, a target network copied every
// `targetUpdateInterval` env steps, Huber (smooth-L1) TD loss, ε decaying linearly over `explorationFraction` of
// training, `gradientSteps` updates every `trainFreq` steps, gradient-norm clipping; plus optional double DQN (van
// Hasselt et al. 2016: the online net picks the next action, the target net values it). Truncated transitions keep
// bootstrapping from their real final observation; only termination cuts the return.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng.ts';
import { Tg4Error } from '../../src/core/errors.ts';
import { MlpForward, argmax, type Activation } from '../common/forward.ts';
import { type DenseLayer, applyLayers, mlp, variablesOf, type InitKind } from '../common/mlp.ts';
import { ClippedAdam } from '../common/optim.ts';
import { ReplayBuffer, type ReplaySample } from '../common/replay-buffer.ts';
import { Normalizer } from '../common/running-stats.ts';
import { linearFraction, makeSchedule, type ScheduleSpec } from '../common/schedules.ts';
import { describeTrainingEnv, finalObservation, type AgentVectorEnv, type EnvShape } from '../common/vec-env.ts';
import type { NamedWeight } from '../common/model-io.ts';
import type { TrainCallbacks, TrainResult, TrainedAgent } from '../common/agent.ts';
import { EpisodeTracker, iterationInfo } from '../common/agent.ts';

export interface DqnConfig {
  /** Parallel sub-envs (the vector env must have this many). */
  nEnvs: number;
  /** Adam learning rate (number or linear schedule). */
  learningRate: ScheduleSpec;
  /** Replay capacity in transitions. */
  bufferSize: number;
  /** Env steps of uniformly random actions before learning starts. */
  learningStarts: number;
  /** Transitions per gradient step. */
  batchSize: number;
  /** Discount factor. */
  gamma: number;
  /** Train every this many env steps (counted over all sub-envs' vector steps, as SB3 counts `train_freq` steps). */
  trainFreq: number;
  /** Gradient steps per training round. */
  gradientSteps: number;
  /** Copy the online net into the target net every this many env steps. */
  targetUpdateInterval: number;
  /** Share of training over which ε decays from explorationInitialEps to explorationFinalEps. */
  explorationFraction: number;
  explorationInitialEps: number;
  explorationFinalEps: number;
  /** Global gradient-norm clip; null = none. */
  maxGradNorm: number | null;
  /** Double DQN target (online argmax, target value). SB3's DQN is plain (false). */
  doubleDqn: boolean;
  /** Running observation normalisation, saved with the model. */
  normalizeObs: boolean;
  /** Adam ε (PyTorch's default 1e-8, as SB3's DQN). */
  adamEpsilon: number;
  /** Q-network hidden layers, activation and init (SB3: [64, 64] ReLU, PyTorch default init). */
  hidden: number[];
  activation: Activation;
  init: InitKind;
}

export const DQN_DEFAULTS: DqnConfig = {
  nEnvs: 1,
  learningRate: 1e-4,
  bufferSize: 1_000_000,
  learningStarts: 100,
  batchSize: 32,
  gamma: 0.99,
  trainFreq: 4,
  gradientSteps: 1,
  targetUpdateInterval: 10_000,
  explorationFraction: 0.1,
  explorationInitialEps: 1.0,
  explorationFinalEps: 0.05,
  maxGradNorm: 10,
  doubleDqn: false,
  normalizeObs: false,
  adamEpsilon: 1e-8,
  hidden: [64, 64],
  activation: 'relu',
  init: 'uniform',
};

/** Refuses what DQN cannot do, saying why. */
export function checkDqnEnv(shape: EnvShape): void {
  if (shape.action.kind !== 'discrete') {
    throw new Tg4Error(
      'INVALID_SPACE',
      `DQN needs a Discrete action space (it picks the argmax of one Q-value per action), but this env's action space is ${shape.actionSpace.type}: use --agent ppo (Gaussian policy) for Box actions, or a discrete action scheme of the env`,
    );
  }
}

/** Huber (smooth-L1, δ = 1) TD loss of one batch; `nextQ` is the bootstrapped target value per row. */
export function dqnLoss(q: tf.Tensor2D, actions: tf.Tensor1D, targets: tf.Tensor1D, nActions: number): tf.Scalar {
  const chosen = tf.sum(tf.mul(q, tf.oneHot(tf.cast(actions, 'int32'), nActions)), 1);
  return tf.losses.huberLoss(targets, chosen, undefined, 1.0, tf.Reduction.MEAN) as tf.Scalar;
}

export class DqnAgent implements TrainedAgent {
  readonly algo = 'dqn' as const;
  readonly shape: EnvShape;
  readonly config: DqnConfig;
  readonly nActions: number;
  readonly qLayers: DenseLayer[];
  readonly normalizer: Normalizer;
  private fwd: MlpForward;
  private qOut: Float32Array;
  private normObs: Float32Array;
  private readonly maxBatch: number;

  constructor(shape: EnvShape, config: DqnConfig, seed: number, maxBatch: number) {
    checkDqnEnv(shape);
    this.shape = shape;
    this.config = config;
    this.nActions = shape.action.kind === 'discrete' ? shape.action.n : 0;
    this.maxBatch = Math.max(1, maxBatch);
    this.qLayers = mlp(
      'q',
      shape.obsSize,
      this.nActions,
      { hidden: config.hidden, activation: config.activation, init: config.init, outputGain: 1 },
      new Rng(seed),
    );
    this.normalizer = new Normalizer({
      obsSize: shape.obsSize,
      normObs: config.normalizeObs,
      normReward: false,
      gamma: config.gamma,
    });
    this.fwd = new MlpForward(
      this.qLayers.map((l) => l.read()),
      this.maxBatch,
    );
    this.qOut = new Float32Array(this.maxBatch * this.nActions);
    this.normObs = new Float32Array(this.maxBatch * shape.obsSize);
  }

  /** Refreshes the typed-array copy of the Q-network after updates. */
  sync(): void {
    this.fwd = new MlpForward(
      this.qLayers.map((l) => l.read()),
      this.maxBatch,
    );
  }

  /** Greedy actions for `n` already-normalised observations. */
  greedy(obs: Float32Array, n: number, actions: Float32Array): void {
    if (this.qOut.length < n * this.nActions) this.qOut = new Float32Array(n * this.nActions);
    const q = this.fwd.run(obs, n, this.qOut);
    for (let i = 0; i < n; i++) actions[i] = argmax(q, i * this.nActions, this.nActions);
  }

  act(obs: Float32Array, n: number, actions: Float32Array): void {
    if (this.normObs.length < n * this.shape.obsSize) this.normObs = new Float32Array(n * this.shape.obsSize);
    const x = this.normalizer.obs ? this.normalizer.normalizeObs(obs, n, this.normObs) : obs;
    this.greedy(x, n, actions);
  }

  network(): Record<string, unknown> {
    return {
      kind: 'q-network',
      hidden: this.config.hidden,
      activation: this.config.activation,
      init: this.config.init,
    };
  }

  namedWeights(): NamedWeight[] {
    const out: NamedWeight[] = [];
    for (const l of this.qLayers) {
      const w = l.read();
      out.push({ name: `${l.name}/kernel`, shape: [l.inSize, l.outSize], data: w.kernel });
      out.push({ name: `${l.name}/bias`, shape: [l.outSize], data: w.bias });
    }
    return out;
  }

  loadNamedWeights(weights: readonly NamedWeight[]): void {
    const byName = new Map(weights.map((w) => [w.name, w]));
    for (const l of this.qLayers) {
      const k = byName.get(`${l.name}/kernel`);
      const b = byName.get(`${l.name}/bias`);
      if (!k || !b || k.data.length !== l.inSize * l.outSize || b.data.length !== l.outSize)
        throw new Error(`weights of layer ${l.name} missing or of the wrong size`);
      l.write({ inSize: l.inSize, outSize: l.outSize, activation: l.activation, kernel: k.data, bias: b.data });
    }
    this.sync();
  }

  dispose(): void {
    for (const v of variablesOf(this.qLayers)) v.dispose();
  }
}

/** Trains DQN on `env` for `totalSteps` env steps. */
export async function trainDqn(
  env: AgentVectorEnv,
  totalSteps: number,
  seed: number,
  cfg: DqnConfig,
  callbacks: TrainCallbacks = {},
): Promise<TrainResult<DqnAgent>> {
  const shape = describeTrainingEnv(env, 'DQN', cfg.nEnvs);
  checkDqnEnv(shape);
  const N = env.numEnvs;
  const D = shape.obsSize;
  const nA = shape.action.kind === 'discrete' ? shape.action.n : 0;
  const start = shape.action.kind === 'discrete' ? shape.action.start : 0;
  const rng = new Rng(seed);
  const agent = new DqnAgent(shape, cfg, rng.uint32(), N);
  // The target net starts as a copy of the online net.
  const target = new DqnAgent(shape, cfg, 0, 1);
  const copyToTarget = (): void => {
    for (let k = 0; k < agent.qLayers.length; k++) {
      target.qLayers[k]!.kernel.assign(agent.qLayers[k]!.kernel);
      target.qLayers[k]!.bias.assign(agent.qLayers[k]!.bias);
    }
  };
  copyToTarget();
  const { normalizer } = agent;
  const vars = variablesOf(agent.qLayers);
  const lrSchedule = makeSchedule(cfg.learningRate, 'learningRate');
  const epsSchedule = linearFraction(cfg.explorationInitialEps, cfg.explorationFinalEps, cfg.explorationFraction);
  const optimizer = new ClippedAdam(vars, lrSchedule(1), cfg.adamEpsilon, cfg.maxGradNorm);
  const replay = new ReplayBuffer(Math.min(cfg.bufferSize, Math.max(totalSteps, 1)), D, 1);
  const sample: ReplaySample = replay.makeSample(cfg.batchSize);
  const tracker = new EpisodeTracker(N);

  const obs = new Float32Array(N * D);
  const nextObs = new Float32Array(N * D);
  const actions = new Float32Array(N);
  const envActions = new Int32Array(N);
  const oneObs = new Float32Array(D);

  const reset = await env.reset({ seed: rng.uint32() });
  normalizer.observe(reset.observations, N, obs);

  let steps = 0;
  let updates = 0;
  let envMs = 0;
  let netMs = 0;
  let lastLoss = NaN;
  let sinceTrain = 0;
  let sinceTarget = 0;
  let stopped = false;
  const t0 = performance.now();

  while (steps < totalSteps && !stopped) {
    // ---- Act: random before learningStarts, then ε-greedy on the typed-array Q-network. ----
    const ta = performance.now();
    const eps = epsSchedule(1 - steps / totalSteps);
    if (steps < cfg.learningStarts) {
      for (let i = 0; i < N; i++) actions[i] = rng.integer(nA);
    } else {
      agent.greedy(obs, N, actions);
      for (let i = 0; i < N; i++) if (rng.random() < eps) actions[i] = rng.integer(nA);
    }
    for (let i = 0; i < N; i++) envActions[i] = actions[i]! + start;
    const tb = performance.now();
    const r = await env.step(envActions);
    const tc = performance.now();
    envMs += tc - tb;
    tracker.record(r.rewards, r.terminated, r.truncated);
    normalizer.observe(r.observations, N, nextObs);
    for (let i = 0; i < N; i++) {
      // The stored next observation is the real last one when the episode ended (same-step autoreset).
      let next = nextObs;
      let row = i;
      if (r.terminated[i] || r.truncated[i]) {
        const fin = finalObservation(r.infos[i], D);
        if (fin) {
          normalizer.normalizeObs(fin, 1, oneObs);
          next = oneObs;
          row = 0;
        }
      }
      replay.add(obs, actions, i, next, row, r.rewards[i]!, r.terminated[i] === 1);
    }
    obs.set(nextObs);
    steps += N;
    sinceTrain += N;
    sinceTarget += N;
    if (sinceTarget >= cfg.targetUpdateInterval) {
      sinceTarget = 0;
      copyToTarget();
    }
    netMs += tb - ta + (performance.now() - tc);

    // ---- Learn: gradientSteps updates every trainFreq steps once learning has started. ----
    if (sinceTrain >= cfg.trainFreq && steps > cfg.learningStarts) {
      sinceTrain = 0;
      const tl = performance.now();
      optimizer.learningRate = lrSchedule(Math.max(0, 1 - steps / totalSteps));
      let lossT: tf.Scalar | null = null;
      for (let g = 0; g < cfg.gradientSteps; g++) {
        replay.sample(rng, sample);
        const B = sample.size;
        // The bootstrapped target is a constant for the gradient: computed first, outside the taped loss.
        const y = tf.tidy(() => {
          const no = tf.tensor2d(sample.nextObs, [B, D]);
          const targetQ = applyLayers(target.qLayers, no);
          const nextValue = cfg.doubleDqn
            ? tf.sum(tf.mul(targetQ, tf.oneHot(tf.argMax(applyLayers(agent.qLayers, no), 1), nA)), 1)
            : tf.max(targetQ, 1);
          return tf.add(
            tf.tensor1d(sample.rewards),
            tf.mul(tf.mul(tf.sub(1, tf.tensor1d(sample.dones)), cfg.gamma), nextValue),
          ) as tf.Tensor1D;
        });
        const norm = optimizer.step(() => {
          const q = applyLayers(agent.qLayers, tf.tensor2d(sample.obs, [B, D]));
          const loss = dqnLoss(q, tf.tensor1d(sample.actions), y, nA);
          if (g === cfg.gradientSteps - 1) lossT = tf.keep(loss.clone());
          return loss;
        });
        y.dispose();
        void norm;
        updates++;
      }
      if (lossT) {
        lastLoss = (lossT as tf.Scalar).dataSync()[0]!;
        (lossT as tf.Scalar).dispose();
      }
      agent.sync();
      netMs += performance.now() - tl;
      const info = iterationInfo(
        { steps, updates, t0, envMs, netMs, tracker },
        { td: lastLoss, epsilon: eps, learningRate: optimizer.learningRate },
      );
      if ((await callbacks.onIteration?.(info, agent)) === false) stopped = true;
    }
  }
  optimizer.dispose();
  target.dispose();
  agent.sync();
  const elapsedS = (performance.now() - t0) / 1000;
  return { agent, steps, updates, elapsedS, envMs, netMs, episodes: tracker.episodes, stoppedEarly: stopped };
}
