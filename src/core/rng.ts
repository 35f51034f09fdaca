// Seeded random streams. Every random number in the library comes from here (seedrandom's Alea generator), so that
// the same seed gives the same numbers bit for bit on every machine. See docs/core.md, "Seeding".
import seedrandom from 'seedrandom';
import { webcrypto } from 'node:crypto';
import { InvalidArgumentError } from './errors.ts';

/** Largest seed accepted: seeds are non-negative safe integers, as Gymnasium's are non-negative ints. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** Throws a clear error unless `seed` is a non-negative safe integer. */
export function assertSeed(seed: unknown, what = 'seed'): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidArgumentError(
      `${what} must be a non-negative integer (got ${String(seed)}): pass e.g. { seed: 42 }`,
    );
  }
}

/** A fresh seed from the OS entropy pool, for when no seed was given (like Gymnasium's np_random without a seed). */
export function entropySeed(): number {
  const words = webcrypto.getRandomValues(new Uint32Array(2));
  // 53 bits, so that any seed it returns can be passed back in to replay the run.
  return (words[0]! & 0x1fffff) * 0x100000000 + words[1]!;
}

/** One seeded stream: the TypeScript counterpart of numpy's Generator as used by Gymnasium envs and spaces. */
export class Rng {
  readonly seed: number;
  private readonly prng: seedrandom.PRNG;
  private spareNormal = NaN;

  constructor(seed?: number) {
    if (seed === undefined) seed = entropySeed();
    assertSeed(seed);
    this.seed = seed;
    this.prng = seedrandom.alea(String(seed));
  }

  /** Uniform double in [0, 1) with 53 bits of precision. */
  random(): number {
    return this.prng.double();
  }

  /** Uniform double in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.prng.double();
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.prng.double() * n);
  }

  /** Uniform unsigned 32-bit integer; used to derive child seeds. */
  uint32(): number {
    return this.prng.int32() >>> 0;
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const v = this.spareNormal;
      this.spareNormal = NaN;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.prng.double();
    const v = this.prng.double();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with rate 1. */
  exponential(): number {
    return -Math.log(1 - this.prng.double());
  }
}
