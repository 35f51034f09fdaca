// The seeding scheme of docs/core.md: one Alea stream per seed, per-sub-env seeds seed + i, entropy when unseeded.
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { Rng, assertSeed, subEnvSeeds, entropySeed } from '../../src/core/index.ts';
import { CountdownEnv } from './helpers/toy-envs.ts';

describe('Rng', () => {
  it('same seed → the same stream bit for bit; different seeds → different', () => {
    const draw = (s: number): number[] => {
      const r = new Rng(s);
      return Array.from({ length: 50 }, () => r.random());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    // The documented derivation: Rng(s) is seedrandom's Alea seeded with String(s), read with .double().
    const r = new Rng(12345);
    const alea = seedrandom.alea('12345');
    for (let i = 0; i < 100; i++) expect(r.random()).toBe(alea.double());
    // Pinned values: changing the generator or the derivation breaks every recorded run, so it must be deliberate.
    const r0 = new Rng(0);
    expect([r0.random(), r0.random()]).toEqual([0.5945264335737063, 0.12979769093792703]);
  });

  it('uniform, integer, normal and exponential have the right ranges and rough moments', () => {
    const r = new Rng(7);
    let sum = 0,
      sq = 0,
      bad = 0;
    const n = 20000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const u = r.uniform(-2, 3);
      if (!(u >= -2 && u < 3)) bad++;
      const k = r.integer(4);
      if (!(Number.isInteger(k) && k >= 0 && k < 4)) bad++;
      else counts[k]!++;
      const z = r.normal();
      sum += z;
      sq += z * z;
      if (!(r.exponential() >= 0)) bad++;
    }
    expect(bad).toBe(0);
    for (const c of counts) expect(Math.abs(c / n - 0.25)).toBeLessThan(0.02);
    expect(Math.abs(sum / n)).toBeLessThan(0.05);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
  });

  it('rejects seeds that are not non-negative safe integers, with the fix in the message', () => {
    for (const bad of [-1, 0.5, Number.NaN, Infinity, 2 ** 60, '3'])
      expect(() => assertSeed(bad)).toThrow(/non-negative integer/);
    expect(Number.isSafeInteger(entropySeed())).toBe(true);
  });

  it('sub-env seeds are seed + i, or one per sub-env', () => {
    expect(subEnvSeeds(10, 3)).toEqual([10, 11, 12]);
    expect(subEnvSeeds([5, 1, 9], 3)).toEqual([5, 1, 9]);
    expect(subEnvSeeds(undefined, 3)).toBeNull();
    expect(() => subEnvSeeds([1, 2], 3)).toThrow(/array of 3 seeds/);
    expect(() => subEnvSeeds(Number.MAX_SAFE_INTEGER, 2)).toThrow(/seed \+ numEnvs - 1/);
  });
});

describe('Env seeding', () => {
  it('reset({seed}) makes the env stream reproducible; reset() continues it', () => {
    const a = new CountdownEnv();
    const b = new CountdownEnv();
    const seq = (e: CountdownEnv, seed: number): number[] => [
      e.reset({ seed }).observation[2]!,
      e.reset().observation[2]!,
      e.reset().observation[2]!,
    ];
    expect(seq(a, 3)).toEqual(seq(b, 3));
    expect(new Set(seq(a, 3)).size).toBe(3);
    expect(seq(a, 3)).not.toEqual(seq(a, 4));
    expect(a.npRandom.seed).toBe(4);
  });
});
