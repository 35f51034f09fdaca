// Box: an n-dimensional array of numbers between per-element bounds (Gymnasium's spaces.Box). Samples and
// observations are flat row-major typed arrays of the dtype's class (see dtype.ts).
import type { Dtype, SpaceJSON } from '../types.ts';
import { InvalidSpaceError } from '../errors.ts';
import { BaseSpace } from './space.ts';
import {
  TYPED_ARRAY,
  type TypedArray,
  canCastSafely,
  castScalar,
  dtypeOfArray,
  intRange,
  isDtype,
  isFloatDtype,
  product,
} from './dtype.ts';

export type Bound = number | ArrayLike<number>;

/** T is the sample's typed-array class; it should match dtype (Float32Array for float32), e.g. new Box<Float32Array>(…). */
export class Box<T extends TypedArray = TypedArray> extends BaseSpace<T> {
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  /** Bounds, one per element, rounded to the dtype (as Gymnasium casts them). */
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly size: number;

  constructor(low: Bound, high: Bound, shape?: readonly number[], dtype: Dtype = 'float32') {
    super();
    if (!isDtype(dtype))
      throw new InvalidSpaceError(
        `Box dtype ${String(dtype)} is not one of float32, float64, int8..int64, uint8..uint32, bool`,
      );
    const inferred =
      shape ?? (typeof low !== 'number' ? [low.length] : typeof high !== 'number' ? [high.length] : null);
    if (inferred === null)
      throw new InvalidSpaceError('Box with scalar low and high needs a shape, e.g. new Box(-1, 1, [3])');
    for (const s of inferred) {
      if (!Number.isInteger(s) || s < 0)
        throw new InvalidSpaceError(`Box shape must be non-negative integers (got [${inferred.join(', ')}])`);
    }
    this.shape = Object.freeze([...inferred]);
    this.dtype = dtype;
    this.size = product(this.shape);
    this.low = expand(low, this.size, 'low', dtype);
    this.high = expand(high, this.size, 'high', dtype);
    for (let i = 0; i < this.size; i++) {
      if (Number.isNaN(this.low[i]!) || Number.isNaN(this.high[i]!))
        throw new InvalidSpaceError(`Box bounds must not be NaN (element ${i})`);
      if (this.low[i]! > this.high[i]!) {
        throw new InvalidSpaceError(
          `Box low must be <= high (element ${i}: low ${this.low[i]} > high ${this.high[i]})`,
        );
      }
    }
  }

  isBounded(): boolean {
    for (let i = 0; i < this.size; i++)
      if (!Number.isFinite(this.low[i]!) || !Number.isFinite(this.high[i]!)) return false;
    return true;
  }

  /** Gymnasium's rule: uniform when bounded, shifted exponential when bounded on one side, normal when unbounded. */
  sample(): T {
    const out = new TYPED_ARRAY[this.dtype](this.size);
    const rng = this.npRandom;
    const isInt = !isFloatDtype(this.dtype);
    const [dmin, dmax] = intRange(this.dtype);
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i]!;
      const hi = this.high[i]!;
      const loF = Number.isFinite(lo);
      const hiF = Number.isFinite(hi);
      let v: number;
      if (loF && hiF) v = isInt ? Math.floor(rng.uniform(lo, hi + 1)) : rng.uniform(lo, hi);
      else if (loF) v = lo + rng.exponential();
      else if (hiF) v = hi - rng.exponential();
      else v = rng.normal();
      if (isInt) v = Math.min(Math.max(Math.floor(v), Math.max(lo, dmin)), Math.min(hi, dmax));
      out[i] = v;
      // Float32 rounding can push a value just past a bound: clamp to the (float32-representable) bound.
      if (out[i]! > hi) out[i] = hi;
      if (out[i]! < lo) out[i] = lo;
    }
    return out as T;
  }

  /**
   * A typed array whose dtype casts safely to this dtype (numpy's can_cast), or a plain number[] (cast to the dtype,
   * as Gymnasium does with lists; integer dtypes need integer values); a plain number for shape [].
   * The flat length must equal the shape's product; NaN and out-of-bound values are rejected.
   */
  contains(x: unknown): boolean {
    let values: ArrayLike<number>;
    if (typeof x === 'number') {
      if (this.size !== 1) return false;
      values = [x];
    } else {
      const d = dtypeOfArray(x);
      if (d !== null) {
        if (!canCastSafely(d, this.dtype) && !(this.dtype === 'bool' && d === 'uint8')) return false;
        values = x as ArrayLike<number>;
      } else if (Array.isArray(x)) {
        values = x as ArrayLike<number>;
      } else {
        return false;
      }
    }
    if (values.length !== this.size) return false;
    const isInt = !isFloatDtype(this.dtype);
    for (let i = 0; i < this.size; i++) {
      const raw = values[i];
      if (typeof raw !== 'number' || Number.isNaN(raw)) return false;
      if (isInt && !Number.isInteger(raw)) return false;
      const v = castScalar(raw, this.dtype);
      if (!(v >= this.low[i]! && v <= this.high[i]!)) return false;
    }
    return true;
  }

  toJSON(): SpaceJSON {
    const enc = (v: number): number | null => (Number.isFinite(v) ? v : null);
    return {
      type: 'Box',
      shape: [...this.shape],
      dtype: this.dtype,
      low: Array.from(this.low, enc),
      high: Array.from(this.high, enc),
    };
  }

  override toString(): string {
    const f = (v: number): string => fmt(v, this.dtype === 'float32');
    const uniform = (a: Float64Array): string | null => (a.every((v) => v === a[0]) && a.length > 0 ? f(a[0]!) : null);
    const lo = uniform(this.low) ?? `[${Array.from(this.low, f).join(' ')}]`;
    const hi = uniform(this.high) ?? `[${Array.from(this.high, f).join(' ')}]`;
    const shape = this.shape.length === 1 ? `(${this.shape[0]},)` : `(${this.shape.join(', ')})`;
    return `Box(${lo}, ${hi}, ${shape}, ${this.dtype})`;
  }
}

/** numpy-like: 'inf', '1.0', and for float32 the shortest decimal that rounds back to the same float32. */
function fmt(v: number, float32: boolean): string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1);
  if (float32) {
    for (let p = 1; p <= 9; p++) {
      const s = v.toPrecision(p);
      if (Math.fround(Number(s)) === v) return String(Number(s));
    }
  }
  return String(v);
}

function expand(b: Bound, size: number, name: string, dtype: Dtype): Float64Array {
  const out = new Float64Array(size);
  if (typeof b === 'number') {
    out.fill(castScalar(b, dtype));
  } else {
    if (b.length !== size)
      throw new InvalidSpaceError(`Box ${name} has ${b.length} elements but the shape holds ${size}`);
    for (let i = 0; i < size; i++) {
      const v = b[i];
      if (typeof v !== 'number') throw new InvalidSpaceError(`Box ${name}[${i}] is not a number`);
      out[i] = castScalar(v, dtype);
    }
  }
  if (!isFloatDtype(dtype)) {
    const [dmin, dmax] = intRange(dtype);
    for (let i = 0; i < size; i++) {
      const v = out[i]!;
      if (Number.isFinite(v) && !Number.isInteger(v))
        throw new InvalidSpaceError(`Box ${name}[${i}] = ${v} is not an integer, but dtype is ${dtype}`);
      out[i] = Math.min(Math.max(v, dmin), dmax);
    }
  }
  return out;
}
