// reuse_reply (docs/protocol.md): a step reply is written over the memory of the session's previous one only when the
// request says every earlier reply has arrived, for the same connection, and when it fits; the replies stay the same
// values as fresh ones, over real ZeroMQ, for sequential steps (flagged by the client) mixed with pipelined ones (not).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { makeVec } from '../../src/core/index.ts';
import type { Tg4Error } from '../../src/core/errors.ts';
import { Tg4Client, type RemoteStepResult } from '../../src/server/client.ts';
import { decodeMessage, encodeMessage } from '../../src/server/protocol/codec.ts';
import { encodeTyped } from '../../src/server/protocol/arrays.ts';
import { encodeBatchReply, ReplyMemory } from '../../src/server/protocol/fast-reply.ts';
import { parseRequest } from '../../src/server/protocol/messages.ts';
import type { Tg4Server } from '../../src/server/server.ts';
import type { Session } from '../../src/server/session.ts';
import { startServer } from './helpers.ts';

/** A step result of `rows` sub-envs with 4096-float observations (fresh buffers do not come from Node's shared pool). */
function stepResult(rows: number, seed: number, finalRow = -1) {
  const obs = Float32Array.from({ length: rows * 4096 }, (_, i) => Math.sin(i + seed));
  return {
    obs: encodeTyped(obs, [rows, 4096]),
    rewards: encodeTyped(Float64Array.from({ length: rows }, (_, i) => i - seed)),
    terminated: encodeTyped(new Uint8Array(rows), [rows], 'bool'),
    truncated: encodeTyped(new Uint8Array(rows).fill(1), [rows], 'bool'),
    infos: Array.from({ length: rows }, (_, i) =>
      i === finalRow ? { final_observation: encodeTyped(new Float32Array(4096).fill(seed)), equity: 2.5 } : {},
    ),
    env_ids: null,
  };
}

const sameMemory = (a: Buffer, b: Buffer): boolean => a.buffer === b.buffer && a.byteOffset === b.byteOffset;

describe('ReplyMemory', () => {
  it('writes over the kept reply only when allowed, for the same peer, when it fits; values as the general encoder', () => {
    const memory = new ReplyMemory();
    const a = Buffer.from('peer-a');
    const b = Buffer.from('peer-b');
    const check = (id: number, reply: Buffer, r: ReturnType<typeof stepResult>) =>
      expect(decodeMessage(reply)).toEqual(decodeMessage(encodeMessage({ id, result: r })));
    const r1 = encodeBatchReply(1, stepResult(4, 1), { memory, peer: a, reuse: true })!; // nothing kept yet
    check(1, r1, stepResult(4, 1));
    const r2 = encodeBatchReply(2, stepResult(4, 2), { memory, peer: a, reuse: false })!;
    expect(sameMemory(r1, r2)).toBe(false); // not allowed
    const r3 = encodeBatchReply(3, stepResult(4, 3), { memory, peer: a, reuse: true })!;
    expect(sameMemory(r2, r3)).toBe(true); // allowed, same peer, fits
    check(3, r3, stepResult(4, 3));
    const r4 = encodeBatchReply(4, stepResult(4, 4), { memory, peer: b, reuse: true })!;
    expect(sameMemory(r3, r4)).toBe(false); // another connection's reply may still be on its way
    check(4, r4, stepResult(4, 4));
    const r5 = encodeBatchReply(5, stepResult(8, 5), { memory, peer: b, reuse: true })!;
    expect(sameMemory(r4, r5)).toBe(false); // does not fit
    check(5, r5, stepResult(8, 5));
    // An info with a final observation makes the writer grow past the kept buffer: the grown one is kept.
    const r6 = encodeBatchReply(6, stepResult(8, 6, 3), { memory, peer: b, reuse: true })!;
    check(6, r6, stepResult(8, 6, 3));
    const r7 = encodeBatchReply(7, stepResult(8, 7, 5), { memory, peer: b, reuse: true })!;
    expect(sameMemory(r6, r7)).toBe(true);
    check(7, r7, stepResult(8, 7, 5));
    expect(memory.reuses).toBe(3);
  });

  it('step.reuse_reply must be a boolean', () => {
    const req = { v: 1, id: 1, op: 'step', session: 's', actions: encodeTyped(new Int32Array(2)) };
    expect((parseRequest({ ...req, reuse_reply: true }) as { reuse_reply: boolean }).reuse_reply).toBe(true);
    expect((parseRequest(req) as { reuse_reply: boolean }).reuse_reply).toBe(false);
    let code = 'no error';
    try {
      parseRequest({ ...req, reuse_reply: 1 });
    } catch (e) {
      code = (e as Tg4Error).code;
    }
    expect(code).toBe('PROTOCOL_ERROR');
  });
});

