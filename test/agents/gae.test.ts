// GAE(λ) of the rollout buffer against a direct computation: A_t = Σ_k (γλ)^k δ_{t+k}, cut at episode ends.
import { describe, expect, it } from 'vitest';
import { RolloutBuffer, normalizeInPlace } from '../../agents/common/rollout-buffer.ts';
import { Rng } from '../../src/core/rng.ts';

describe('RolloutBuffer.computeReturnsAndAdvantages', () => {
  it('matches the direct sum of discounted TD residuals, with episode boundaries', () => {
    const T = 9,
      N = 3,
      gamma = 0.97,
      lambda = 0.8;
    const rng = new Rng(3);
    const buf = new RolloutBuffer(T, N, 1, 1);
    const rewards: number[][] = [],
      values: number[][] = [],
      starts: number[][] = [];
    for (let t = 0; t < T; t++) {
      const r = Float32Array.from({ length: N }, () => rng.normal());
      const v = Float32Array.from({ length: N }, () => rng.normal());
      const s = Uint8Array.from({ length: N }, (_, _i) => (t === 0 ? 1 : rng.random() < 0.25 ? 1 : 0));
      rewards.push([...r]);
      values.push([...v]);
      starts.push([...s]);
      buf.add(new Float32Array(N), new Float32Array(N), r, s, v, new Float32Array(N));
    }
    const lastValues = Float32Array.from({ length: N }, () => rng.normal());
    const dones = Uint8Array.from([1, 0, 0]);
    buf.computeReturnsAndAdvantages(lastValues, dones, gamma, lambda);
    for (let i = 0; i < N; i++) {
      for (let t = 0; t < T; t++) {
        // Direct: walk forward from t until the episode ends or the rollout does.
        let adv = 0,
          coef = 1;
        for (let k = t; k < T; k++) {
          const last = k === T - 1;
          const nextDone = last ? dones[i]! : starts[k + 1]![i]!;
          const nextV = last ? lastValues[i]! : values[k + 1]![i]!;
          const delta = rewards[k]![i]! + gamma * nextV * (1 - nextDone) - values[k]![i]!;
          adv += coef * delta;
          if (nextDone) break;
          coef *= gamma * lambda;
        }
        expect(buf.advantages[t * N + i]).toBeCloseTo(adv, 4);
        expect(buf.returns[t * N + i]).toBeCloseTo(adv + values[t]![i]!, 4);
      }
    }
  });

  it('λ = 1 gives Monte-Carlo returns bootstrapped from the last value', () => {
    const buf = new RolloutBuffer(3, 1, 1, 1);
    for (const r of [1, 2, 3])
      buf.add(
        new Float32Array(1),
        new Float32Array(1),
        Float32Array.of(r),
        Uint8Array.of(0),
        Float32Array.of(0),
        new Float32Array(1),
      );
    buf.computeReturnsAndAdvantages(Float32Array.of(10), Uint8Array.of(0), 0.5, 1);
    expect(buf.returns[0]).toBeCloseTo(1 + 0.5 * 2 + 0.25 * 3 + 0.125 * 10, 6);
  });

  it('minibatches cover every row exactly once per epoch', () => {
    const buf = new RolloutBuffer(4, 2, 2, 1);
    for (let t = 0; t < 4; t++)
      buf.add(
        Float32Array.of(t, 0, t, 1),
        Float32Array.of(t, t),
        Float32Array.of(t, t),
        Uint8Array.of(0, 0),
        Float32Array.of(0, 0),
        Float32Array.of(0, 0),
      );
    const order = buf.shuffle(new Rng(1));
    expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const mb = buf.makeMinibatch(3);
    buf.gather(order, 3, mb);
    for (let k = 0; k < 3; k++) {
      const row = order[3 + k]!;
      expect(mb.obs[k * 2]).toBe(Math.floor(row / 2));
      expect(mb.obs[k * 2 + 1]).toBe(row % 2);
    }
  });

  it('advantage normalisation gives mean 0 and (unbiased) std 1', () => {
    const x = Float32Array.of(1, 2, 3, 4, 10);
    normalizeInPlace(x);
    const m = x.reduce((a, b) => a + b, 0) / x.length;
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
    expect(m).toBeCloseTo(0, 6);
    expect(sd).toBeCloseTo(1, 5);
  });
});
