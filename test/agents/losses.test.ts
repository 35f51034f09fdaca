// Gradient checks: the hand-written dense-layer gradient against tfjs's autodiff, and the PPO / DQN loss values and
// gradients against closed-form hand computations.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../agents/common/backend.ts';
import { DenseLayer } from '../../agents/common/mlp.ts';
import { ActorCritic } from '../../agents/common/actor-critic.ts';
import { ppoLoss, PPO_DEFAULTS } from '../../agents/ppo/ppo.ts';
import { dqnLoss } from '../../agents/dqn/dqn.ts';
import { Rng } from '../../src/core/rng.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]! - b[k]!));
  return m;
}

describe('dense layer gradient', () => {
  for (const act of ['tanh', 'relu', 'linear'] as const) {
    it(`equals tfjs autodiff of matMul+bias+${act}`, () => {
      const rng = new Rng(11);
      const layer = new DenseLayer('g', 5, 7, act, 'orthogonal', 1.3, rng);
      const x = tf.tensor2d(
        Float32Array.from({ length: 6 * 5 }, () => rng.normal()),
        [6, 5],
      );
      const w = tf.tensor2d(
        Float32Array.from({ length: 6 * 7 }, () => rng.normal()),
        [6, 7],
      );
      const mine = tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(layer.apply(xx as tf.Tensor2D), w)))([x])[0]!;
      const ref = tf.grads((xx: tf.Tensor) => {
        const z = tf.add(tf.matMul(xx as tf.Tensor2D, layer.kernel), layer.bias);
        const y = act === 'tanh' ? tf.tanh(z) : act === 'relu' ? tf.relu(z) : z;
        return tf.sum(tf.mul(y, w));
      })([x])[0]!;
      expect(maxAbsDiff(mine.dataSync(), ref.dataSync())).toBeLessThan(1e-4);
      const vars = [layer.kernel, layer.bias];
      const g1 = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x), w)) as tf.Scalar, vars).grads;
      const g2 = tf.variableGrads(() => {
        const z = tf.add(tf.matMul(x, layer.kernel), layer.bias);
        const y = act === 'tanh' ? tf.tanh(z) : act === 'relu' ? tf.relu(z) : z;
        return tf.sum(tf.mul(y, w)) as tf.Scalar;
      }, vars).grads;
      for (const v of vars) expect(maxAbsDiff(g1[v.name]!.dataSync(), g2[v.name]!.dataSync())).toBeLessThan(1e-4);
      layer.dispose();
    });
  }
});

describe('PPO loss', () => {
  it('value and head gradients equal the closed-form hand computation', () => {
    const rng = new Rng(5);
    const B = 12,
      D = 3,
      clip = 0.2,
      vfCoef = 0.5,
      entCoef = 0.01;
    const policy = new ActorCritic(
      D,
      { kind: 'discrete', n: 2, start: 0 },
      { ...PPO_DEFAULTS.policy, pi: [8], vf: [8] },
      rng,
      B,
    );
    // Make the policy head non-trivial so ratios move away from 1 and some get clipped.
    const piOut = policy.piLayers[policy.piLayers.length - 1]!;
    piOut.kernel.assign(tf.randomNormal(piOut.kernel.shape, 0, 1, 'float32', 3));
    policy.sync();
    const obs = Float32Array.from({ length: B * D }, () => rng.normal());
    const actions = Float32Array.from({ length: B }, () => rng.integer(2));
    const adv = Float32Array.from({ length: B }, () => rng.normal());
    const ret = Float32Array.from({ length: B }, () => rng.normal());
    const oldV = Float32Array.from({ length: B }, () => rng.normal());
    const logits = policy.policyOutputs(obs, B);
    const values = new Float32Array(B);
    policy.predictValues(obs, B, values);
    // Old log-probs = current ± noise, so ratios spread around 1.
    const oldLp = new Float32Array(B);
    const p1 = new Float64Array(B);
    for (let i = 0; i < B; i++) {
      const l0 = logits[2 * i]!,
        l1 = logits[2 * i + 1]!;
      const m = Math.max(l0, l1);
      const lse = m + Math.log(Math.exp(l0 - m) + Math.exp(l1 - m));
      p1[i] = Math.exp(l1 - lse);
      const lp = (actions[i] === 1 ? l1 : l0) - lse;
      oldLp[i] = lp + rng.normal() * 0.3;
    }
    // Hand computation.
    let pg = 0,
      vf = 0,
      ent = 0;
    const dLogit1 = new Float64Array(B); // d loss / d logit_1 per row (d/d logit_0 = −that, two classes)
    for (let i = 0; i < B; i++) {
      const p = [1 - p1[i]!, p1[i]!];
      const a = actions[i]!;
      const lp = Math.log(p[a]!);
      const r = Math.exp(lp - oldLp[i]!);
      const rc = Math.min(1 + clip, Math.max(1 - clip, r));
      const s1 = adv[i]! * r,
        s2 = adv[i]! * rc;
      pg += -Math.min(s1, s2) / B;
      const active = s1 <= s2 ? 1 : r > 1 - clip && r < 1 + clip ? 1 : 0;
      const h = -(p[0]! * Math.log(p[0]!) + p[1]! * Math.log(p[1]!));
      ent += h / B;
      vf += (ret[i]! - values[i]!) ** 2 / B;
      // d logπ(a)/d logit_1 = [a = 1] − p1;  dH/d logit_1 = −p1 (log p1 + H)
      const dlp = (a === 1 ? 1 : 0) - p1[i]!;
      const dH = -p1[i]! * (Math.log(p1[i]!) + h);
      dLogit1[i] = (-adv[i]! * r * active * dlp) / B - (entCoef * dH) / B;
    }
    const t = {
      obs: tf.tensor2d(obs, [B, D]),
      actions: tf.tensor1d(actions),
      oldLogProbs: tf.tensor1d(oldLp),
      advantages: tf.tensor1d(adv),
      returns: tf.tensor1d(ret),
      oldValues: tf.tensor1d(oldV),
    };
    const { stats, loss } = ppoLoss(policy, t, clip, null, entCoef, vfCoef);
    const s = stats.dataSync();
    expect(s[0]).toBeCloseTo(pg, 5);
    expect(s[1]).toBeCloseTo(vf, 4);
    expect(s[2]).toBeCloseTo(ent, 5);
    expect(loss.dataSync()[0]).toBeCloseTo(pg - entCoef * ent + vfCoef * vf, 4);
    // Gradients reaching the output biases: Σ_i dL/dlogits_i and Σ_i dL/dv_i.
    const vfOut = policy.vfLayers[policy.vfLayers.length - 1]!;
    const { grads } = tf.variableGrads(
      () => ppoLoss(policy, t, clip, null, entCoef, vfCoef).loss,
      [piOut.bias, vfOut.bias],
    );
    const gPi = grads[piOut.bias.name]!.dataSync();
    const sum1 = dLogit1.reduce((a, b) => a + b, 0);
    expect(gPi[1]).toBeCloseTo(sum1, 5);
    expect(gPi[0]).toBeCloseTo(-sum1, 5);
    let gv = 0;
    for (let i = 0; i < B; i++) gv += (vfCoef * 2 * (values[i]! - ret[i]!)) / B;
    expect(grads[vfOut.bias.name]!.dataSync()[0]).toBeCloseTo(gv, 4);
    // Clipped value loss: the prediction moves at most clipVf from the old value.
    const clipped = ppoLoss(policy, t, clip, 0.1, entCoef, vfCoef).stats.dataSync()[1]!;
    let vfc = 0;
    for (let i = 0; i < B; i++)
      vfc += (ret[i]! - (oldV[i]! + Math.min(0.1, Math.max(-0.1, values[i]! - oldV[i]!)))) ** 2 / B;
    expect(clipped).toBeCloseTo(vfc, 4);
    policy.dispose();
  });
});

