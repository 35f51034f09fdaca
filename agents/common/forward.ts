// A tiny MLP forward pass on typed arrays, outside tfjs's graph: what the rollout loop and the live loop use to decide in
// microseconds (a batch-1 tfjs call costs ~35 µs of dispatch; this costs a few µs for a 2×64 net). Weights are laid out
// exactly as tfjs's dense kernels ([in, out], row-major), so they come straight from the trained variables or a saved model.

export type Activation = 'tanh' | 'relu' | 'linear';

export interface DenseWeights {
  inSize: number;
  outSize: number;
  /** inSize × outSize, row-major (tfjs's [in, out] kernel). */
  kernel: Float32Array;
  bias: Float32Array;
  activation: Activation;
}

/** Preallocated forward pass for a stack of dense layers; `run` allocates nothing. */
export class MlpForward {
  readonly inSize: number;
  readonly outSize: number;
  private maxBatch: number;
  private readonly layers: readonly DenseWeights[];
  private readonly widest: number;
  private bufA: Float32Array;
  private bufB: Float32Array;

  constructor(layers: readonly DenseWeights[], maxBatch = 1) {
    if (layers.length === 0) throw new Error('MlpForward needs at least one layer');
    for (let l = 1; l < layers.length; l++) {
      if (layers[l]!.inSize !== layers[l - 1]!.outSize) throw new Error(`layer ${l} expects ${layers[l]!.inSize} inputs, previous gives ${layers[l - 1]!.outSize}`);
    }
    this.layers = layers;
    this.inSize = layers[0]!.inSize;
    this.outSize = layers[layers.length - 1]!.outSize;
    this.maxBatch = maxBatch;
    let widest = 0;
    for (const l of layers) widest = Math.max(widest, l.outSize);
    this.widest = widest;
    this.bufA = new Float32Array(widest * maxBatch);
    this.bufB = new Float32Array(widest * maxBatch);
  }

  /**
   * Forward `batch` rows of `input` (batch × inSize) into `out` (batch × outSize). Returns `out`.
   * Rows are independent, so the result for a row does not depend on the batch it is in.
   */
  run(input: Float32Array, batch: number, out: Float32Array): Float32Array {
    if (batch > this.maxBatch) {
      // Grows once to the largest batch seen; steady-state calls allocate nothing.
      this.maxBatch = batch;
      this.bufA = new Float32Array(this.widest * batch);
      this.bufB = new Float32Array(this.widest * batch);
    }
    let src = input;
    const n = this.layers.length;
    for (let l = 0; l < n; l++) {
      const layer = this.layers[l]!;
      const dst = l === n - 1 ? out : l % 2 === 0 ? this.bufA : this.bufB;
      denseInto(layer, src, batch, dst);
      src = dst;
    }
    return out;
  }
}

function denseInto(layer: DenseWeights, x: Float32Array, batch: number, y: Float32Array): void {
  const { inSize, outSize, kernel, bias, activation } = layer;
  for (let b = 0; b < batch; b++) {
    const yo = b * outSize;
    const xo = b * inSize;
    for (let j = 0; j < outSize; j++) y[yo + j] = bias[j]!;
    for (let i = 0; i < inSize; i++) {
      const xi = x[xo + i]!;
      if (xi === 0) continue;
      const ko = i * outSize;
      for (let j = 0; j < outSize; j++) y[yo + j] += xi * kernel[ko + j]!;
    }
    if (activation === 'tanh') for (let j = 0; j < outSize; j++) y[yo + j] = Math.tanh(y[yo + j]!);
    else if (activation === 'relu') for (let j = 0; j < outSize; j++) if (y[yo + j]! < 0) y[yo + j] = 0;
  }
}

/** Index of the largest of `n` values starting at `offset` (first one on ties, as argmax in tfjs/numpy). */
export function argmax(values: Float32Array, offset: number, n: number): number {
  let best = 0;
  let bestV = values[offset]!;
  for (let k = 1; k < n; k++) {
    const v = values[offset + k]!;
    if (v > bestV) {
      bestV = v;
      best = k;
    }
  }
  return best;
}