describe('reuse_reply over ZeroMQ', () => {
  let server: Tg4Server;
  let client: Tg4Client;
  beforeAll(async () => {
    server = await startServer('ipc');
    client = await Tg4Client.connect(server.address);
  });
  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it('Trading-v0 x 8 (same-step, short episodes): sequential and pipelined steps equal in-process steps bit for bit', async () => {
    // A small feature spec: building the default one twice (here and in the server) takes tens of seconds under load.
    const features = {
      version: 1,
      name: 'reply-memory',
      window: 32,
      features: [{ feature: 'returns', params: { horizons: [1, 5] } }],
    };
    const kwargs = { episodeLength: 30, features };
    const n = 8;
    const local = makeVec('tg4/Trading-v0', { numEnvs: n, autoresetMode: 'same-step', kwargs });
    const remote = await client.makeVec('tg4/Trading-v0', { numEnvs: n, seed: 5, autoreset: 'same-step', kwargs });
    expect(remote.info.engine).toBe('vector');
    const lo = local.reset({ seed: 5 }).observations as Float32Array;
    const ro = (await remote.reset()).observations as Float32Array;
    expect(Buffer.from(ro.buffer, ro.byteOffset, ro.byteLength)).toEqual(
      Buffer.from(lo.buffer, lo.byteOffset, lo.byteLength),
    );
    const memory = (server as unknown as { sessions: Map<string, Session> }).sessions.get(remote.session)!.replyMemory;
    let finals = 0;
    for (let t = 0; t < 120; t++) {
      const batches = t % 10 === 9 ? 3 : 1; // every tenth round: three pipelined steps (send/recv, no reuse_reply)
      const actions = Array.from({ length: batches }, (_, k) =>
        Int32Array.from({ length: n }, (_, i) => (t * 7 + i * 3 + k) % 3),
      );
      let results: RemoteStepResult[];
      if (batches === 1) results = [await remote.step(actions[0]!)];
      else {
        for (const a of actions) remote.send(a);
        results = [];
        for (let k = 0; k < batches; k++) results.push(await remote.recv());
      }
      for (let k = 0; k < batches; k++) {
        const l = local.step(actions[k]!);
        const r = results[k]!;
        const lo2 = l.observations as Float32Array;
        const ro2 = r.observations as Float32Array;
        expect(Buffer.from(ro2.buffer, ro2.byteOffset, ro2.byteLength)).toEqual(
          Buffer.from(lo2.buffer, lo2.byteOffset, lo2.byteLength),
        );
        expect(Array.from(r.rewards)).toEqual(Array.from(l.rewards));
        expect(Array.from(r.terminated)).toEqual(Array.from(l.terminated));
        expect(Array.from(r.truncated)).toEqual(Array.from(l.truncated));
        for (let i = 0; i < n; i++) {
          const lf = l.infos[i]!.final_observation as Float32Array | undefined;
          const rf = r.infos[i]!.final_observation as Float32Array | undefined;
          expect(rf === undefined).toBe(lf === undefined);
          if (lf !== undefined) {
            finals++;
            expect(Array.from(rf!)).toEqual(Array.from(lf));
          }
        }
      }
    }
    expect(finals).toBeGreaterThan(8); // episodes of 30 steps ended several times
    // Sequential steps after a received reply were written over the previous reply; pipelined ones were not.
    expect(memory.reuses).toBeGreaterThan(60);
    expect(memory.reuses).toBeLessThan(120);
    await remote.close();
  }, 120_000);
});
