// Dict: named sub-spaces (Gymnasium's spaces.Dict). Keys are kept sorted, as Gymnasium sorts a plain dict's keys,
// so that flattening and the JSON description have one order.
import type { SpaceJSON, Space } from '../types.ts';
import { InvalidSpaceError } from '../errors.ts';
import { Rng } from '../rng.ts';
import { BaseSpace } from './space.ts';

export class Dict extends BaseSpace<Record<string, unknown>> {
  readonly shape = null;
  readonly dtype = null;
  readonly spaces: Readonly<Record<string, Space>>;
  readonly keys: readonly string[];

  constructor(spaces: Record<string, Space>) {
    super();
    if (spaces === null || typeof spaces !== 'object')
      throw new InvalidSpaceError('Dict needs an object of spaces, e.g. new Dict({ a: new Discrete(2) })');
    const keys = Object.keys(spaces).sort();
    const sorted: Record<string, Space> = {};
    for (const k of keys) {
      const s = spaces[k];
      if (!isSpace(s)) throw new InvalidSpaceError(`Dict entry "${k}" is not a space`);
      sorted[k] = s;
    }
    this.keys = Object.freeze(keys);
    this.spaces = Object.freeze(sorted);
  }

  /** Seeds this space's stream, then each sub-space (in key order) with a seed drawn from it. */
  override seed(seed?: number): number[] {
    const rng = new Rng(seed);
    const used = super.seed(rng.seed);
    for (const k of this.keys) used.push(...this.spaces[k]!.seed(rng.uint32()));
    return used;
  }

  sample(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of this.keys) out[k] = this.spaces[k]!.sample();
    return out;
  }

  contains(x: unknown): boolean {
    if (x === null || typeof x !== 'object' || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
    const obj = x as Record<string, unknown>;
    const xk = Object.keys(obj);
    if (xk.length !== this.keys.length) return false;
    for (const k of this.keys) {
      if (!Object.hasOwn(obj, k)) return false;
      if (!this.spaces[k]!.contains(obj[k])) return false;
    }
    return true;
  }

  toJSON(): SpaceJSON {
    const spaces: Record<string, SpaceJSON> = {};
    for (const k of this.keys) spaces[k] = this.spaces[k]!.toJSON();
    return { type: 'Dict', spaces };
  }

  override toString(): string {
    return `Dict(${this.keys.map((k) => `'${k}': ${String(this.spaces[k])}`).join(', ')})`;
  }
}

export function isSpace(x: unknown): x is Space {
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof (x as Space).contains === 'function' &&
    typeof (x as Space).sample === 'function' &&
    typeof (x as Space).toJSON === 'function'
  );
}
