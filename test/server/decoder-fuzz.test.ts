// Fuzz test of the server's decoder (issue 20, item 5): byte strings built from msgpack headers — extension types of
// every form, containers and strings declaring huge sizes (up to 2^32 - 1), deep nesting — mixed into valid requests.
// Each is either decoded to a plain value or refused with PROTOCOL_ERROR; no extension type ever decodes, no header
// makes the decoder allocate beyond the message, and through the server each gets one reply and it keeps serving.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { Tg4Error } from '../../src/core/errors.ts';
import { decodeMessage, encodeMessage } from '../../src/server/protocol/codec.ts';
import type { Tg4Server } from '../../src/server/server.ts';
import { RawClient, startServer } from './helpers.ts';

const u32 = fc.oneof(fc.constant(0xffffffff), fc.constant(0x7fffffff), fc.integer({ min: 0, max: 0xffffffff }));
const u16 = fc.oneof(fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
const be = (n: number, bytes: number): number[] =>
  Array.from({ length: bytes }, (_, i) => (n >>> (8 * (bytes - 1 - i))) & 0xff);

/** One msgpack header or small value: the pieces a hostile message is made of. */
const token: fc.Arbitrary<number[]> = fc.oneof(
  // extension types: fixext 1/2/4/8/16, ext 8/16/32 (with any type byte, including msgpackr's and the timestamp -1)
  fc.tuple(fc.constantFrom(0xd4, 0xd5, 0xd6, 0xd7, 0xd8), fc.integer({ min: 0, max: 255 })).map(([t, x]) => [t, x]),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([n, x]) => [0xc7, n, x]),
  fc.tuple(u16, fc.integer({ min: 0, max: 255 })).map(([n, x]) => [0xc8, ...be(n, 2), x]),
  fc.tuple(u32, fc.integer({ min: 0, max: 255 })).map(([n, x]) => [0xc9, ...be(n, 4), x]),
  // huge declared sizes: array/map 16/32, str/bin 8/16/32
  u16.map((n) => [0xdc, ...be(n, 2)]),
  u32.map((n) => [0xdd, ...be(n, 4)]),
  u16.map((n) => [0xde, ...be(n, 2)]),
  u32.map((n) => [0xdf, ...be(n, 4)]),
  u32.map((n) => [0xdb, ...be(n, 4)]),
  u32.map((n) => [0xc6, ...be(n, 4)]),
  u16.map((n) => [0xc5, ...be(n, 2)]),
  fc.integer({ min: 0, max: 255 }).map((n) => [0xd9, n]),
  // small well-formed pieces
  fc.integer({ min: 0x80, max: 0x9f }).map((t) => [t]),
  fc.integer({ min: 0, max: 0x7f }).map((t) => [t]),
  fc.constant<number[]>([0xa2, 0x69, 0x64]), // "id"
  fc.constant<number[]>([0xa2, 0x6f, 0x70]), // "op"
  fc.constant<number[]>([0xc0]),
  fc.constant<number[]>([0xc1]),
);

const hostile = fc.oneof(
  fc.array(token, { minLength: 1, maxLength: 24 }).map((ts) => Uint8Array.from(ts.flat())),
  // a valid request with hostile bytes spliced into a value
  fc
    .tuple(fc.array(token, { minLength: 1, maxLength: 6 }), fc.constantFrom('hello', 'make', 'step'))
    .map(([ts, op]) => {
      const head = encodeMessage({ id: 1, op, x: 0 });
      return Uint8Array.from([...head.subarray(0, head.length - 1), ...ts.flat()]);
    }),
);

function isPlain(v: unknown, depth = 0): boolean {
  if (depth > 70) return false;
  if (v === null || ['number', 'string', 'boolean'].includes(typeof v)) return true;
  if (v instanceof Uint8Array) return v.constructor === Uint8Array || v.constructor === Buffer;
  if (Array.isArray(v)) return v.every((x) => isPlain(x, depth + 1));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.values(v as object).every((x) => isPlain(x, depth + 1));
  return false;
}

describe('decoder fuzz', () => {
  it('decodes only plain msgpack; everything else is PROTOCOL_ERROR, fast and without large allocations', () => {
    const rss0 = process.memoryUsage().rss;
    const started = performance.now();
    let refused = 0;
    fc.assert(
      fc.property(hostile, (bytes) => {
        const t = performance.now();
        try {
          const v = decodeMessage(bytes);
          expect(isPlain(v)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(Tg4Error);
          expect((err as Tg4Error).code).toBe('PROTOCOL_ERROR');
          refused++;
        }
        // Generous for a loaded box (a GC pause); a preallocation of 2^32 slots would take far longer, or crash.
        expect(performance.now() - t).toBeLessThan(1000);
      }),
      { numRuns: 5000, seed: 20 },
    );
    expect(refused).toBeGreaterThan(4000);
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(256 * 1024 * 1024);
  });

  it('nesting 100,000 levels deep is refused, not a stack overflow or a 5 GB preallocation', () => {
    const deep = new Uint8Array(300_000);
    for (let i = 0; i < 100_000; i++) deep.set([0xdc, 0xff, 0xff], 3 * i);
    expect(() => decodeMessage(deep)).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }));
  });

  describe('through the server', () => {
    let server: Tg4Server;
    let raw: RawClient;
    beforeAll(async () => {
      server = await startServer('ipc');
      raw = new RawClient(server.address);
    });
    afterAll(async () => {
      raw.close();
      await server.stop();
    });

    it('every hostile message gets one reply with a code, and the server keeps serving', async () => {
      const samples = fc.sample(hostile, { numRuns: 300, seed: 7 });
      for (const bytes of samples) {
        await raw.send(bytes);
        const r = await raw.receive();
        if (r.error !== undefined) expect(typeof (r.error as { code: unknown }).code).toBe('string');
      }
      expect(await raw.request({ id: 'alive', op: 'hello' })).toMatchObject({ id: 'alive', result: { protocol: 1 } });
    });
  });
});
