// The PPO policy: an actor (categorical or diagonal-Gaussian head) and a critic, as separate MLPs or over a shared trunk.
// Training goes through tfjs (`evaluate`); acting goes through typed-array copies of the weights (`act`), refreshed with
// `sync()` after each update, so that a rollout makes no tfjs call at all.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/core/rng.ts';
import type { Activation } from './forward.ts';
import { MlpForward } from './forward.ts';
import { DenseLayer, applyLayers, hiddenLayers, uniqueVariableName, variablesOf, type InitKind } from './mlp.ts';
import {
  categoricalLogProbEntropy,
  gaussianLogProbEntropy,
  maskLogitsInPlace,
  sampleCategorical,
  sampleGaussian,
} from './distributions.ts';
import { policyOutputs, type ActionSpec } from './spaces.ts';
import type { NamedWeight } from './model-io.ts';

export interface ActorCriticConfig {
  /** Layers shared by actor and critic (empty: separate networks, SB3's default). */
  shared: number[];
  /** Actor's own hidden layers. */
  pi: number[];
  /** Critic's own hidden layers. */
  vf: number[];
  activation: Activation;
  init: InitKind;
  /** Initial log standard deviation of the Gaussian head (Box actions). */
  logStdInit: number;
}

export class ActorCritic {
  readonly obsSize: number;
  readonly action: ActionSpec;
  readonly config: ActorCriticConfig;
  readonly piLayers: DenseLayer[];
  readonly vfLayers: DenseLayer[];
  readonly logStd: tf.Variable | null;
  private piFwd: MlpForward;
  private vfFwd: MlpForward;
  private logStdValues: Float32Array;
  private piOut: Float32Array;
  private readonly maxBatch: number;

  constructor(obsSize: number, action: ActionSpec, config: ActorCriticConfig, rng: Rng, maxBatch: number) {
    this.obsSize = obsSize;
    this.action = action;
    this.config = config;
    this.maxBatch = maxBatch;
    const opts = { activation: config.activation, init: config.init };
    const trunk = hiddenLayers('shared', obsSize, { ...opts, hidden: config.shared }, rng);
    const trunkOut = trunk.length ? trunk[trunk.length - 1]!.outSize : obsSize;
    const piHidden = hiddenLayers('pi', trunkOut, { ...opts, hidden: config.pi }, rng);
    const vfHidden = hiddenLayers('vf', trunkOut, { ...opts, hidden: config.vf }, rng);
    const piLast = piHidden.length ? piHidden[piHidden.length - 1]!.outSize : trunkOut;
    const vfLast = vfHidden.length ? vfHidden[vfHidden.length - 1]!.outSize : trunkOut;
    const nOut = policyOutputs(action);
    this.piLayers = [...trunk, ...piHidden, new DenseLayer('pi/out', piLast, nOut, 'linear', config.init, 0.01, rng)];
    this.vfLayers = [...trunk, ...vfHidden, new DenseLayer('vf/out', vfLast, 1, 'linear', config.init, 1, rng)];
    this.logStd =
      action.kind === 'box'
        ? tf.variable(tf.fill([action.dim], config.logStdInit), true, uniqueVariableName('log_std'))
        : null;
    this.piOut = new Float32Array(maxBatch * nOut);
    this.piFwd = new MlpForward(
      this.piLayers.map((l) => l.read()),
      maxBatch,
    );
    this.vfFwd = new MlpForward(
      this.vfLayers.map((l) => l.read()),
      maxBatch,
    );
    this.logStdValues = this.logStd ? (this.logStd.dataSync() as Float32Array) : new Float32Array(0);
  }

  variables(): tf.Variable[] {
    const vars = variablesOf(this.piLayers, this.vfLayers);
    if (this.logStd) vars.push(this.logStd);
    return vars;
  }

  /** Differentiable log π(a|s), entropy and V(s) for a batch (inside tf.tidy / variableGrads); masks only for Discrete. */
  evaluate(
    obs: tf.Tensor2D,
    actions: tf.Tensor,
    actionMasks: tf.Tensor2D | null = null,
  ): { logProb: tf.Tensor1D; entropy: tf.Tensor1D; values: tf.Tensor1D } {
    const head = applyLayers(this.piLayers, obs);
    const values = tf.reshape(applyLayers(this.vfLayers, obs), [-1]) as tf.Tensor1D;
    const dist =
      this.action.kind === 'discrete'
        ? categoricalLogProbEntropy(head, actions as tf.Tensor1D, this.action.n, actionMasks)
        : gaussianLogProbEntropy(head, this.logStd as tf.Variable as tf.Tensor1D, actions as tf.Tensor2D);
    return { ...dist, values };
  }

