// The codec alone: wire arrays (odd offsets, int64, sizes), request parsing and its error codes.
import { describe, expect, it } from 'vitest';
import type { Tg4Error } from '../../src/core/errors.ts';
import { decodeMessage, encodeMessage } from '../../src/server/protocol/codec.ts';
import { decodeWireArray, encodeTyped, parseWireArray } from '../../src/server/protocol/arrays.ts';
import { parseRequest } from '../../src/server/protocol/messages.ts';
import { actionBatch, observationBatch } from '../../src/server/space-batch.ts';
import { z85Encode } from '../../src/server/z85.ts';
import { peekRequestId } from '../../src/server/protocol/peek-id.ts';
import { encodeBatchReply } from '../../src/server/protocol/fast-reply.ts';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Tg4Error).code;
  }
  return 'no error';
}

describe('wire arrays', () => {
  it('round-trip every dtype through msgpack, also when the binary sits at an odd offset', () => {
    const f = new Float32Array([1.5, -2.25, Math.fround(0.1), NaN]);
    const msg = {
      pad: 'x',
      a: encodeTyped(f, [2, 2]),
      b: encodeTyped(new Float64Array([3, -4.5e300])),
      c: encodeTyped(Float64Array.from([-3, 2 ** 40]), [2], 'int64'),
    };
    const bytes = encodeMessage(msg);
    // Copy into a buffer at offset 1 so that every binary inside lands unaligned.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const back = decodeMessage(shifted.subarray(1)) as Record<string, unknown>;
    const a = decodeWireArray(parseWireArray(back.a, 'a'));
    expect(a).toBeInstanceOf(Float32Array);
    expect(Array.from(a.subarray(0, 3))).toEqual(Array.from(f.subarray(0, 3)));
    expect(Number.isNaN(a[3])).toBe(true);
    expect(Array.from(decodeWireArray(parseWireArray(back.b, 'b')))).toEqual([3, -4.5e300]);
    expect(Array.from(decodeWireArray(parseWireArray(back.c, 'c')))).toEqual([-3, 2 ** 40]);
  });

  it('rejects arrays whose byte count does not match dtype × shape', () => {
    expect(codeOf(() => parseWireArray({ dtype: 'float32', shape: [3], data: new Uint8Array(8) }, 'x'))).toBe(
      'PROTOCOL_ERROR',
    );
    expect(codeOf(() => parseWireArray({ dtype: 'float16', shape: [1], data: new Uint8Array(2) }, 'x'))).toBe(
      'PROTOCOL_ERROR',
    );
    expect(codeOf(() => parseWireArray({ dtype: 'int8', shape: [-1], data: new Uint8Array(0) }, 'x'))).toBe(
      'PROTOCOL_ERROR',
    );
  });
});

