// The step request read straight from its msgpack bytes: the hot request, and always the same few keys. A general
// decode builds every key and value as JS objects and then checks them (3-4 µs per Trading-v0 × 64 step); this
// reader walks the bytes once and hands the actions' data out as a view. It accepts only the plain shape clients send
// ({v, id, op: 'step', session, actions: {dtype, shape, data}, env_ids: nil, reuse_reply}, keys in any order) and
// returns null for anything else, which then takes the general path and its errors: so what it returns is exactly
// what parseRequest(decodeMessage(body)) returns (test/server/fast-step.test.ts).
import { PROTOCOL_VERSION, type StepRequest } from './messages.ts';

const KEYS = ['v', 'id', 'op', 'session', 'actions', 'env_ids', 'reuse_reply'] as const;
const ARRAY_KEYS = ['dtype', 'shape', 'data'] as const;

class Cursor {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.b.length) throw OUT;
    return this.b[this.pos++]!;
  }
  /** An unsigned integer of n big-endian bytes. */
  uint(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.byte();
    return v;
  }
  /** The ASCII str at the cursor (fixstr, str8, str16), or null for any other type (or any other text). */
  str(): string | null {
    const t = this.byte();
    const n = t >= 0xa0 && t <= 0xbf ? t - 0xa0 : t === 0xd9 ? this.uint(1) : t === 0xda ? this.uint(2) : -1;
    if (n < 0 || this.pos + n > this.b.length) return null;
    for (let i = this.pos; i < this.pos + n; i++) if (this.b[i]! >= 0x80) return null;
    const s = Buffer.from(this.b.buffer, this.b.byteOffset + this.pos, n).toString('latin1');
    this.pos += n;
    return s;
  }
  /** A non-negative integer (positive fixint, uint8/16/32), or null. */
  count(): number | null {
    const t = this.byte();
    if (t <= 0x7f) return t;
    if (t === 0xcc) return this.uint(1);
    if (t === 0xcd) return this.uint(2);
    if (t === 0xce) return this.uint(4);
    return null;
  }
  /** A map header's entry count (fixmap, map16), or null. */
  map(): number | null {
    const t = this.byte();
    if (t >= 0x80 && t <= 0x8f) return t - 0x80;
    if (t === 0xde) return this.uint(2);
    return null;
  }
}
const OUT = new Error('out of bytes');

/** The key's index in `keys`, or −1 (a key that is not a fixstr, or not one of them). */
function keyIndex(c: Cursor, keys: readonly string[]): number {
  const t = c.b[c.pos];
  if (t === undefined || t < 0xa0 || t > 0xbf) return -1;
  const k = c.str();
  return k === null ? -1 : keys.indexOf(k);
}

export function readStepRequest(body: Uint8Array): StepRequest | null {
  try {
    return read(new Cursor(body));
  } catch (e) {
    if (e === OUT) return null;
    throw e;
  }
}

function read(c: Cursor): StepRequest | null {
  const n = c.map();
  if (n === null) return null;
  let seen = 0;
  let id: number | string | null = null;
  let op: string | null = null;
  let session: string | null = null;
  let actions: { dtype: string; shape: number[]; data: Uint8Array } | null = null;
  let reuse = false;
  for (let e = 0; e < n; e++) {
    const k = keyIndex(c, KEYS);
    if (k < 0 || seen & (1 << k)) return null;
    seen |= 1 << k;
    switch (KEYS[k]) {
      case 'v':
        if (c.count() !== PROTOCOL_VERSION) return null;
        break;
      case 'id': {
        const t = c.b[c.pos]!;
        id = t >= 0xa0 && t <= 0xbf ? c.str() : c.count();
        if (id === null || (typeof id === 'string' && id.length > 128)) return null;
        break;
      }
      case 'op':
        op = c.str();
        if (op !== 'step') return null;
        break;
      case 'session':
        session = c.str();
        if (session === null || session.length === 0 || session.length > 256) return null;
        break;
      case 'actions':
        actions = readArray(c);
        if (actions === null) return null;
        break;
      case 'env_ids':
        if (c.byte() !== 0xc0) return null;
        break;
      case 'reuse_reply': {
        const t = c.byte();
        if (t !== 0xc2 && t !== 0xc3 && t !== 0xc0) return null;
        reuse = t === 0xc3;
        break;
      }
    }
  }
  if (c.pos !== c.b.length || op === null || session === null || actions === null) return null;
  return { op: 'step', id, session, actions, env_ids: null, reuse_reply: reuse };
}

/** A wire array {dtype, shape, data} with those three keys only; data as a view of the request's bytes. */
function readArray(c: Cursor): { dtype: string; shape: number[]; data: Uint8Array } | null {
  if (c.map() !== 3) return null;
  let dtype: string | null = null;
  let shape: number[] | null = null;
  let data: Uint8Array | null = null;
  for (let e = 0; e < 3; e++) {
    const k = keyIndex(c, ARRAY_KEYS);
    if (k === 0 && dtype === null) {
      dtype = c.str();
      if (dtype === null) return null;
    } else if (k === 1 && shape === null) {
      const t = c.byte();
      if (t < 0x90 || t > 0x9f) return null;
      shape = [];
      for (let i = 0; i < t - 0x90; i++) {
        const d = c.count();
        if (d === null) return null;
        shape.push(d);
      }
    } else if (k === 2 && data === null) {
      const t = c.byte();
      const len = t === 0xc4 ? c.uint(1) : t === 0xc5 ? c.uint(2) : t === 0xc6 ? c.uint(4) : -1;
      if (len < 0 || c.pos + len > c.b.length) return null;
      data = c.b.subarray(c.pos, c.pos + len);
      c.pos += len;
    } else return null;
  }
  return { dtype: dtype!, shape: shape!, data: data! };
}
