// Tuple: an ordered list of sub-spaces (Gymnasium's spaces.Tuple). A sample is a plain array.
import type { SpaceJSON, Space } from '../types.ts';
import { InvalidSpaceError } from '../errors.ts';
import { Rng } from '../rng.ts';
import { BaseSpace } from './space.ts';
import { isSpace } from './dict.ts';

export class Tuple extends BaseSpace<unknown[]> {
  readonly shape = null;
  readonly dtype = null;
  readonly spaces: readonly Space[];

  constructor(spaces: readonly Space[]) {
    super();
    if (!Array.isArray(spaces))
      throw new InvalidSpaceError('Tuple needs an array of spaces, e.g. new Tuple([new Discrete(2)])');
    spaces.forEach((s, i) => {
      if (!isSpace(s)) throw new InvalidSpaceError(`Tuple entry ${i} is not a space`);
    });
    this.spaces = Object.freeze([...spaces]);
  }

  /** Seeds this space's stream, then each sub-space in order with a seed drawn from it. */
  override seed(seed?: number): number[] {
    const rng = new Rng(seed);
    const used = super.seed(rng.seed);
    for (const s of this.spaces) used.push(...s.seed(rng.uint32()));
    return used;
  }

  sample(): unknown[] {
    return this.spaces.map((s) => s.sample());
  }

  contains(x: unknown): boolean {
    if (!Array.isArray(x) || x.length !== this.spaces.length) return false;
    return this.spaces.every((s, i) => s.contains(x[i]));
  }

  toJSON(): SpaceJSON {
    return { type: 'Tuple', spaces: this.spaces.map((s) => s.toJSON()) };
  }

  override toString(): string {
    return `Tuple(${this.spaces.map(String).join(', ')})`;
  }
}
