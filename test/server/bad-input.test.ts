// Every kind of bad message gets an error reply with the library's code, and the server keeps serving: after each
// one, the same connection and a bystander's session still work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { encodeMessage } from '../../src/server/protocol/codec.ts';
import { Tg4Client, type RemoteVectorEnv } from '../../src/server/client.ts';
import type { Tg4Server } from '../../src/server/server.ts';
import { RawClient, TRANSPORTS, int64Actions, startServer } from './helpers.ts';

for (const transport of TRANSPORTS) {
  describe(`bad input over ${transport}`, () => {
    let server: Tg4Server;
    let raw: RawClient;
    let bystander: Tg4Client;
    let env: RemoteVectorEnv;
    let session: string;

    beforeAll(async () => {
      server = await startServer(transport, {
        limits: { maxMessageBytes: 64 * 1024, maxSessions: 8, maxEnvsPerSession: 16 },
      });
      raw = new RawClient(server.address);
      bystander = await Tg4Client.connect(server.address);
      env = await bystander.makeVec('CartPole-v1', { numEnvs: 2, seed: 1 });
      await env.reset();
      const made = await raw.request({
        id: 1,
        op: 'make',
        env_id: 'CartPole-v1',
        num_envs: 3,
        autoreset: 'same-step',
        batch_size: 3,
      });
      session = (made.result as { session: string }).session;
      await raw.request({ id: 2, op: 'reset', session, seed: 5 });
    });
    afterAll(async () => {
      raw.close();
      bystander.close();
      await server.stop();
    });

    async function stillServing(): Promise<void> {
      const hello = await raw.request({ id: 'ping', op: 'hello' });
      expect(hello).toMatchObject({ id: 'ping', result: { protocol: 1 } });
      const r = await env.step(new Int32Array([0, 1]));
      expect(r.rewards).toHaveLength(2);
      const mine = await raw.request({ id: 'mine', op: 'step', session, actions: int64Actions([0, 1, 0]) });
      expect(mine.error).toBeUndefined();
    }

    const cases: [string, (S: string) => Uint8Array | Buffer, string][] = [
      ['bytes that are not msgpack', () => Buffer.from([0xc1, 0xff, 0x00]), 'PROTOCOL_ERROR'],
      ['a truncated msgpack map', () => encodeMessage({ id: 9, op: 'hello' }).subarray(0, 5), 'PROTOCOL_ERROR'],
      ['msgpack that is not a map', () => encodeMessage([1, 2, 3]), 'PROTOCOL_ERROR'],
      ['an unknown op', () => encodeMessage({ id: 9, op: 'teleport' }), 'UNKNOWN_OP'],
      ['a wrong protocol version', () => encodeMessage({ id: 9, v: 99, op: 'hello' }), 'PROTOCOL_ERROR'],
      [
        'an unknown session',
        () => encodeMessage({ id: 9, op: 'step', session: 'f'.repeat(32), actions: int64Actions([0]) }),
        'UNKNOWN_SESSION',
      ],
      ['an unknown env id', () => encodeMessage({ id: 9, op: 'make', env_id: 'CartPole-v9' }), 'UNKNOWN_ENV'],
      [
        'make with bad kwargs',
        () => encodeMessage({ id: 9, op: 'make', env_id: 'CartPole-v1', kwargs: { gravity: 'up' } }),
        'INVALID_ARGUMENT',
      ],
      [
        'make with kwargs that is not a map',
        () => encodeMessage({ id: 9, op: 'make', env_id: 'CartPole-v1', kwargs: [1] }),
        'PROTOCOL_ERROR',
      ],
      [
        'make with too many sub-envs',
        () => encodeMessage({ id: 9, op: 'make', env_id: 'CartPole-v1', num_envs: 17 }),
        'LIMIT_EXCEEDED',
      ],
      [
        'an empty session id',
        () => encodeMessage({ id: 9, op: 'step', session: '', actions: int64Actions([0, 1]) }),
        'PROTOCOL_ERROR',
      ],
      [
        'an action array whose bytes do not match its shape',
        (S) =>
          encodeMessage({
            id: 9,
            op: 'step',
            session: S,
            actions: { dtype: 'int64', shape: [3], data: new Uint8Array(7) },
          }),
        'PROTOCOL_ERROR',
      ],
      [
        'a wrong-sized action batch',
        (S) => encodeMessage({ id: 9, op: 'step', session: S, actions: int64Actions([0, 1]) }),
        'INVALID_ACTION',
      ],
      [
        'a wrong dtype',
        (S) =>
          encodeMessage({
            id: 9,
            op: 'step',
            session: S,
            actions: { dtype: 'float64', shape: [3], data: new Uint8Array(24) },
          }),
        'INVALID_ACTION',
      ],
      [
        'NaN actions',
        (S) =>
          encodeMessage({
            id: 9,
            op: 'step',
            session: S,
            actions: { dtype: 'float32', shape: [3], data: new Uint8Array(new Float32Array([NaN, 0, 1]).buffer) },
          }),
        'INVALID_ACTION',
      ],
      [
        'an action out of the space',
        (S) => encodeMessage({ id: 9, op: 'step', session: S, actions: int64Actions([0, 2, 1]) }),
        'INVALID_ACTION',
      ],
      [
        'env_ids out of range',
        (S) => encodeMessage({ id: 9, op: 'step', session: S, actions: int64Actions([0]), env_ids: [7] }),
        'INVALID_ARGUMENT',
      ],
      [
        'env_ids with a repeat',
        (S) => encodeMessage({ id: 9, op: 'step', session: S, actions: int64Actions([0, 0]), env_ids: [1, 1] }),
        'INVALID_ARGUMENT',
      ],
      [
        'a call outside the whitelist',
        (S) => encodeMessage({ id: 9, op: 'call', session: S, name: 'constructor' }),
        'INVALID_ARGUMENT',
      ],
      ['a negative seed', (S) => encodeMessage({ id: 9, op: 'reset', session: S, seed: -4 }), 'INVALID_ARGUMENT'],
      [
        'a message over the size limit',
        () => encodeMessage({ id: 9, op: 'hello', pad: new Uint8Array(65 * 1024) }),
        'LIMIT_EXCEEDED',
      ],
    ];

    for (const [what, bytes, code] of cases) {
      it(`${what} → ${code}, and the server keeps serving`, async () => {
        // S is the live session, so that each check reaches the step/reset/call code with a real session.
        await raw.send(bytes(session));
        const reply = await raw.receive();
        expect(reply.error).toMatchObject({ code });
        expect(String((reply.error as { message: string }).message).length).toBeGreaterThan(20);
        // Only bytes that are not a msgpack map have no id to echo.
        if (code !== 'PROTOCOL_ERROR' || reply.id !== null) expect(reply.id).toBe(9);
        await stillServing();
      });
    }

    it('a bad batch leaves every sub-env untouched (checked before any is stepped)', async () => {
      const before = await raw.request({ id: 1, op: 'call', session, name: 'spec' });
      expect(before.error).toBeUndefined();
      const bad = await raw.request({ id: 2, op: 'step', session, actions: int64Actions([1, 1, 5]) });
      expect(bad.error).toMatchObject({ code: 'INVALID_ACTION' });
      expect(String((bad.error as { message: string }).message)).toMatch(/sub-env 2/);
    });

    // ZeroMQ only: a unix:// connection has no envelope frames.
    it.skipIf(transport === 'unix')('REQ sockets (with their empty delimiter frame) are answered too', async () => {
      const zmq = await import('zeromq');
      const req = new zmq.Request({ linger: 0 });
      req.connect(server.address);
      await req.send(encodeMessage({ id: 3, op: 'hello' }));
      const [body] = await req.receive();
      const { decodeMessage } = await import('../../src/server/protocol/codec.ts');
      expect(decodeMessage(body!)).toMatchObject({ id: 3, result: { protocol: 1 } });
      req.close();
    });

    it('a session limit is answered with LIMIT_EXCEEDED, and closing sessions frees room', async () => {
      const extra: string[] = [];
      for (;;) {
        const r = await raw.request({ id: 4, op: 'make', env_id: 'CartPole-v1' });
        if (r.error !== undefined) {
          expect(r.error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
          break;
        }
        extra.push((r.result as { session: string }).session);
      }
      expect(server.sessions.size).toBe(8);
      for (const s of extra)
        expect((await raw.request({ id: 5, op: 'close', session: s })).result).toEqual({ closed: true });
      await stillServing();
    });
  });
}
