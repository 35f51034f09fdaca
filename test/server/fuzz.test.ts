// Property test: whatever a client sends — random bytes, random msgpack values, well-formed requests with random
// fields — it gets exactly one reply (a result or an error with a known code) and the server keeps serving.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { encodeMessage } from '../../src/server/protocol/codec.ts';
import type { Tg4Server } from '../../src/server/server.ts';
import { RawClient, int64Actions, startServer } from './helpers.ts';

const CODES = new Set([
  'PROTOCOL_ERROR',
  'UNKNOWN_OP',
  'UNKNOWN_SESSION',
  'UNKNOWN_ENV',
  'INVALID_ARGUMENT',
  'INVALID_ACTION',
  'RESET_NEEDED',
  'LIMIT_EXCEEDED',
  'CLOSED_ENV',
  'INVALID_SPACE',
  'INTERNAL',
]);

describe('fuzzed requests', () => {
  let server: Tg4Server;
  let raw: RawClient;
  let session: string;
  beforeAll(async () => {
    server = await startServer('tcp', {
      limits: { maxSessions: 16, maxEnvsPerSession: 8, maxMessageBytes: 256 * 1024 },
    });
    raw = new RawClient(server.address);
    const made = await raw.request({ id: 0, op: 'make', env_id: 'CartPole-v1', num_envs: 2, batch_size: 1 });
    session = (made.result as { session: string }).session;
    await raw.request({ id: 0, op: 'reset', session });
  });
  afterAll(async () => {
    raw.close();
    await server.stop();
  });

  const value = fc.letrec((tie) => ({
    any: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.string({ maxLength: 20 }),
      fc.uint8Array({ maxLength: 40 }),
      fc.array(tie('any'), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 8 }), tie('any'), { maxKeys: 4 }),
    ),
  })).any;
  const ops = fc.constantFrom('hello', 'make', 'reset', 'step', 'close', 'render', 'spaces', 'call', 'nope');
  // Mostly plausible values (to reach the session, step and call code), sometimes anything at all.
  const mostly = <T>(good: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: good, weight: 5 }, { arbitrary: value, weight: 1 });
  const fields = fc.record(
    {
      env_id: mostly(fc.constantFrom('CartPole-v1', 'tg4/Trading-v0', 'Nope-v0')),
      num_envs: mostly(fc.integer({ min: -1, max: 10 })),
      autoreset: mostly(fc.constantFrom('next-step', 'same-step', 'disabled')),
      batch_size: mostly(fc.constantFrom(null, 1, 2)),
      engine: mostly(fc.constantFrom('auto', 'vector', 'sub-env')),
      seed: mostly(
        fc.oneof(fc.integer({ min: -1, max: 100 }), fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 })),
      ),
      kwargs: mostly(fc.constantFrom({}, { renderMode: 'ansi' }, { renderMode: 'rgb' }, { bogus: 1 })),
      env_ids: mostly(fc.oneof(fc.constant(null), fc.array(fc.integer({ min: -1, max: 2 }), { maxLength: 3 }))),
      actions: mostly(
        fc.oneof(
          fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 1, maxLength: 3 }).map((a) => int64Actions(a)),
          fc
            .float32Array({ maxLength: 3 })
            .map((a) => ({ dtype: 'float32', shape: [a.length], data: new Uint8Array(a.buffer) })),
        ),
      ),
      name: mostly(
        fc.constantFrom('metadata', 'render', 'action_masks', 'spec', 'render_mode', 'toString', '__proto__'),
      ),
      args: mostly(fc.constant([])),
      options: mostly(fc.constantFrom(null, {}, { low: -0.1, high: 0.1 }, { low: 'x' })),
    },
    { requiredKeys: [] },
  );
  const message = fc.oneof(
    { arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => ({ bytes: b })), weight: 1 },
    { arbitrary: value.map((v) => ({ bytes: encodeMessage(v) })), weight: 1 },
    {
      arbitrary: fc.tuple(ops, fields, fc.boolean()).map(([op, f, live]) => ({
        bytes: encodeMessage({ id: 7, op, ...f, ...(live && op !== 'close' ? { session: '@' } : {}) }),
      })),
      weight: 6,
    },
  );

  it('every message gets one reply with a result or a known error code, and the server keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(message, async ({ bytes }) => {
        // '@' stands for the live session, so that the fuzz reaches session code paths too.
        const b = Buffer.from(bytes);
        const at = b.indexOf(Buffer.from([0xa1, 0x40]));
        const payload = at >= 0 ? Buffer.concat([b.subarray(0, at), encodeMessage(session), b.subarray(at + 2)]) : b;
        await raw.send(payload);
        const reply = await raw.receive();
        if (reply.error !== undefined) {
          expect(CODES.has((reply.error as { code: string }).code), JSON.stringify(reply.error)).toBe(true);
        } else {
          expect(reply).toHaveProperty('result');
        }
      }),
      { numRuns: 600, seed: 42 },
    );
    const hello = await raw.request({ id: 'end', op: 'hello' });
    expect(hello.result).toMatchObject({ protocol: 1 });
    expect(server.sessions.size).toBeLessThanOrEqual(16);
  }, 120_000);
});
