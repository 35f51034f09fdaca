// Checks that a message is one plain msgpack value before it is decoded: no extension types (timestamps, msgpackr's
// typed arrays, Set, Date, BigInt, records — through which a client could hand the server objects of its choosing),
// no reserved byte 0xc1, nesting at most MAX_DEPTH deep, and no container declaring more elements than the bytes left
// could hold (so a 5-byte header cannot make the decoder preallocate 4 billion slots). One pass, no recursion.
import { ProtocolError } from '../errors.ts';

export const MAX_DEPTH = 64;

function fail(why: string, at: number): never {
  throw new ProtocolError(
    `the message is not plain msgpack (${why} at byte ${at}): send one msgpack map {v, id, op, ...}`,
  );
}

export function checkPlainMsgpack(b: Uint8Array): void {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const end = b.byteLength;
  // Elements still to read in each open container (maps count keys and values).
  const remaining: number[] = [1];
  let p = 0;
  while (remaining.length > 0) {
    if (remaining[remaining.length - 1] === 0) {
      remaining.pop();
      continue;
    }
    remaining[remaining.length - 1]!--;
    if (p >= end) fail('truncated', p);
    const at = p;
    const t = b[p++]!;
    let skip = 0;
    let children = -1;
    if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) skip = 0;
    else if (t >= 0xa0 && t <= 0xbf) skip = t & 0x1f;
    else if (t >= 0x90 && t <= 0x9f) children = t & 0x0f;
    else if (t >= 0x80 && t <= 0x8f) children = 2 * (t & 0x0f);
    else {
      const need = (n: number): void => {
        if (p + n > end) fail('truncated', at);
      };
      switch (t) {
        case 0xcc:
        case 0xd0:
          skip = 1;
          break;
        case 0xcd:
        case 0xd1:
          skip = 2;
          break;
        case 0xce:
        case 0xd2:
        case 0xca:
          skip = 4;
          break;
        case 0xcf:
        case 0xd3:
        case 0xcb:
          skip = 8;
          break;
        case 0xd9:
        case 0xc4:
          need(1);
          skip = 1 + b[p]!;
          break;
        case 0xda:
        case 0xc5:
          need(2);
          skip = 2 + v.getUint16(p);
          break;
        case 0xdb:
        case 0xc6:
          need(4);
          skip = 4 + v.getUint32(p);
          break;
        case 0xdc:
          need(2);
          children = v.getUint16(p);
          p += 2;
          break;
        case 0xdd:
          need(4);
          children = v.getUint32(p);
          p += 4;
          break;
        case 0xde:
          need(2);
          children = 2 * v.getUint16(p);
          p += 2;
          break;
        case 0xdf:
          need(4);
          children = 2 * v.getUint32(p);
          p += 4;
          break;
        case 0xc1:
          fail('reserved byte 0xc1', at);
          break;
        default:
          // 0xc7-0xc9 ext 8/16/32, 0xd4-0xd8 fixext 1-16.
          fail(`extension type 0x${t.toString(16)}`, at);
      }
    }
    if (children >= 0) {
      // Every element takes at least one byte: a count beyond the bytes left is a lie.
      if (children > end - p) fail(`a container declares ${children} elements with ${end - p} bytes left`, at);
      if (remaining.length > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`, at);
      remaining.push(children);
    } else {
      if (p + skip > end) fail('truncated', at);
      p += skip;
    }
  }
  if (p !== end) fail(`${end - p} bytes after the message`, p);
}
