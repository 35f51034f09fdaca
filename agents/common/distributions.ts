// Action distributions, twice: in tfjs for the loss (log-prob, entropy, differentiable) and on typed arrays for acting
// (sampling with the seeded Rng, no tfjs call per step). The two agree to float32 rounding.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/core/rng.ts';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** The logit given to a masked-out action (sb3-contrib's MaskableCategorical uses -1e8): exp() of it is exactly 0. */
export const MASKED_LOGIT = -1e8;

/**
 * Categorical over `n` logits: log π(a|s) and entropy per row. `actions` holds indices (float32 or int32).
 * With `actionMasks` (rows × n, 1 = allowed) invalid logits become MASKED_LOGIT and the entropy sums over valid actions only.
 */
export function categoricalLogProbEntropy(
  logits: tf.Tensor2D,
  actions: tf.Tensor1D,
  n: number,
  actionMasks: tf.Tensor2D | null = null,
): { logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
  const allowed = actionMasks === null ? null : tf.cast(actionMasks, 'bool');
  const z = allowed === null ? logits : tf.where(allowed, logits, tf.fill(logits.shape, MASKED_LOGIT));
  const logp = tf.logSoftmax(z);
  const onehot = tf.oneHot(tf.cast(actions, 'int32'), n);
  const logProb = tf.sum(tf.mul(logp, onehot), 1) as tf.Tensor1D;
  const pLogP = tf.mul(tf.exp(logp), logp);
  // Masked terms are 0 · (-1e8) = 0 already; zero them explicitly anyway, as sb3-contrib does.
  const entropy = tf.neg(
    tf.sum(allowed === null ? pLogP : tf.where(allowed, pLogP, tf.zerosLike(pLogP)), 1),
  ) as tf.Tensor1D;
  return { logProb, entropy };
}

/** Sets the logits of disallowed actions (mask byte 0) to MASKED_LOGIT in place: `rows` rows of `n`. */
export function maskLogitsInPlace(logits: Float32Array, masks: Uint8Array, rows: number, n: number): void {
  for (let k = 0; k < rows * n; k++) if (masks[k] === 0) logits[k] = MASKED_LOGIT;
}

/** Diagonal Gaussian with state-independent log std (SB3's default): log-prob and entropy per row. */
export function gaussianLogProbEntropy(
  mean: tf.Tensor2D,
  logStd: tf.Tensor1D,
  actions: tf.Tensor2D,
): { logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
  const z = tf.div(tf.sub(actions, mean), tf.exp(logStd));
  const perDim = tf.sub(tf.mul(tf.square(z), -0.5), tf.add(logStd, HALF_LOG_2PI));
  const logProb = tf.sum(perDim, 1) as tf.Tensor1D;
  const entPerRow = tf.sum(tf.add(logStd, 0.5 + HALF_LOG_2PI));
  const entropy = tf.mul(tf.onesLike(logProb), entPerRow) as tf.Tensor1D;
  return { logProb, entropy };
}

/** Samples (or takes the mode of) a categorical row of logits; writes the log-prob; returns the index. */
export function sampleCategorical(
  logits: Float32Array,
  offset: number,
  n: number,
  deterministic: boolean,
  rng: Rng | null,
): { action: number; logProb: number } {
  let max = -Infinity;
  let arg = 0;
  for (let k = 0; k < n; k++) {
    const v = logits[offset + k]!;
    if (v > max) {
      max = v;
      arg = k;
    }
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
      if (u < 0) {
        action = k;
        break;
      }
    }
  }
  return { action, logProb: logits[offset + action]! - max - logSum };
}

/** Samples (or takes the mean of) a diagonal Gaussian row into `out`; returns the log-prob of the unclipped sample. */
export function sampleGaussian(
  mean: Float32Array,
  offset: number,
  logStd: Float32Array,
  deterministic: boolean,
  rng: Rng | null,
  out: Float32Array,
  outOffset: number,
): number {
  const dim = logStd.length;
  let logProb = 0;
  for (let k = 0; k < dim; k++) {
    const z = deterministic ? 0 : (rng as Rng).normal();
    out[outOffset + k] = mean[offset + k]! + Math.exp(logStd[k]!) * z;
    logProb += -0.5 * z * z - logStd[k]! - HALF_LOG_2PI;
  }
  return logProb;
}
