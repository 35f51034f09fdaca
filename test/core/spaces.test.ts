// Spaces: samples lie in the space, contains() rejects wrong shape/dtype/NaN/out-of-range, seeding, JSON round trip.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Box,
  Discrete,
  MultiDiscrete,
  MultiBinary,
  Dict,
  Tuple,
  spaceFromJSON,
  flatten,
  flatdim,
  flattenSpace,
  InvalidSpaceError,
} from '../../src/core/index.ts';
import type { Space } from '../../src/core/index.ts';

const spaces = (): Record<string, Space> => ({
  boxBounded: new Box(-2, 3, [2, 3]),
  boxPerElement: new Box([-1, 0, -Infinity, -Infinity], [1, Infinity, 5, Infinity], [4], 'float64'),
  boxInt: new Box(-3, 3, [5], 'int32'),
  boxUint8: new Box(0, 255, [4], 'uint8'),
  discrete: new Discrete(5),
  discreteStart: new Discrete(3, -1),
  multiDiscrete: new MultiDiscrete([2, 3, 4], [0, -1, 10]),
  multiBinary: new MultiBinary([2, 2]),
  dict: new Dict({ b: new Box(0, 1, [2]), a: new Discrete(2) }),
  tuple: new Tuple([new Discrete(2), new MultiBinary(3)]),
});

describe('spaces: sample ⊂ space', () => {
  for (const [name, space] of Object.entries(spaces())) {
    it(`${name}: 300 seeded samples are contained`, () => {
      space.seed(1);
      for (let i = 0; i < 300; i++) expect(space.contains(space.sample())).toBe(true);
    });
  }

  it('property: any bounded float32 Box samples inside its bounds', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true })),
          { minLength: 1, maxLength: 6 },
        ),
        fc.nat(),
        (bounds, seed) => {
          const box = new Box(
            bounds.map(([l]) => l),
            bounds.map(([l, w]) => l + w),
            [bounds.length],
          );
          box.seed(seed);
          for (let i = 0; i < 20; i++) if (!box.contains(box.sample())) return false;
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('sample types: float32 Box → Float32Array, int32 Box → Int32Array, MultiBinary → Uint8Array, Discrete → number', () => {
    const s = spaces();
    expect(s.boxBounded!.sample()).toBeInstanceOf(Float32Array);
    expect(s.boxInt!.sample()).toBeInstanceOf(Int32Array);
    expect(s.multiBinary!.sample()).toBeInstanceOf(Uint8Array);
    expect(typeof s.discrete!.sample()).toBe('number');
    expect(Object.keys(s.dict!.sample() as object)).toEqual(['a', 'b']);
  });

  it('an int Box with small bounds hits every value, a Discrete with start hits its range only', () => {
    const box = new Box(-1, 1, [1], 'int8');
    box.seed(3);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(box.sample()[0]!);
    expect([...seen].sort()).toEqual([-1, 0, 1]);
    const d = new Discrete(3, -1);
    d.seed(3);
    const ds = new Set<number>();
    for (let i = 0; i < 200; i++) ds.add(d.sample());
    expect([...ds].sort()).toEqual([-1, 0, 1]);
  });
});

