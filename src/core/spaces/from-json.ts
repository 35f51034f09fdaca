// Rebuilds a space from its JSON description (the inverse of toJSON), for clients and config files.
import type { Space, SpaceJSON } from '../types.ts';
import { InvalidSpaceError } from '../errors.ts';
import { Box } from './box.ts';
import { Discrete } from './discrete.ts';
import { MultiDiscrete } from './multi-discrete.ts';
import { MultiBinary } from './multi-binary.ts';
import { Dict } from './dict.ts';
import { Tuple } from './tuple.ts';

export function spaceFromJSON(json: SpaceJSON): Space {
  if (json === null || typeof json !== 'object')
    throw new InvalidSpaceError('a space description must be an object with a "type" field');
  switch (json.type) {
    case 'Box': {
      const dec = (v: number | null, sign: number): number => (v === null ? sign * Infinity : v);
      return new Box(
        json.low.map((v) => dec(v, -1)),
        json.high.map((v) => dec(v, 1)),
        json.shape,
        json.dtype,
      );
    }
    case 'Discrete':
      return new Discrete(json.n, json.start);
    case 'MultiDiscrete':
      return new MultiDiscrete(json.nvec, json.start, json.dtype);
    case 'MultiBinary':
      return new MultiBinary(json.n);
    case 'Dict': {
      const spaces: Record<string, Space> = {};
      for (const [k, v] of Object.entries(json.spaces)) spaces[k] = spaceFromJSON(v);
      return new Dict(spaces);
    }
    case 'Tuple':
      return new Tuple(json.spaces.map(spaceFromJSON));
    default:
      throw new InvalidSpaceError(
        `unknown space type ${JSON.stringify((json as { type?: unknown }).type)}: expected Box, Discrete, MultiDiscrete, MultiBinary, Dict or Tuple`,
      );
  }
}
