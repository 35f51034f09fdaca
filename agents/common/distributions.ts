// Action distributions, twice: in tfjs for the loss (log-prob, entropy, differentiable) and on typed arrays for acting
// (sampling with the seeded Rng, no tfjs call per step). The two agree to float32 rounding.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/core/rng.ts';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Categorical over `n` logits: log π(a|s) and entropy per row. `actions` holds indices (float32 or int32). */
export function categoricalLogProbEntropy(logits: tf.Tensor2D, actions: tf.Tensor1D, n: number): { logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
  const logp = tf.logSoftmax(logits);
  const mask = tf.oneHot(tf.cast(actions, 'int32'), n);
  const logProb = tf.sum(tf.mul(logp, mask), 1) as tf.Tensor1D;
  const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)) as tf.Tensor1D;
  return { logProb, entropy };
}

/** Diagonal Gaussian with state-independent log std (SB3's default): log-prob and entropy per row. */
export function gaussianLogProbEntropy(mean: tf.Tensor2D, logStd: tf.Tensor1D, actions: tf.Tensor2D): { logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
  const z = tf.div(tf.sub(actions, mean), tf.exp(logStd));
  const perDim = tf.sub(tf.mul(tf.square(z), -0.5), tf.add(logStd, HALF_LOG_2PI));
  const logProb = tf.sum(perDim, 1) as tf.Tensor1D;
  const entPerRow = tf.sum(tf.add(logStd, 0.5 + HALF_LOG_2PI));
  const entropy = tf.mul(tf.onesLike(logProb), entPerRow) as tf.Tensor1D;
  return { logProb, entropy };
}

/** Samples (or takes the mode of) a categorical row of logits; writes the log-prob; returns the index. */
export function sampleCategorical(logits: Float32Array, offset: number, n: number, deterministic: boolean, rng: Rng | null): { action: number; logProb: number } {
  let max = -Infinity;
  let arg = 0;
  for (let k = 0; k < n; k++) {
    const v = logits[offset + k]!;
    if (v > max) { max = v; arg = k; }
  }
  let sum = 0;
  for (let k = 0; k < n; k++) sum += Math.exp(logits[offset + k]! - max);
  const logSum = Math.log(sum);
  let action = arg;
  if (!deterministic) {
    if (!rng) throw new Error('sampling needs an Rng');
    let u = rng.random() * sum;
    action = n - 1;
    for (let k = 0; k < n; k++) {
      u -= Math.exp(logits[offset + k]! - max);
      if (u < 0) { action = k; break; }
    }
  }
  return { action, logProb: logits[offset + action]! - max - logSum };
}

/** Samples (or takes the mean of) a diagonal Gaussian row into `out`; returns the log-prob of the unclipped sample. */
export function sampleGaussian(mean: Float32Array, offset: number, logStd: Float32Array, deterministic: boolean, rng: Rng | null, out: Float32Array, outOffset: number): number {
  const dim = logStd.length;
  let logProb = 0;
  for (let k = 0; k < dim; k++) {
    const z = deterministic ? 0 : (rng as Rng).normal();
    out[outOffset + k] = mean[offset + k]! + Math.exp(logStd[k]!) * z;
    logProb += -0.5 * z * z - logStd[k]! - HALF_LOG_2PI;
  }
  return logProb;
}
