// MultiDiscrete: a vector of independent discrete choices, element i in {start[i], …, start[i] + nvec[i] - 1}.
// Samples are Int32Array by default (the dtype is part of the JSON description).
import type { Dtype, SpaceJSON } from '../types.ts';
import { InvalidSpaceError } from '../errors.ts';
import { BaseSpace } from './space.ts';
import { TYPED_ARRAY, type TypedArray, integerArrayLike, intRange, isDtype, isFloatDtype } from './dtype.ts';

export class MultiDiscrete extends BaseSpace<TypedArray> {
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  readonly nvec: readonly number[];
  readonly start: readonly number[];

  constructor(nvec: readonly number[], start?: readonly number[], dtype: Dtype = 'int32') {
    super();
    if (!isDtype(dtype) || isFloatDtype(dtype) || dtype === 'bool') {
      throw new InvalidSpaceError(`MultiDiscrete dtype must be an integer dtype (got ${String(dtype)})`);
    }
    if (!Array.isArray(nvec) || nvec.length === 0)
      throw new InvalidSpaceError('MultiDiscrete needs a non-empty nvec, e.g. [3, 2]');
    for (const n of nvec)
      if (!Number.isSafeInteger(n) || n <= 0)
        throw new InvalidSpaceError(`MultiDiscrete nvec entries must be positive integers (got ${String(n)})`);
    const st = start ?? nvec.map(() => 0);
    if (st.length !== nvec.length)
      throw new InvalidSpaceError(`MultiDiscrete start has ${st.length} entries but nvec has ${nvec.length}`);
    const [dmin, dmax] = intRange(dtype);
    for (let i = 0; i < nvec.length; i++) {
      if (!Number.isSafeInteger(st[i])) throw new InvalidSpaceError(`MultiDiscrete start[${i}] must be an integer`);
      if (st[i]! < dmin || st[i]! + nvec[i]! - 1 > dmax)
        throw new InvalidSpaceError(`MultiDiscrete element ${i} does not fit dtype ${dtype}`);
    }
    this.nvec = Object.freeze([...nvec]);
    this.start = Object.freeze([...st]);
    this.shape = Object.freeze([nvec.length]);
    this.dtype = dtype;
  }

  sample(): TypedArray {
    const out = new TYPED_ARRAY[this.dtype](this.nvec.length);
    for (let i = 0; i < this.nvec.length; i++) out[i] = this.start[i]! + this.npRandom.integer(this.nvec[i]!);
    return out;
  }

  contains(x: unknown): boolean {
    const arr = integerArrayLike(x);
    if (arr === null || arr.length !== this.nvec.length) return false;
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (typeof v !== 'number' || !Number.isInteger(v)) return false;
      if (v < this.start[i]! || v >= this.start[i]! + this.nvec[i]!) return false;
    }
    return true;
  }

  toJSON(): SpaceJSON {
    return { type: 'MultiDiscrete', nvec: [...this.nvec], start: [...this.start], dtype: this.dtype };
  }

  override toString(): string {
    return `MultiDiscrete([${this.nvec.join(' ')}])`;
  }
}
