// Vector envs: both autoreset modes step by step, action batch forms and errors, seeding (seed + i), and the batched
// CartPole env equal bit for bit to a SyncVectorEnv of CartPole-v1.
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { SyncVectorEnv, makeVec, make, Rng, Tg4Error } from '../../src/core/index.ts';
import type { VectorEnv, AutoresetMode } from '../../src/core/index.ts';
import { CartPoleVectorEnv } from '../../envs/classic/index.ts';
import { CountdownEnv, SumEnv } from './helpers/toy-envs.ts';

const rows = (obs: Float32Array, d: number): number[][] =>
  Array.from({ length: obs.length / d }, (_, i) => Array.from(obs.subarray(i * d, i * d + d)));
const codeOf = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof Tg4Error ? e.code : String(e);
  }
};

describe('SyncVectorEnv autoreset', () => {
  it("'next-step': the step after an episode ends resets that sub-env (action ignored, reward 0, flags 0)", () => {
    const v = new SyncVectorEnv([() => new CountdownEnv(2), () => new CountdownEnv(3)]);
    const r0 = v.reset({ seed: 0 });
    expect(v.obsDim).toBe(3);
    const noise0 = r0.observations[2]!;
    const noise1 = r0.observations[5]!;
    expect(rows(r0.observations, 3)).toEqual([
      [2, 0, noise0],
      [3, 0, noise1],
    ]);
    let s = v.step(Int32Array.of(1, 2));
    expect(rows(s.observations, 3)).toEqual([
      [1, 1, noise0],
      [2, 2, noise1],
    ]);
    expect(Array.from(s.rewards)).toEqual([2, 3]);
    s = v.step(Int32Array.of(0, 0));
    expect(Array.from(s.terminated)).toEqual([1, 0]);
    expect(s.observations[0]).toBe(0); // the terminal observation itself
    expect(s.infos[0]).toEqual({ left: 0 });
    s = v.step(Int32Array.of(2, 1));
    // sub-env 0 resets: reset observation, reward 0, no flags, the reset's info
    expect(Array.from(s.rewards)).toEqual([0, 2]);
    expect(Array.from(s.terminated)).toEqual([0, 1]);
    expect(s.observations[0]).toBe(2);
    expect(s.observations[2]).not.toBe(noise0); // new noise from the continuing stream
    expect(s.infos[0]).toEqual({ reset: 2 });
    s = v.step(Int32Array.of(1, 1));
    expect(Array.from(s.rewards)).toEqual([2, 0]);
    expect(s.observations[3]).toBe(3);
  });

  it("'same-step': a finished sub-env resets at once; final_observation / final_info carry the end", () => {
    const v = new SyncVectorEnv([() => new CountdownEnv(2), () => new CountdownEnv(3)], { autoresetMode: 'same-step' });
    v.reset({ seed: 0 });
    v.step([1, 1]);
    const s = v.step([2, 0]);
    expect(Array.from(s.terminated)).toEqual([1, 0]);
    expect(Array.from(s.rewards)).toEqual([3, 1]);
    expect(s.observations[0]).toBe(2); // already the next episode's first observation
    const info = s.infos[0] as { final_observation: Float32Array; final_info: unknown; reset: number };
    expect(info.final_observation).toBeInstanceOf(Float32Array);
    expect(Array.from(info.final_observation).slice(0, 2)).toEqual([0, 2]);
    expect(info.final_info).toEqual({ left: 0 });
    expect(info.reset).toBe(2);
    expect(s.infos[1]).toEqual({ left: 1 });
    const s2 = v.step([1, 1]);
    expect(Array.from(s2.rewards)).toEqual([2, 2]); // no lost step in same-step mode
  });

  it('returns the same preallocated arrays every call', () => {
    const v = new SyncVectorEnv([() => new CountdownEnv(2), () => new CountdownEnv(2)]);
    const r = v.reset({ seed: 1 });
    const s1 = v.step([0, 0]);
    const s2 = v.step([0, 0]);
    expect(s1.observations).toBe(r.observations);
    expect(s2.rewards).toBe(s1.rewards);
    expect(s1.terminated).toBeInstanceOf(Uint8Array);
  });
});

