// MultiBinary: an array of 0/1 flags (Gymnasium's spaces.MultiBinary). Samples are Uint8Array, flat row-major.
import type { SpaceJSON } from '../types.ts';
import { InvalidSpaceError } from '../errors.ts';
import { BaseSpace } from './space.ts';
import { integerArrayLike, product } from './dtype.ts';

export class MultiBinary extends BaseSpace<Uint8Array> {
  readonly shape: readonly number[];
  readonly dtype = 'int8' as const;
  readonly n: readonly number[];
  readonly size: number;

  constructor(n: number | readonly number[]) {
    super();
    const dims = typeof n === 'number' ? [n] : [...n];
    if (dims.length === 0 || dims.some((d) => !Number.isSafeInteger(d) || d <= 0)) {
      throw new InvalidSpaceError(
        `MultiBinary n must be a positive integer or a list of them (got ${JSON.stringify(n)})`,
      );
    }
    this.n = Object.freeze(dims);
    this.shape = this.n;
    this.size = product(dims);
  }

  sample(): Uint8Array {
    const out = new Uint8Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.npRandom.integer(2);
    return out;
  }

  contains(x: unknown): boolean {
    const arr = integerArrayLike(x);
    if (arr === null || arr.length !== this.size) return false;
    for (let i = 0; i < arr.length; i++) if (arr[i] !== 0 && arr[i] !== 1) return false;
    return true;
  }

  toJSON(): SpaceJSON {
    return { type: 'MultiBinary', n: [...this.n] };
  }

  override toString(): string {
    return this.n.length === 1 ? `MultiBinary(${this.n[0]})` : `MultiBinary([${this.n.join(', ')}])`;
  }
}
