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
  /** Kernels transposed to [out, in], so that each output is a dot product over contiguous memory. */
  private readonly kernelsT: Float32Array[];
  private readonly widest: number;
  private bufA: Float32Array;
  private bufB: Float32Array;

  constructor(layers: readonly DenseWeights[], maxBatch = 1) {
    if (layers.length === 0) throw new Error('MlpForward needs at least one layer');
    for (let l = 1; l < layers.length; l++) {
      if (layers[l]!.inSize !== layers[l - 1]!.outSize)
        throw new Error(`layer ${l} expects ${layers[l]!.inSize} inputs, previous gives ${layers[l - 1]!.outSize}`);
    }
    this.layers = layers;
    this.kernelsT = layers.map((l) => {
      const t = new Float32Array(l.inSize * l.outSize);
      for (let i = 0; i < l.inSize; i++)
        for (let j = 0; j < l.outSize; j++) t[j * l.inSize + i] = l.kernel[i * l.outSize + j]!;
      return t;
    });
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
      denseInto(layer, this.kernelsT[l]!, src, batch, dst);
      src = dst;
    }
    return out;
  }
}

function denseInto(layer: DenseWeights, kernelT: Float32Array, x: Float32Array, batch: number, y: Float32Array): void {
  const { inSize, outSize, bias, activation } = layer;
  for (let b = 0; b < batch; b++) {
    const yo = b * outSize;
    const xo = b * inSize;
    for (let j = 0; j < outSize; j++) {
      // Accumulate in a local (a register), four products per iteration.
      const ko = j * inSize;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      let i = 0;
      for (; i + 3 < inSize; i += 4) {
        s0 += x[xo + i]! * kernelT[ko + i]!;
        s1 += x[xo + i + 1]! * kernelT[ko + i + 1]!;
        s2 += x[xo + i + 2]! * kernelT[ko + i + 2]!;
        s3 += x[xo + i + 3]! * kernelT[ko + i + 3]!;
      }
      for (; i < inSize; i++) s0 += x[xo + i]! * kernelT[ko + i]!;
      const z = bias[j]! + (s0 + s1 + s2 + s3);
      y[yo + j] = activation === 'tanh' ? Math.tanh(z) : activation === 'relu' ? (z > 0 ? z : 0) : z;
    }
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
