// Reads only the `id` of a msgpack map without decoding the rest: used to answer a message that is over the size
// limit with its own id (so that a pipelining client can match the error), at no more cost than a scan of its keys.
import type { RequestId } from './messages.ts';

/** The id field of a msgpack-encoded map, or null when it is absent, not a number/string, or the bytes are not a map. */
export function peekRequestId(b: Uint8Array): RequestId {
  try {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let p = 0;
    const t = b[p++]!;
    let n: number;
    if (t >= 0x80 && t <= 0x8f) n = t & 0x0f;
    else if (t === 0xde) {
      n = view.getUint16(p);
      p += 2;
    } else if (t === 0xdf) {
      n = view.getUint32(p);
      p += 4;
    } else return null;
    // Every key is scanned (an id after the 64th key still comes back); skipping is O(bytes) and stops at the end.
    for (let k = 0; k < n && p < b.length; k++) {
      const keyStart = p;
      p = skip(b, view, p);
      const isId = p - keyStart === 3 && b[keyStart] === 0xa2 && b[keyStart + 1] === 0x69 && b[keyStart + 2] === 0x64;
      if (isId) return readScalar(b, view, p);
      p = skip(b, view, p);
    }
  } catch {
    // Truncated or malformed: no id to echo.
  }
  return null;
}

function readScalar(b: Uint8Array, v: DataView, p: number): RequestId {
  const t = b[p]!;
  if (t <= 0x7f) return t;
  if (t >= 0xe0) return t - 0x100;
  switch (t) {
    case 0xcc:
      return v.getUint8(p + 1);
    case 0xcd:
      return v.getUint16(p + 1);
    case 0xce:
      return v.getUint32(p + 1);
    case 0xcf:
      return Number(v.getBigUint64(p + 1));
    case 0xd0:
      return v.getInt8(p + 1);
    case 0xd1:
      return v.getInt16(p + 1);
    case 0xd2:
      return v.getInt32(p + 1);
    case 0xd3:
      return Number(v.getBigInt64(p + 1));
    case 0xcb:
      return v.getFloat64(p + 1);
  }
  if ((t >= 0xa0 && t <= 0xbf) || t === 0xd9) {
    const len = t === 0xd9 ? b[p + 1]! : t & 0x1f;
    const start = p + (t === 0xd9 ? 2 : 1);
    if (len > 128) return null;
    return Buffer.from(b.buffer, b.byteOffset + start, len).toString('utf8');
  }
  return null;
}

/** Position just after the msgpack value at p. */
function skip(b: Uint8Array, v: DataView, p: number): number {
  const t = b[p++]!;
  if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) return p;
  if (t >= 0xa0 && t <= 0xbf) return p + (t & 0x1f);
  if (t >= 0x80 && t <= 0x8f) return skipN(b, v, p, 2 * (t & 0x0f));
  if (t >= 0x90 && t <= 0x9f) return skipN(b, v, p, t & 0x0f);
  switch (t) {
    case 0xcc:
    case 0xd0:
      return p + 1;
    case 0xcd:
    case 0xd1:
      return p + 2;
    case 0xce:
    case 0xd2:
    case 0xca:
      return p + 4;
    case 0xcf:
    case 0xd3:
    case 0xcb:
      return p + 8;
    case 0xd9:
    case 0xc4:
      return p + 1 + b[p]!;
    case 0xda:
    case 0xc5:
      return p + 2 + v.getUint16(p);
    case 0xdb:
    case 0xc6:
      return p + 4 + v.getUint32(p);
    case 0xd4:
      return p + 2;
    case 0xd5:
      return p + 3;
    case 0xd6:
      return p + 5;
    case 0xd7:
      return p + 9;
    case 0xd8:
      return p + 17;
    case 0xc7:
      return p + 2 + b[p]!;
    case 0xc8:
      return p + 3 + v.getUint16(p);
    case 0xc9:
      return p + 5 + v.getUint32(p);
    case 0xdc:
      return skipN(b, v, p + 2, v.getUint16(p));
    case 0xdd:
      return skipN(b, v, p + 4, v.getUint32(p));
    case 0xde:
      return skipN(b, v, p + 2, 2 * v.getUint16(p));
    case 0xdf:
      return skipN(b, v, p + 4, 2 * v.getUint32(p));
  }
  throw new RangeError('not msgpack');
}

function skipN(b: Uint8Array, v: DataView, p: number, n: number): number {
  // Each element takes at least a byte: a count beyond the bytes left is a lie (and would only loop).
  if (n > b.length - p) throw new RangeError('more elements declared than bytes left');
  for (let i = 0; i < n; i++) {
    if (p >= b.length) throw new RangeError('truncated');
    p = skip(b, v, p);
  }
  return p;
}