describe('parseRequest', () => {
  it('accepts each op with defaults filled in', () => {
    const m = parseRequest({ id: 1, op: 'make', env_id: 'CartPole-v1' });
    expect(m).toMatchObject({
      op: 'make',
      num_envs: 1,
      autoreset: 'next-step',
      seed: null,
      kwargs: {},
      batch_size: null,
    });
    expect(parseRequest({ id: 'a', op: 'step', session: 's', actions: 1, env_ids: [0, 2] })).toMatchObject({
      env_ids: [0, 2],
    });
  });
  it('answers bad requests with the library codes', () => {
    expect(codeOf(() => parseRequest([1, 2]))).toBe('PROTOCOL_ERROR');
    expect(codeOf(() => parseRequest({ id: 1, op: 'fly' }))).toBe('UNKNOWN_OP');
    expect(codeOf(() => parseRequest({ id: 1, v: 2, op: 'hello' }))).toBe('PROTOCOL_ERROR');
    expect(codeOf(() => parseRequest({ id: 1, op: 'make', env_id: 'X', num_envs: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseRequest({ id: 1, op: 'make', env_id: 'X', autoreset: 'sometimes' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => parseRequest({ id: 1, op: 'reset', session: 's', seed: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseRequest({ id: 1, op: 'step', session: 's' }))).toBe('PROTOCOL_ERROR');
    expect(codeOf(() => decodeMessage(new Uint8Array([0xc1])))).toBe('PROTOCOL_ERROR');
  });
});

describe('space batches', () => {
  it('lays out Dict/Tuple/Discrete/MultiBinary observations per sub-env row', () => {
    const b = observationBatch(
      { type: 'Dict', spaces: { pos: { type: 'Discrete', n: 5, start: 0 }, bits: { type: 'MultiBinary', n: [3] } } },
      2,
    );
    b.write(0, { pos: 4, bits: new Uint8Array([1, 0, 1]) });
    b.write(1, { pos: 2, bits: new Uint8Array([0, 1, 1]) });
    const w = b.wire(2) as Record<string, { dtype: string; shape: number[]; data: Uint8Array }>;
    expect(w.pos!.dtype).toBe('int64');
    expect(Array.from(decodeWireArray(w.pos as never))).toEqual([4, 2]);
    expect(w.bits!.shape).toEqual([2, 3]);
    expect(Array.from(w.bits!.data)).toEqual([1, 0, 1, 0, 1, 1]);
  });
  it('rejects actions of an unsafe dtype, the wrong shape, or NaN', () => {
    const box = actionBatch({ type: 'Box', shape: [2], dtype: 'float32', low: [-1, -1], high: [1, 1] }, 2);
    expect(codeOf(() => box.read(encodeTyped(new Float64Array(4), [2, 2]), 2, 'a'))).toBe('INVALID_ACTION');
    expect(codeOf(() => box.read(encodeTyped(new Float32Array(6), [3, 2]), 2, 'a'))).toBe('INVALID_ACTION');
    expect(codeOf(() => box.read(encodeTyped(new Float32Array([0, NaN, 0, 0]), [2, 2]), 2, 'a'))).toBe(
      'INVALID_ACTION',
    );
    box.read(encodeTyped(new Float32Array([0.5, -0.5, 1, 0]), [2, 2]), 2, 'a');
    expect(Array.from(box.get(1) as Float32Array)).toEqual([1, 0]);
  });
});

describe('encodeBatchReply', () => {
  it('writes the same msgpack values as the general encoder, for step and reset replies', () => {
    const arr = (n: number) =>
      encodeTyped(
        Float32Array.from({ length: n }, (_, i) => i * 0.5),
        [n / 4, 4],
      );
    const flags = (n: number) => encodeTyped(new Uint8Array(n).fill(1), [n], 'bool');
    for (const n of [4, 64, 4096]) {
      const rows = n / 4;
      const infos = Array.from({ length: rows }, (_, i) =>
        i % 7 === 3
          ? { equity: 1.5, final_observation: encodeTyped(new Float32Array(4)), nested: { a: [1, 'x'] } }
          : {},
      );
      const step = {
        obs: arr(n),
        rewards: encodeTyped(new Float64Array(rows).fill(-0.25)),
        terminated: flags(rows),
        truncated: flags(rows),
        infos,
        env_ids: rows < 20 ? Array.from({ length: rows }, (_, i) => i) : null,
      };
      for (const id of [7, 'req-1', 2 ** 40, 1.5, null] as const) {
        const fast = encodeBatchReply(id, step)!;
        expect(decodeMessage(fast)).toEqual(decodeMessage(encodeMessage({ id, result: step })));
        const reset = { obs: step.obs, infos, env_ids: null };
        expect(decodeMessage(encodeBatchReply(id, reset)!)).toEqual(
          decodeMessage(encodeMessage({ id, result: reset })),
        );
      }
    }
    expect(encodeBatchReply(1, { obs: { a: arr(4) }, infos: [{}], env_ids: null })).toBeNull(); // Dict obs: general path
  });
});

describe('peekRequestId', () => {
  it('finds the id of a map without decoding its other values, wherever the id sits', () => {
    expect(peekRequestId(encodeMessage({ id: 7, op: 'hello', pad: new Uint8Array(100) }))).toBe(7);
    expect(
      peekRequestId(
        encodeMessage({
          op: 'step',
          actions: { dtype: 'int8', shape: [2], data: new Uint8Array(2) },
          nested: [1, [2, { a: 3 }]],
          id: 'req-9',
        }),
      ),
    ).toBe('req-9');
    expect(peekRequestId(encodeMessage({ op: 'hello', id: 2 ** 40 }))).toBe(2 ** 40);
    expect(peekRequestId(encodeMessage({ op: 'hello' }))).toBeNull();
    expect(peekRequestId(encodeMessage([1, 2]))).toBeNull();
    expect(peekRequestId(new Uint8Array([0x82, 0xa2]))).toBeNull();
  });
});

describe('z85', () => {
  it('encodes the RFC 32 test vector', () => {
    expect(z85Encode(new Uint8Array([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]))).toBe('HelloWorld');
  });
});