describe('DQN loss', () => {
  it('is the mean Huber loss of the chosen Q-values, with gradient clip(q − y, ±1)/B', () => {
    const q = tf.variable(
      tf.tensor2d([
        [1, 5],
        [0.2, -3],
        [2, 2.5],
      ]),
    );
    const actions = tf.tensor1d([1, 0, 1]);
    const y = tf.tensor1d([2.0, 0.5, 0]);
    const chosen = [5, 0.2, 2.5];
    const huber = (d: number) => (Math.abs(d) <= 1 ? 0.5 * d * d : Math.abs(d) - 0.5);
    const expected = chosen.reduce((a, c, i) => a + huber(c - [2.0, 0.5, 0][i]!), 0) / 3;
    expect(dqnLoss(q, actions, y, 2).dataSync()[0]).toBeCloseTo(expected, 6);
    const g = tf.variableGrads(() => dqnLoss(q, actions, y, 2), [q]).grads[q.name]!.arraySync() as number[][];
    expect(g[0]![1]).toBeCloseTo(1 / 3, 6);
    expect(g[1]![0]).toBeCloseTo(-0.3 / 3, 6);
    expect(g[2]![1]).toBeCloseTo(1 / 3, 6);
    expect(g[0]![0]).toBe(0);
    q.dispose();
  });
});

describe('diagonal Gaussian head', () => {
  it('log-prob and entropy equal the closed form; the typed sampler agrees with tfjs on the log-prob', async () => {
    const { gaussianLogProbEntropy, sampleGaussian } = await import('../../agents/common/distributions.ts');
    const mean = [
      [0.5, -1],
      [0, 2],
    ];
    const logStd = [-0.3, 0.4];
    const actions = [
      [1, -1.5],
      [0.2, 2.2],
    ];
    const { logProb, entropy } = gaussianLogProbEntropy(tf.tensor2d(mean), tf.tensor1d(logStd), tf.tensor2d(actions));
    const lp = logProb.dataSync(),
      ent = entropy.dataSync();
    for (let i = 0; i < 2; i++) {
      let want = 0;
      for (let k = 0; k < 2; k++) {
        const sd = Math.exp(logStd[k]!);
        want += -0.5 * ((actions[i]![k]! - mean[i]![k]!) / sd) ** 2 - Math.log(sd) - 0.5 * Math.log(2 * Math.PI);
      }
      expect(lp[i]).toBeCloseTo(want, 5);
      expect(ent[i]).toBeCloseTo(logStd[0]! + logStd[1]! + Math.log(2 * Math.PI * Math.E), 5);
    }
    // A typed-array sample's log-prob equals tfjs's log-prob of the same action.
    const out = new Float32Array(2);
    const lpTyped = sampleGaussian(Float32Array.of(0.5, -1), 0, Float32Array.from(logStd), false, new Rng(3), out, 0);
    const lpTf = gaussianLogProbEntropy(
      tf.tensor2d([[0.5, -1]]),
      tf.tensor1d(logStd),
      tf.tensor2d([[out[0]!, out[1]!]]),
    ).logProb.dataSync()[0]!;
    expect(lpTyped).toBeCloseTo(lpTf, 4);
  });
});
