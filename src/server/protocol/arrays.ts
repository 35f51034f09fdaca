// Arrays on the wire: `{dtype, shape, data}` with `data` the raw little-endian bytes, row-major (numpy's C order), so
// that numpy reads them with np.frombuffer and TypeScript with a typed-array view, with no per-element encoding.
import { DTYPES, isFloatDtype, TYPED_ARRAY, type TypedArray } from '../../core/spaces/dtype.ts';
import type { Dtype } from '../../core/types.ts';
import { ProtocolError } from '../errors.ts';

export interface WireArray {
  dtype: Dtype;
  shape: number[];
  data: Uint8Array;
}

export const DTYPE_BYTES: Record<Dtype, number> = {
  float32: 4,
  float64: 8,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  bool: 1,
};

export const INTEGER_DTYPES: ReadonlySet<Dtype> = new Set<Dtype>(DTYPES.filter((d) => !isFloatDtype(d)));

/** The typed array that holds a decoded dtype (int64 as Float64Array, exact up to 2^53; bool as Uint8Array). */
export type DecodedArray = Exclude<TypedArray, Uint8ClampedArray>;

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** True when `x` has the three fields of a wire array (used to tell arrays from plain maps when decoding infos). */
export function looksLikeWireArray(x: unknown): x is WireArray {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  const o = x as Record<string, unknown>;
  return (
    typeof o.dtype === 'string' && Array.isArray(o.shape) && o.data instanceof Uint8Array && Object.keys(o).length === 3
  );
}

/** Checks a received value is a well-formed wire array; `what` names it in the error ("step.actions"). */
export function parseWireArray(x: unknown, what: string): WireArray {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) {
    throw new ProtocolError(`${what} must be an array map {dtype, shape, data} (got ${typeName(x)})`);
  }
  const o = x as Record<string, unknown>;
  if (typeof o.dtype !== 'string' || !(o.dtype in DTYPE_BYTES)) {
    throw new ProtocolError(
      `${what}.dtype must be one of ${Object.keys(DTYPE_BYTES).join(', ')} (got ${JSON.stringify(o.dtype)})`,
    );
  }
  if (
    !Array.isArray(o.shape) ||
    o.shape.length > 32 ||
    !o.shape.every((s) => Number.isSafeInteger(s) && (s as number) >= 0)
  ) {
    throw new ProtocolError(`${what}.shape must be a list of at most 32 non-negative integers`);
  }
  if (!(o.data instanceof Uint8Array))
    throw new ProtocolError(`${what}.data must be msgpack binary (bin 8/16/32), got ${typeName(o.data)}`);
  const dtype = o.dtype as Dtype;
  const shape = o.shape as number[];
  const expected = product(shape) * DTYPE_BYTES[dtype];
  if (o.data.byteLength !== expected) {
    throw new ProtocolError(
      `${what}.data holds ${o.data.byteLength} bytes but dtype ${dtype} and shape [${shape.join(', ')}] need ${expected}`,
    );
  }
  return { dtype, shape, data: o.data };
}

/** Wraps a typed array's bytes as a wire array without copying (the caller keeps the array alive until it is sent). */
export function wireFromTyped(dtype: Exclude<Dtype, 'int64'>, shape: number[], arr: ArrayBufferView): WireArray {
  return { dtype, shape, data: new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength) };
}

/** int64 from a Float64Array of safe integers, written as two little-endian 32-bit words. */
export function writeInt64(out: DataView, byteOffset: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  out.setUint32(byteOffset, v - hi * 4294967296, true);
  out.setInt32(byteOffset + 4, hi, true);
}

/** Reads element `i` of a wire array as a number (int64 beyond 2^53 reads as NaN so that it is rejected). */
export function readElement(view: DataView, dtype: Dtype, i: number): number {
  switch (dtype) {
    case 'float32':
      return view.getFloat32(i * 4, true);
    case 'float64':
      return view.getFloat64(i * 8, true);
    case 'int8':
      return view.getInt8(i);
    case 'int16':
      return view.getInt16(i * 2, true);
    case 'int32':
      return view.getInt32(i * 4, true);
    case 'int64': {
      const v = view.getInt32(i * 8 + 4, true) * 4294967296 + view.getUint32(i * 8, true);
      return Number.isSafeInteger(v) ? v : NaN;
    }
    case 'uint8':
    case 'bool':
      return view.getUint8(i);
    case 'uint16':
      return view.getUint16(i * 2, true);
    case 'uint32':
      return view.getUint32(i * 4, true);
  }
}

export function dataView(w: WireArray): DataView {
  return new DataView(w.data.buffer, w.data.byteOffset, w.data.byteLength);
}

// The same classes as the spaces' own storage (int64 in a Float64Array, bool in a Uint8Array).
const DECODED = TYPED_ARRAY as Record<Dtype, { new (n: number): DecodedArray }>;

/**
 * A fresh, aligned typed array with the wire array's values. msgpack hands binary out as a slice of the received
 * message that may sit at any byte offset, so a typed-array view on it directly would throw for odd offsets: copy.
 */
export function decodeWireArray(w: WireArray): DecodedArray {
  const n = product(w.shape);
  const out = new DECODED[w.dtype](n);
  if (w.dtype === 'int64') {
    const view = dataView(w);
    for (let i = 0; i < n; i++) out[i] = readElement(view, 'int64', i);
  } else {
    new Uint8Array(out.buffer).set(w.data);
  }
  return out;
}

/** Encodes any typed array as a wire array (a copy for int64 sources, a view otherwise). */
export function encodeTyped(arr: ArrayBufferView, shape?: number[], dtypeOverride?: Dtype): WireArray {
  const dtype = dtypeOverride ?? dtypeOf(arr);
  const n = (arr as unknown as ArrayLike<number>).length;
  const s = shape ?? [n];
  if (dtype === 'int64') {
    const src = arr as unknown as ArrayLike<number>;
    const data = new Uint8Array(n * 8);
    const view = new DataView(data.buffer);
    for (let i = 0; i < n; i++) writeInt64(view, i * 8, src[i]!);
    return { dtype, shape: s, data };
  }
  return wireFromTyped(dtype, s, arr);
}

function dtypeOf(arr: ArrayBufferView): Exclude<Dtype, 'int64'> {
  if (arr instanceof Float32Array) return 'float32';
  if (arr instanceof Float64Array) return 'float64';
  if (arr instanceof Int8Array) return 'int8';
  if (arr instanceof Int16Array) return 'int16';
  if (arr instanceof Int32Array) return 'int32';
  if (arr instanceof Uint16Array) return 'uint16';
  if (arr instanceof Uint32Array) return 'uint32';
  return 'uint8';
}

export function typeName(x: unknown): string {
  if (x === null) return 'nil';
  if (Array.isArray(x)) return 'array';
  if (x instanceof Uint8Array) return 'binary';
  return typeof x === 'object' ? 'map' : typeof x;
}