describe('spaces: contains rejects', () => {
  const box = new Box(-1, 1, [3], 'float32');
  it('Box: wrong shape, wrong dtype, NaN, out of bounds, non-arrays', () => {
    expect(box.contains(Float32Array.of(0, 0.5, -1))).toBe(true);
    expect(box.contains([0, 0.5, -1])).toBe(true); // plain numbers are cast, as Gymnasium casts lists
    expect(box.contains(Int8Array.of(0, 1, -1))).toBe(true); // int8 casts safely to float32
    expect(box.contains(Float32Array.of(0, 0))).toBe(false); // shape
    expect(box.contains(Float32Array.of(0, 0, 0, 0))).toBe(false);
    expect(box.contains(Float64Array.of(0, 0, 0))).toBe(false); // float64 does not cast safely to float32
    expect(box.contains(Int32Array.of(0, 0, 0))).toBe(false); // nor int32
    expect(box.contains(Float32Array.of(0, Number.NaN, 0))).toBe(false);
    expect(box.contains([0, Number.NaN, 0])).toBe(false);
    expect(box.contains(Float32Array.of(0, 1.0001, 0))).toBe(false);
    expect(box.contains([0, Infinity, 0])).toBe(false);
    expect(box.contains('abc')).toBe(false);
    expect(box.contains(null)).toBe(false);
    expect(box.contains([0, '1', 0])).toBe(false);
    expect(box.contains(0.5)).toBe(false); // scalar for a shape-[3] box
    expect(new Box(-1, 1, []).contains(0.5)).toBe(true);
  });

  it('int Box: non-integers rejected', () => {
    const b = new Box(0, 10, [2], 'int32');
    expect(b.contains([1, 2])).toBe(true);
    expect(b.contains([1, 2.5])).toBe(false);
    expect(b.contains(Float32Array.of(1, 2))).toBe(false);
  });

  it('Discrete: only integers in range', () => {
    const d = new Discrete(3, 1);
    expect([1, 2, 3].every((v) => d.contains(v))).toBe(true);
    for (const bad of [0, 4, 1.5, Number.NaN, '1', true, [1], null, Int32Array.of(1)])
      expect(d.contains(bad)).toBe(false);
  });

  it('MultiDiscrete, MultiBinary, Dict, Tuple', () => {
    const md = new MultiDiscrete([2, 3]);
    expect(md.contains(Int32Array.of(1, 2))).toBe(true);
    expect(md.contains([1, 3])).toBe(false);
    expect(md.contains([1])).toBe(false);
    expect(md.contains(Float32Array.of(1, 2))).toBe(false);
    const mb = new MultiBinary(3);
    expect(mb.contains(Uint8Array.of(1, 0, 1))).toBe(true);
    expect(mb.contains([1, 2, 0])).toBe(false);
    expect(mb.contains([1, 0])).toBe(false);
    const dict = new Dict({ a: new Discrete(2), b: new Box(0, 1, [1]) });
    expect(dict.contains({ a: 1, b: [0.5] })).toBe(true);
    expect(dict.contains({ a: 1 })).toBe(false);
    expect(dict.contains({ a: 1, b: [0.5], c: 0 })).toBe(false);
    expect(dict.contains({ a: 2, b: [0.5] })).toBe(false);
    expect(dict.contains([1, [0.5]])).toBe(false);
    const tuple = new Tuple([new Discrete(2), new Discrete(3)]);
    expect(tuple.contains([1, 2])).toBe(true);
    expect(tuple.contains([1, 3])).toBe(false);
    expect(tuple.contains([1])).toBe(false);
  });

  it('bad parameters are INVALID_SPACE errors that say what is wrong', () => {
    expect(() => new Box(1, -1, [2])).toThrow(InvalidSpaceError);
    expect(() => new Box(1, -1, [2])).toThrow(/low must be <= high/);
    expect(() => new Box([0, 0], [1, 1, 1])).toThrow(/high has 3 elements but the shape holds 2/);
    expect(() => new Box(0, 1)).toThrow(/needs a shape/);
    expect(() => new Box(0, 1, [2], 'float16' as never)).toThrow(/dtype/);
    expect(() => new Box(0.5, 1, [1], 'int32')).toThrow(/not an integer/);
    expect(() => new Discrete(0)).toThrow(/positive integer/);
    expect(() => new MultiDiscrete([])).toThrow(/non-empty/);
    expect(() => new MultiBinary(-1)).toThrow(/positive/);
    expect(() => new Dict({ a: 3 as never })).toThrow(/not a space/);
    expect(() => spaceFromJSON({ type: 'Circle' } as never)).toThrow(/unknown space type "Circle"/);
  });
});

describe('spaces: seeding and description', () => {
  it('same seed → same samples; different seeds → different', () => {
    for (const space of Object.values(spaces())) {
      const draw = (seed: number): string => {
        space.seed(seed);
        return JSON.stringify(
          Array.from({ length: 10 }, () => flatten(space, space.sample())).map((a) => Array.from(a)),
        );
      };
      expect(draw(5)).toBe(draw(5));
      expect(draw(5)).not.toBe(draw(6));
    }
  });

  it('seed() returns the seeds used; composite spaces seed their children', () => {
    expect(new Discrete(2).seed(42)).toEqual([42]);
    const used = new Dict({ a: new Discrete(2), b: new Discrete(3) }).seed(1);
    expect(used).toHaveLength(3);
    expect(used[0]).toBe(1);
    const unseeded = new Discrete(2).seed();
    expect(unseeded).toHaveLength(1);
    expect(Number.isSafeInteger(unseeded[0])).toBe(true);
  });

  it('toJSON round-trips through spaceFromJSON, with ±inf as null', () => {
    for (const space of Object.values(spaces())) {
      const json = JSON.parse(JSON.stringify(space.toJSON()));
      expect(spaceFromJSON(json).toJSON()).toEqual(space.toJSON());
    }
    expect(spaces().boxPerElement!.toJSON()).toEqual({
      type: 'Box',
      shape: [4],
      dtype: 'float64',
      low: [-1, 0, null, null],
      high: [1, null, 5, null],
    });
    expect(String(new Box(-1, 1, [3]))).toBe('Box(-1.0, 1.0, (3,), float32)');
    expect(String(new Dict({ a: new Discrete(2) }))).toBe("Dict('a': Discrete(2))");
  });

  it('flatten: one-hot for discrete parts, Dict in key order', () => {
    const dict = new Dict({ z: new Discrete(3), a: new Box(0, 1, [2]) });
    expect(flatdim(dict)).toBe(5);
    expect(Array.from(flatten(dict, { z: 2, a: [0.25, 0.5] }))).toEqual([0.25, 0.5, 0, 0, 1]);
    expect(flattenSpace(dict).contains(flatten(dict, dict.sample()))).toBe(true);
    expect(Array.from(flatten(new MultiDiscrete([2, 3]), [1, 0]))).toEqual([0, 1, 1, 0, 0]);
  });
});