  /** Refreshes the typed-array copies of the weights after an update. */
  sync(): void {
    this.piFwd = new MlpForward(
      this.piLayers.map((l) => l.read()),
      this.maxBatch,
    );
    this.vfFwd = new MlpForward(
      this.vfLayers.map((l) => l.read()),
      this.maxBatch,
    );
    if (this.logStd) this.logStdValues = this.logStd.dataSync() as Float32Array;
  }

  /**
   * Chooses actions for `n` observations (n × obsSize). Writes actions (n × width; discrete as the index, without the
   * space's `start`), their log-probs and the critic's values. Deterministic = argmax / mean. `actionMasks` (n × actions,
   * 1 = allowed; Discrete only) rules actions out before sampling, so the log-prob is that of the masked distribution.
   */
  act(
    obs: Float32Array,
    n: number,
    deterministic: boolean,
    rng: Rng | null,
    actions: Float32Array,
    logProbs: Float32Array | null,
    values: Float32Array | null,
    actionMasks: Uint8Array | null = null,
  ): void {
    if (this.piOut.length < n * policyOutputs(this.action))
      this.piOut = new Float32Array(n * policyOutputs(this.action));
    const out = this.piFwd.run(obs, n, this.piOut);
    if (this.action.kind === 'discrete') {
      const k = this.action.n;
      if (actionMasks) maskLogitsInPlace(out, actionMasks, n, k);
      for (let i = 0; i < n; i++) {
        const s = sampleCategorical(out, i * k, k, deterministic, rng);
        actions[i] = s.action;
        if (logProbs) logProbs[i] = s.logProb;
      }
    } else {
      const d = this.action.dim;
      for (let i = 0; i < n; i++) {
        const lp = sampleGaussian(out, i * d, this.logStdValues, deterministic, rng, actions, i * d);
        if (logProbs) logProbs[i] = lp;
      }
    }
    if (values) this.vfFwd.run(obs, n, values);
  }

  /** V(s) for `n` observations into `out`. */
  predictValues(obs: Float32Array, n: number, out: Float32Array): void {
    this.vfFwd.run(obs, n, out);
  }

  /** Raw policy-head outputs (logits or means) for `n` observations: for tests and inspection. */
  policyOutputs(obs: Float32Array, n: number): Float32Array {
    return this.piFwd.run(obs, n, new Float32Array(n * policyOutputs(this.action)));
  }

  namedWeights(): NamedWeight[] {
    const layers = [...new Set([...this.piLayers, ...this.vfLayers])];
    const out: NamedWeight[] = [];
    for (const l of layers) {
      const w = l.read();
      out.push({ name: `${l.name}/kernel`, shape: [l.inSize, l.outSize], data: w.kernel });
      out.push({ name: `${l.name}/bias`, shape: [l.outSize], data: w.bias });
    }
    if (this.logStd)
      out.push({ name: 'log_std', shape: [this.logStdValues.length], data: this.logStd.dataSync() as Float32Array });
    return out;
  }

  loadNamedWeights(weights: readonly NamedWeight[]): void {
    const byName = new Map(weights.map((w) => [w.name, w]));
    const get = (name: string, size: number): Float32Array => {
      const w = byName.get(name);
      if (!w || w.data.length !== size) throw new Error(`weight '${name}' missing or of the wrong size`);
      return w.data;
    };
    for (const l of new Set([...this.piLayers, ...this.vfLayers])) {
      l.write({
        inSize: l.inSize,
        outSize: l.outSize,
        activation: l.activation,
        kernel: get(`${l.name}/kernel`, l.inSize * l.outSize),
        bias: get(`${l.name}/bias`, l.outSize),
      });
    }
    if (this.logStd) {
      const ls = this.logStd;
      tf.tidy(() => ls.assign(tf.tensor1d(get('log_std', this.logStdValues.length))));
    }
    this.sync();
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
