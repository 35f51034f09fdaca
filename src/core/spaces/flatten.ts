// Flattening a space's values into one Float32Array row (Gymnasium's flatdim/flatten): Box as is, Discrete and
// MultiDiscrete as one-hot, MultiBinary as 0/1, Dict in sorted key order, Tuple in order. Used by FlattenObservation
// and by vector envs to lay any observation out as a row of the N × D batch.
import type { Space } from '../types.ts';
import { InvalidSpaceError, InvalidArgumentError } from '../errors.ts';
import { Box } from './box.ts';
import { Discrete } from './discrete.ts';
import { MultiDiscrete } from './multi-discrete.ts';
import { MultiBinary } from './multi-binary.ts';
import { Dict } from './dict.ts';
import { Tuple } from './tuple.ts';

export function flatdim(space: Space): number {
  if (space instanceof Box) return space.size;
  if (space instanceof Discrete) return space.n;
  if (space instanceof MultiDiscrete) return space.nvec.reduce((a, b) => a + b, 0);
  if (space instanceof MultiBinary) return space.size;
  if (space instanceof Dict) return space.keys.reduce((a, k) => a + flatdim(space.spaces[k]!), 0);
  if (space instanceof Tuple) return space.spaces.reduce((a, s) => a + flatdim(s), 0);
  throw new InvalidSpaceError(
    `cannot flatten ${String(space)}: only Box, Discrete, MultiDiscrete, MultiBinary, Dict and Tuple are supported`,
  );
}

/** Writes `x` (an element of `space`) into `out` from `offset`; returns the offset after it. No allocation. */
export function flattenInto(space: Space, x: unknown, out: Float32Array, offset = 0): number {
  if (space instanceof Box || space instanceof MultiBinary) {
    const arr = typeof x === 'number' ? null : (x as ArrayLike<number>);
    const n = space.size;
    if (arr === null) {
      out[offset] = x as number;
    } else {
      if (arr.length !== n)
        throw new InvalidArgumentError(`cannot flatten a value of length ${arr.length} into ${String(space)}`);
      for (let i = 0; i < n; i++) out[offset + i] = arr[i]!;
    }
    return offset + n;
  }
  if (space instanceof Discrete) {
    out.fill(0, offset, offset + space.n);
    out[offset + (x as number) - space.start] = 1;
    return offset + space.n;
  }
  if (space instanceof MultiDiscrete) {
    const arr = x as ArrayLike<number>;
    for (let i = 0; i < space.nvec.length; i++) {
      out.fill(0, offset, offset + space.nvec[i]!);
      out[offset + arr[i]! - space.start[i]!] = 1;
      offset += space.nvec[i]!;
    }
    return offset;
  }
  if (space instanceof Dict) {
    const obj = x as Record<string, unknown>;
    for (const k of space.keys) offset = flattenInto(space.spaces[k]!, obj[k], out, offset);
    return offset;
  }
  if (space instanceof Tuple) {
    const arr = x as unknown[];
    space.spaces.forEach((s, i) => {
      offset = flattenInto(s, arr[i], out, offset);
    });
    return offset;
  }
  throw new InvalidSpaceError(`cannot flatten ${String(space)}`);
}

export function flatten(space: Space, x: unknown): Float32Array {
  const out = new Float32Array(flatdim(space));
  flattenInto(space, x, out, 0);
  return out;
}

/** The Box that flattened values of `space` live in (Gymnasium's flatten_space). */
export function flattenSpace(space: Space): Box {
  if (space instanceof Box)
    return new Box(space.low, space.high, [space.size], space.dtype === 'float64' ? 'float64' : 'float32');
  const n = flatdim(space);
  if (space instanceof Discrete || space instanceof MultiDiscrete || space instanceof MultiBinary)
    return new Box(0, 1, [n], 'float32');
  const parts =
    space instanceof Dict
      ? space.keys.map((k) => flattenSpace(space.spaces[k]!))
      : (space as Tuple).spaces.map(flattenSpace);
  const low: number[] = [];
  const high: number[] = [];
  for (const p of parts) {
    low.push(...p.low);
    high.push(...p.high);
  }
  return new Box(low, high, [n], 'float32');
}
