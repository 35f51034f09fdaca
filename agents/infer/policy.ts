// A saved model as a pure typed-array policy: no tfjs at all, for the live loop and for `tg4 eval`. It rebuilds the
// actor (PPO) or Q-network (DQN) from manifest.json + weights.bin, applies the saved observation normalisation, and
// decides deterministically (argmax / Gaussian mean clipped to the Box) in a few microseconds.
import { InvalidArgumentError } from '../../src/core/errors.ts';
import type { SpaceJSON } from '../../src/core/types.ts';
import { maskLogitsInPlace } from '../common/distributions.ts';
import { MlpForward, argmax, type Activation, type DenseWeights } from '../common/forward.ts';
import {
  ModelMismatchError,
  loadModel,
  type LoadedModel,
  type ModelExpectation,
  type NamedWeight,
} from '../common/model-io.ts';
import { Normalizer } from '../common/running-stats.ts';
import { actionSpecOf, type ActionSpec } from '../common/spaces.ts';

export class InferencePolicy {
  readonly model: LoadedModel;
  readonly obsSize: number;
  readonly action: ActionSpec;
  private readonly fwd: MlpForward;
  private readonly normalizer: Normalizer | null;
  private out: Float32Array;
  private norm: Float32Array;
  private readonly one: Float32Array;
  private readonly maskRow: Uint8Array;

  constructor(model: LoadedModel) {
    this.model = model;
    const m = model.manifest;
    this.obsSize = m.obsSize;
    this.action = actionSpecOf(m.actionSpace);
    this.fwd = new MlpForward(actorLayers(model), 1);
    if (this.fwd.inSize !== m.obsSize)
      throw new ModelMismatchError(
        `${model.dir}: first layer takes ${this.fwd.inSize} inputs but obsSize is ${m.obsSize}: the model is corrupt`,
      );
    const nOut = this.action.kind === 'discrete' ? this.action.n : this.action.dim;
    if (this.fwd.outSize !== nOut)
      throw new ModelMismatchError(
        `${model.dir}: the network has ${this.fwd.outSize} outputs, the action space needs ${nOut}: the model is corrupt`,
      );
    this.normalizer = m.normalization?.obs ? Normalizer.fromJSON(m.normalization) : null;
    this.out = new Float32Array(nOut);
    this.norm = new Float32Array(m.obsSize);
    this.one = new Float32Array(this.action.kind === 'discrete' ? 1 : this.action.dim);
    this.maskRow = new Uint8Array(nOut);
  }

  /** Loads and verifies a model folder (MODEL_MISMATCH when corrupt or not fitting `expect`). */
  static load(dir: string, expect: ModelExpectation = {}): InferencePolicy {
    return new InferencePolicy(loadModel(dir, expect));
  }

  /**
   * Deterministic actions for `n` raw observations (n × obsSize) into `actions`: for Discrete the agent's index
   * (0-based, add the space's start for the env), for Box the mean (unclipped; the env or `decide` clips).
   */
  act(obs: Float32Array, n: number, actions: Float32Array, actionMasks: Uint8Array | null = null): void {
    const size = n * this.obsSize;
    let x = obs;
    if (this.normalizer) {
      if (this.norm.length < size) this.norm = new Float32Array(size);
      x = this.normalizer.normalizeObs(obs, n, this.norm);
    }
    const k = this.fwd.outSize;
    if (this.out.length < n * k) this.out = new Float32Array(n * k);
    const y = this.fwd.run(x, n, this.out);
    if (this.action.kind === 'discrete') {
      if (actionMasks) maskLogitsInPlace(y, actionMasks, n, k);
      for (let i = 0; i < n; i++) actions[i] = argmax(y, i * k, k);
    } else {
      for (let j = 0; j < n * k; j++) actions[j] = y[j]!;
    }
  }

  /** True when the model was trained as maskable PPO: it should then be run under the env's action masks. */
  get usesActionMasks(): boolean {
    return (this.model.manifest.hyperparameters as { useActionMasks?: unknown } | undefined)?.useActionMasks === true;
  }

  /**
   * One decision for one raw observation: the env action (discrete value with `start`, or a clipped Box vector).
   * `mask` (Discrete only; 1/true = allowed, as the env's `actionMasks()`) restricts the argmax to allowed actions.
   */
  decide(obs: Float32Array, mask?: ArrayLike<number | boolean>): number | Float32Array {
    const a = this.action;
    if (mask !== undefined && a.kind === 'discrete') return this.decideMasked(obs, mask) + a.start;
    this.act(obs, 1, this.one);
    if (a.kind === 'discrete') return this.one[0]! + a.start;
    for (let k = 0; k < a.dim; k++) this.one[k] = Math.min(a.high[k]!, Math.max(a.low[k]!, this.one[k]!));
    return this.one;
  }

  /** Checks a single mask and runs it through `act`'s masked argmax (one normalise-forward-argmax path for both). */
  private decideMasked(obs: Float32Array, mask: ArrayLike<number | boolean>): number {
    const n = this.fwd.outSize;
    if (mask.length !== n) {
      throw new InvalidArgumentError(
        `action mask has ${mask.length} entries but the model has ${n} actions: pass the env's actionMasks() for this model's env`,
      );
    }
    let allowed = 0;
    for (let k = 0; k < n; k++) allowed += this.maskRow[k] = mask[k] ? 1 : 0;
    if (allowed === 0)
      throw new InvalidArgumentError(
        'every action is masked: the env allows no action in this state, so there is nothing to decide',
      );
    this.act(obs, 1, this.one, this.maskRow);
    return this.one[0]!;
  }

  get actionSpace(): SpaceJSON {
    return this.model.manifest.actionSpace;
  }
}

/** The acting network's layers, in order, from the manifest's architecture and the named weights. */
export function actorLayers(model: LoadedModel): DenseWeights[] {
  const net = model.manifest.network as {
    kind?: string;
    shared?: number[];
    pi?: number[];
    hidden?: number[];
    activation?: Activation;
  };
  const activation: Activation = net.activation ?? 'tanh';
  const byName = new Map<string, NamedWeight>(model.weights.map((w) => [w.name, w]));
  const names: string[] = [];
  if (net.kind === 'actor-critic') {
    (net.shared ?? []).forEach((_, i) => names.push(`shared/h${i}`));
    (net.pi ?? []).forEach((_, i) => names.push(`pi/h${i}`));
    names.push('pi/out');
  } else if (net.kind === 'q-network') {
    (net.hidden ?? []).forEach((_, i) => names.push(`q/h${i}`));
    names.push('q/out');
  } else {
    throw new ModelMismatchError(`${model.dir}: unknown network kind ${JSON.stringify(net.kind)} in manifest.json`);
  }
  return names.map((name, i) => {
    const k = byName.get(`${name}/kernel`);
    const b = byName.get(`${name}/bias`);
    if (!k || !b || k.shape.length !== 2 || b.data.length !== k.shape[1])
      throw new ModelMismatchError(
        `${model.dir}: weights of layer '${name}' are missing or malformed: the model is corrupt`,
      );
    return {
      inSize: k.shape[0]!,
      outSize: k.shape[1]!,
      kernel: k.data,
      bias: b.data,
      activation: i === names.length - 1 ? 'linear' : activation,
    };
  });
}
