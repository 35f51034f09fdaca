// Turns values a env hands out (infos, render frames, call results) into msgpack-safe wire values: typed arrays become
// wire arrays, and anything msgpack cannot carry (functions, symbols, cycles, deep nesting) is dropped or cut.
import { encodeTyped } from './protocol/arrays.ts';

const MAX_DEPTH = 16;
/** Shared reply for the common empty info: no allocation per sub-env step. */
export const EMPTY_MAP: Readonly<Record<string, unknown>> = Object.freeze({});

export function toWireValue(x: unknown, depth = 0): unknown {
  if (x === null || x === undefined) return null;
  const t = typeof x;
  if (t === 'number' || t === 'string' || t === 'boolean') return x;
  if (t === 'bigint') return Number(x);
  if (t !== 'object' || depth > MAX_DEPTH) return null;
  if (ArrayBuffer.isView(x)) {
    if (x instanceof DataView || x instanceof BigInt64Array || x instanceof BigUint64Array) return null;
    // A copy: the env may reuse the array's memory before the reply is sent.
    return encodeTyped((x as Uint8Array).slice());
  }
  if (Array.isArray(x)) return x.map((v) => toWireValue(v, depth + 1));
  if (x instanceof Date) return x.toISOString();
  if (x instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of x) out[String(k)] = toWireValue(v, depth + 1);
    return out;
  }
  const src = x as Record<string, unknown>;
  let out: Record<string, unknown> | null = null;
  for (const k in src) {
    if (!Object.hasOwn(src, k)) continue;
    out ??= {};
    const v = src[k];
    if (typeof v === 'function' || typeof v === 'symbol') continue;
    out[k] = toWireValue(v, depth + 1);
  }
  return out ?? EMPTY_MAP;
}
