// Many clients at once: 16 concurrent clients with their own sessions get exactly their in-process results; one
// client flooding 10,000 requests does not stop the others; a vanished client's session is gone after the idle timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { Rng, makeVec } from '../../src/core/index.ts';
import { Tg4Client } from '../../src/server/client.ts';
import { encodeMessage } from '../../src/server/protocol/codec.ts';
import type { Tg4Server } from '../../src/server/server.ts';
import { RawClient, startServer } from './helpers.ts';

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('many clients', () => {
  let server: Tg4Server;
  beforeAll(async () => {
    server = await startServer('tcp');
  });
  afterAll(async () => {
    await server.stop();
  });

  it('16 concurrent clients, each with its own seed, get isolated results equal to their in-process runs', async () => {
    const run = async (k: number): Promise<void> => {
      const client = await Tg4Client.connect(server.address);
      const n = 1 + (k % 4);
      const autoreset = k % 2 === 0 ? 'next-step' : 'same-step';
      const remote = await client.makeVec('CartPole-v1', {
        numEnvs: n,
        autoreset,
        batchSize: k % 3 === 0 ? n : undefined,
      });
      const local = makeVec('CartPole-v1', { numEnvs: n, autoresetMode: autoreset });
      const r0 = await remote.reset({ seed: 1000 * k });
      expect(bits(r0.observations as Float32Array)).toEqual(bits(local.reset({ seed: 1000 * k }).observations));
      const rng = new Rng(k);
      const actions = new Int32Array(n);
      for (let t = 0; t < 150; t++) {
        for (let i = 0; i < n; i++) actions[i] = rng.integer(2);
        const r = await remote.step(actions);
        const l = local.step(actions);
        expect(bits(r.observations as Float32Array)).toEqual(bits(l.observations));
        expect(Array.from(r.terminated)).toEqual(Array.from(l.terminated));
      }
      await remote.close();
      client.close();
    };
    await Promise.all(Array.from({ length: 16 }, (_, k) => run(k)));
    expect(server.sessions.size).toBe(0);
  });

  it('a flood of 10,000 requests from one client is answered while another client is still served', async () => {
    const flooder = new RawClient(server.address);
    const other = await Tg4Client.connect(server.address);
    const env = await other.makeVec('CartPole-v1', { numEnvs: 8, seed: 3 });
    await env.reset();
    const total = 10_000;
    let received = 0;
    let errors = 0;
    const readAll = (async () => {
      while (received < total) {
        const r = await flooder.receive(20_000);
        received++;
        if (r.error !== undefined) errors++;
      }
    })();
    const flood = (async () => {
      for (let i = 0; i < total; i++) {
        // A mix of valid and invalid requests.
        await flooder.send(
          encodeMessage(i % 2 === 0 ? { id: i, op: 'hello' } : { id: i, op: 'step', session: 'nope', actions: 0 }),
        );
      }
    })();
    let otherSteps = 0;
    const actions = new Int32Array(8);
    const served = (async () => {
      while (received < total) {
        await env.step(actions);
        otherSteps++;
      }
    })();
    await Promise.all([flood, readAll, served]);
    expect(received).toBe(total);
    expect(errors).toBe(total / 2);
    expect(otherSteps).toBeGreaterThan(10);
    await env.close();
    other.close();
    flooder.close();
  });

  it('a client that floods without ever reading its replies does not block the server', async () => {
    const rude = new RawClient(server.address);
    const polite = await Tg4Client.connect(server.address);
    const hello = encodeMessage({ id: 1, op: 'hello', pad: new Uint8Array(2048) });
    for (let i = 0; i < 15_000; i++) await rude.send(hello);
    // Its replies pile up (and beyond the send high-water mark are dropped); everyone else is still answered.
    const env = await polite.makeVec('CartPole-v1', { numEnvs: 2, seed: 1 });
    await env.reset();
    for (let t = 0; t < 20; t++) await env.step(new Int32Array([t & 1, 1]));
    await env.close();
    polite.close();
    rude.close();
  });
});

describe('idle sessions', () => {
  let server: Tg4Server;
  beforeAll(async () => {
    server = await startServer('ipc', { limits: { idleTimeoutS: 1 } });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('a client that vanishes mid-episode leaves nothing behind after the idle timeout', async () => {
    const client = await Tg4Client.connect(server.address);
    const env = await client.makeVec('CartPole-v1', { numEnvs: 4, batchSize: 2 });
    await env.reset({ seed: 1 });
    await env.step(new Int32Array([0, 1, 0, 1]));
    const id = env.session;
    expect(server.sessions.has(id)).toBe(true);
    client.close(); // gone without close
    const t0 = Date.now();
    while (server.sessions.has(id) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(server.sessions.has(id)).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(server.stats().expired).toBeGreaterThanOrEqual(1);
    const probe = new RawClient(server.address);
    const r = await probe.request({ id: 1, op: 'reset', session: id });
    expect(r.error).toMatchObject({ code: 'UNKNOWN_SESSION' });
    probe.close();
  });
});