describe('vector actions and errors', () => {
  it('Box actions as a Float32Array of N × actionDim', () => {
    const envs = [new SumEnv(), new SumEnv()];
    const v = new SyncVectorEnv(envs);
    expect(v.actionDim).toBe(2);
    v.reset({ seed: 0 });
    const s = v.step(Float32Array.of(0.5, -0.5, 1, 0.25));
    expect(rows(s.observations, 2)).toEqual([
      [0.5, -0.5],
      [1, 0.25],
    ]);
    expect(envs[1]!.lastAction).toEqual([1, 0.25]);
    expect(Array.from(s.rewards)).toEqual([0.5, 1]);
    expect(v.step([Float32Array.of(0, 0), [0.5, 0.5]]).observations[2]).toBe(1.5); // generic array of actions
  });

  it('a bad batch is INVALID_ACTION naming the sub-env and space, and no sub-env moves', () => {
    const envs = [new SumEnv(), new SumEnv(), new SumEnv()];
    const v = new SyncVectorEnv(envs);
    v.reset({ seed: 0 });
    v.step(new Float32Array(6).fill(0.5));
    let err: unknown;
    try {
      v.step(Float32Array.of(0.1, 0.1, 0.1, 0.1, 2, 0));
    } catch (e) {
      err = e;
    }
    expect((err as Tg4Error).code).toBe('INVALID_ACTION');
    expect((err as Error).message).toMatch(/sub-env 2 .*Box\(-1\.0, 1\.0, \(2,\), float32\)/);
    expect(envs.map((e) => e.total[0])).toEqual([0.5, 0.5, 0.5]);
    expect(codeOf(() => v.step(new Float32Array(5)))).toBe('INVALID_ACTION');
    expect(() => v.step(new Float32Array(5))).toThrow(/expected 6 action values \(3 sub-envs × 2/);
    expect(() => v.step([[0, 0]])).toThrow(/expected an array of 3 actions/);
    expect(codeOf(() => v.step(Float32Array.of(0, 0, 0, Number.NaN, 0, 0)))).toBe('INVALID_ACTION');
    expect(codeOf(() => v.step('x' as never))).toBe('INVALID_ACTION');
  });

  it('step before reset is RESET_NEEDED, after close CLOSED_ENV, mismatched sub-env spaces INVALID_ARGUMENT', () => {
    const v = new SyncVectorEnv([() => new CountdownEnv(), () => new CountdownEnv()]);
    expect(codeOf(() => v.step([0, 0]))).toBe('RESET_NEEDED');
    v.close();
    expect(codeOf(() => v.reset())).toBe('CLOSED_ENV');
    expect(codeOf(() => new SyncVectorEnv([() => new CountdownEnv(), () => new SumEnv()] as never))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => new SyncVectorEnv([]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new SyncVectorEnv([() => new CountdownEnv()], { autoresetMode: 'sometimes' as never }))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('reset({seed: s}) gives sub-env i the seed s + i', () => {
    const v = new SyncVectorEnv([() => new CountdownEnv(), () => new CountdownEnv(), () => new CountdownEnv()]);
    const obs = Array.from(v.reset({ seed: 40 }).observations);
    const single = [40, 41, 42].flatMap((seed) => Array.from(new CountdownEnv().reset({ seed }).observation));
    expect(obs).toEqual(single);
    expect(Array.from(v.reset({ seed: [42, 41, 40] }).observations)).toEqual(
      [2, 1, 0].flatMap((i) => single.slice(i * 3, i * 3 + 3)),
    );
  });
});

describe('batched CartPole-v1 (vector entry point)', () => {
  it('makeVec picks the batched env by default and SyncVectorEnv on request', () => {
    const fast = makeVec('CartPole-v1', { numEnvs: 4 });
    expect(fast).toBeInstanceOf(CartPoleVectorEnv);
    expect(fast.spec?.id).toBe('CartPole-v1');
    expect(makeVec('CartPole-v1', { numEnvs: 4, vectorizationMode: 'sync' })).toBeInstanceOf(SyncVectorEnv);
    expect(() => makeVec('CartPole-v1', { numEnvs: 0 })).toThrow(/numEnvs must be a positive integer/);
    expect(() => makeVec('CartPole-v1', { numEnvs: 2, kwargs: { gravity: 1 } })).toThrow(/no option gravity/);
  });

  for (const mode of ['next-step', 'same-step'] as AutoresetMode[]) {
    it(`'${mode}': equals SyncVectorEnv(TimeLimit(CartPoleEnv)) bit for bit over 3000 steps, truncation included`, () => {
      const n = 6;
      const sync: VectorEnv = makeVec('CartPole-v1', { numEnvs: n, autoresetMode: mode, vectorizationMode: 'sync' });
      const fast: VectorEnv = makeVec('CartPole-v1', { numEnvs: n, autoresetMode: mode });
      const a = sync.reset({ seed: 77 });
      const b = fast.reset({ seed: 77 });
      expect(Array.from(b.observations)).toEqual(Array.from(a.observations));
      const rng = new Rng(5);
      const acts = new Int32Array(n);
      let ends = 0,
        truncations = 0;
      for (let t = 0; t < 3000; t++) {
        // Sub-env 0 balances (to reach the 500-step truncation); the others act at random.
        acts[0] = a.observations[2]! + 0.5 * a.observations[3]! > 0 ? 1 : 0;
        for (let i = 1; i < n; i++) acts[i] = rng.integer(2);
        const x = sync.step(acts);
        const y = fast.step(acts);
        // Plain loops, with expect() only on a mismatch: vitest's deep equality is too slow for 3000 × 6 rows.
        for (let k = 0; k < n * 4; k++)
          if (!Object.is(x.observations[k], y.observations[k]))
            expect(Array.from(y.observations), `step ${t}`).toEqual(Array.from(x.observations));
        for (let i = 0; i < n; i++) {
          if (
            x.rewards[i] !== y.rewards[i] ||
            x.terminated[i] !== y.terminated[i] ||
            x.truncated[i] !== y.truncated[i]
          ) {
            expect([y.rewards[i], y.terminated[i], y.truncated[i]], `step ${t} sub-env ${i}`).toEqual([
              x.rewards[i],
              x.terminated[i],
              x.truncated[i],
            ]);
          }
          if (x.terminated[i] || x.truncated[i]) {
            ends++;
            expect(y.infos[i]).toEqual(x.infos[i]);
          } else if (Object.keys(y.infos[i]!).length !== 0 || Object.keys(x.infos[i]!).length !== 0) {
            expect(y.infos[i]).toEqual(x.infos[i]);
          }
          if (x.truncated[i]) truncations++;
        }
      }
      expect(ends).toBeGreaterThan(100);
      expect(truncations).toBeGreaterThan(0);
    });
  }

  it('rejects bad batches before moving any cart', () => {
    const v = new CartPoleVectorEnv({ numEnvs: 3 });
    expect(codeOf(() => v.step(Int32Array.of(0, 1, 0)))).toBe('RESET_NEEDED');
    v.reset({ seed: 1 });
    const before = Array.from(v.step(Int32Array.of(0, 1, 0)).observations);
    expect(() => v.step(Int32Array.of(0, 1, 2))).toThrow(
      /action 2 for sub-env 2 is not in the action space Discrete\(2\)/,
    );
    expect(() => v.step(Int32Array.of(0, 1))).toThrow(/expected 3 action values/);
    expect(() => v.step(Float32Array.of(0, 1, 0))).toThrow(/not a float32 array/);
    expect(() => v.step([0, 1, '1'] as never)).toThrow(/INVALID|not in the action space/);
    expect(Array.from(v.step(Int32Array.of(1, 1, 1)).observations)).not.toEqual(before);
    expect(codeOf(() => new CartPoleVectorEnv({ numEnvs: -1 }))).toBe('INVALID_ARGUMENT');
    v.close();
    expect(codeOf(() => v.step(Int32Array.of(0, 0, 0)))).toBe('CLOSED_ENV');
  });

  it('a sub-env of the batched env reproduces a single CartPole-v1 episode with seed s + i', () => {
    const v = new CartPoleVectorEnv({ numEnvs: 3 });
    v.reset({ seed: 10 });
    const single = make<Float32Array, number>('CartPole-v1');
    const first = single.reset({ seed: 12 }).observation;
    expect(Array.from(v.reset({ seed: 10 }).observations.subarray(8, 12))).toEqual(Array.from(first));
    for (let t = 0; t < 5; t++) {
      const o = single.step(1).observation;
      expect(Array.from(v.step(Int32Array.of(0, 0, 1)).observations.subarray(8, 12))).toEqual(Array.from(o));
    }
  });
});
