// Dtypes and their typed-array classes. A Box sample of dtype d is stored in TYPED_ARRAY[d]; int64 is stored in a
// Float64Array (exact up to 2^53) so that no BigInt reaches user code.
import type { Dtype } from '../types.ts';

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array;

type TypedArrayCtor = { new (n: number): TypedArray; new (src: ArrayLike<number>): TypedArray };

export const TYPED_ARRAY: Record<Dtype, TypedArrayCtor> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: Float64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  bool: Uint8Array,
};

export const DTYPES: readonly Dtype[] = [
  'float32',
  'float64',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'bool',
];

export function isDtype(x: unknown): x is Dtype {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isFloatDtype(d: Dtype): boolean {
  return d === 'float32' || d === 'float64';
}

/** Representable range of an integer dtype (int64 limited to safe integers). */
export function intRange(d: Dtype): [number, number] {
  switch (d) {
    case 'int8':
      return [-128, 127];
    case 'int16':
      return [-32768, 32767];
    case 'int32':
      return [-2147483648, 2147483647];
    case 'int64':
      return [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    case 'uint8':
      return [0, 255];
    case 'uint16':
      return [0, 65535];
    case 'uint32':
      return [0, 4294967295];
    case 'bool':
      return [0, 1];
    default:
      return [-Infinity, Infinity];
  }
}

/** The dtype a typed array carries (Uint8Array reads as uint8), or null for anything else. */
export function dtypeOfArray(x: unknown): Dtype | null {
  if (x instanceof Float32Array) return 'float32';
  if (x instanceof Float64Array) return 'float64';
  if (x instanceof Int8Array) return 'int8';
  if (x instanceof Int16Array) return 'int16';
  if (x instanceof Int32Array) return 'int32';
  if (x instanceof Uint8Array || x instanceof Uint8ClampedArray) return 'uint8';
  if (x instanceof Uint16Array) return 'uint16';
  if (x instanceof Uint32Array) return 'uint32';
  return null;
}

// numpy's can_cast(from, to, 'safe'): the values of `from` always fit in `to` without loss.
const SAFE: Record<Dtype, readonly Dtype[]> = {
  bool: DTYPES,
  int8: ['int8', 'int16', 'int32', 'int64', 'float32', 'float64'],
  uint8: ['uint8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float32', 'float64'],
  int16: ['int16', 'int32', 'int64', 'float32', 'float64'],
  uint16: ['uint16', 'int32', 'int64', 'uint32', 'float32', 'float64'],
  int32: ['int32', 'int64', 'float64'],
  uint32: ['uint32', 'int64', 'float64'],
  int64: ['int64', 'float64'],
  float32: ['float32', 'float64'],
  float64: ['float64'],
};

export function canCastSafely(from: Dtype, to: Dtype): boolean {
  return SAFE[from].includes(to);
}

/** Rounds a double to what dtype `d` stores (float32 rounding; integers unchanged). */
export function castScalar(v: number, d: Dtype): number {
  return d === 'float32' ? Math.fround(v) : v;
}

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** An integer typed array or a plain array, as the elements of a discrete space may come (null for anything else). */
export function integerArrayLike(x: unknown): ArrayLike<unknown> | null {
  const d = dtypeOfArray(x);
  if (d !== null) return isFloatDtype(d) ? null : (x as ArrayLike<number>);
  return Array.isArray(x) ? x : null;
}

export function isArrayLikeOfNumbers(x: unknown): x is ArrayLike<number> {
  if (dtypeOfArray(x) !== null) return true;
  if (!Array.isArray(x)) return false;
  for (const v of x) if (typeof v !== 'number') return false;
  return true;
}
