// The typed-array forward pass must give tfjs's outputs (within 1e-5) and the same actions, and be fast.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../agents/common/backend.ts';
import { applyLayers, mlp, typedForward } from '../../agents/common/mlp.ts';
import { MlpForward, argmax } from '../../agents/common/forward.ts';
import { Rng } from '../../src/core/rng.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('typed-array MLP forward pass', () => {
  for (const activation of ['tanh', 'relu'] as const) {
    it(`equals tfjs within 1e-5 for a 2×64 ${activation} net (batch 1 and 37)`, () => {
      const rng = new Rng(7);
      const layers = mlp('t', 11, 3, { hidden: [64, 64], activation, init: 'orthogonal', outputGain: 1 }, rng);
      const fwd = typedForward(layers, 1);
      for (const batch of [1, 37]) {
        const x = Float32Array.from({ length: batch * 11 }, () => rng.normal() * 2);
        const expected = tf.tidy(() => applyLayers(layers, tf.tensor2d(x, [batch, 11])).dataSync() as Float32Array);
        const got = fwd.run(x, batch, new Float32Array(batch * 3));
        let maxErr = 0;
        for (let k = 0; k < got.length; k++) maxErr = Math.max(maxErr, Math.abs(got[k]! - expected[k]!));
        expect(maxErr).toBeLessThan(1e-5);
        for (let i = 0; i < batch; i++) expect(argmax(got, i * 3, 3)).toBe(argmax(expected, i * 3, 3));
      }
      for (const l of layers) l.dispose();
    });
  }

  it('decides in microseconds for a 2×64 net (loose CI bound; the benchmark records the figure)', () => {
    const rng = new Rng(1);
    const kernel = (i: number, o: number) => Float32Array.from({ length: i * o }, () => rng.normal() * 0.1);
    const fwd = new MlpForward([
      { inSize: 16, outSize: 64, kernel: kernel(16, 64), bias: new Float32Array(64), activation: 'tanh' },
      { inSize: 64, outSize: 64, kernel: kernel(64, 64), bias: new Float32Array(64), activation: 'tanh' },
      { inSize: 64, outSize: 3, kernel: kernel(64, 3), bias: new Float32Array(3), activation: 'linear' },
    ]);
    const x = Float32Array.from({ length: 16 }, () => rng.normal());
    const out = new Float32Array(3);
    for (let i = 0; i < 2000; i++) fwd.run(x, 1, out);
    const n = 20000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fwd.run(x, 1, out);
    const us = ((performance.now() - t0) * 1000) / n;
    expect(us).toBeLessThan(200);
  });

  it('refuses layers that do not chain', () => {
    const l = (i: number, o: number) => ({
      inSize: i,
      outSize: o,
      kernel: new Float32Array(i * o),
      bias: new Float32Array(o),
      activation: 'linear' as const,
    });
    expect(() => new MlpForward([l(4, 8), l(9, 2)])).toThrow(/expects 9 inputs/);
  });
});
