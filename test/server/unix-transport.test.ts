// The plain Unix-socket transport (unix://PATH): framing under any split of the byte stream, the socket file's
// safety (mode, stale files, files that are not ours), bounded memory for clients that flood or never read, and a
// client that learns at once when the server goes. The protocol suites run over it too (TRANSPORTS in helpers.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { Tg4Client } from '../../src/server/client.ts';
import { decodeMessage, encodeMessage } from '../../src/server/protocol/codec.ts';
import { Tg4Server } from '../../src/server/server.ts';
import { FrameReader, FrameTooLargeError } from '../../src/server/transport/framing.ts';
import { Rng } from '../../src/core/rng.ts';
import { RawClient, int64Actions } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg4-unix-'));
let n = 0;
const socketPath = (): string => join(dir, `s${n++}.sock`);
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
async function serve(path = socketPath(), opts: Parameters<typeof Tg4Server.start>[0] = {}): Promise<Tg4Server> {
  const s = await Tg4Server.start({ bind: `unix://${path}`, ...opts });
  open.push({ close: () => s.stop() });
  return s;
}
function raw(server: Tg4Server): RawClient {
  const c = new RawClient(server.address);
  open.push(c);
  return c;
}
function frame(body: Uint8Array): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32LE(body.byteLength);
  return Buffer.concat([h, body]);
}

describe('FrameReader', () => {
  it('gives the same frames whatever the chunk boundaries', () => {
    const rng = new Rng(7);
    const bodies = Array.from({ length: 50 }, (_, i) =>
      Buffer.from(
        Array.from({ length: Math.floor(rng.random() * (i % 5 === 0 ? 70_000 : 40)) }, (_, j) => (i + j) & 255),
      ),
    );
    const stream = Buffer.concat(bodies.map(frame));
    for (let trial = 0; trial < 20; trial++) {
      const reader = new FrameReader(1 << 20);
      const got: Buffer[] = [];
      let off = 0;
      while (off < stream.length) {
        const len = trial === 0 ? 1 : 1 + Math.floor(rng.random() * (trial < 10 ? 7 : 100_000));
        // A fresh buffer per chunk, as a socket gives: frames handed out as views must stay intact.
        reader.push(Buffer.from(stream.subarray(off, off + len)), (f) => got.push(f));
        off += len;
      }
      expect(got.map((b) => b.toString('hex'))).toEqual(bodies.map((b) => b.toString('hex')));
      expect(reader.pendingBytes).toBe(0);
    }
  });

  it('refuses a header over the limit before allocating for it', () => {
    const reader = new FrameReader(1000);
    const h = Buffer.alloc(4);
    h.writeUInt32LE(0xffffffff);
    expect(() => reader.push(h, () => {})).toThrow(FrameTooLargeError);
  });
});

describe('unix:// server', () => {
  it('serves a client, makes its socket 0600 and removes it on stop', async () => {
    const path = socketPath();
    const server = await serve(path);
    expect(server.address).toBe(`unix://${path}`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const client = await Tg4Client.connect(server.address);
    open.push(client);
    const env = await client.makeVec('CartPole-v1', { numEnvs: 3, seed: 1 });
    const r = await env.reset();
    expect(r.observations.length).toBe(12);
    await server.stop();
    expect(existsSync(path)).toBe(false);
  });

  it('answers requests written a byte at a time, and several in one write, in order', async () => {
    const server = await serve();
    const c = raw(server);
    const hello = frame(encodeMessage({ id: 1, op: 'hello' }));
    for (const b of hello) c.stream!.write(Buffer.from([b]));
    expect((await c.receive()).id).toBe(1);
    c.stream!.write(Buffer.concat([2, 3, 4].map((id) => frame(encodeMessage({ id, op: 'hello' })))));
    expect([(await c.receive()).id, (await c.receive()).id, (await c.receive()).id]).toEqual([2, 3, 4]);
  });

  it('drops a connection whose frame announces more than 4× the message limit, and keeps serving others', async () => {
    const lines: string[] = [];
    const server = await serve(socketPath(), { limits: { maxMessageBytes: 1024 }, log: (l) => lines.push(l) });
    const bad = createConnection({ path: server.address.slice(7) });
    open.push({ close: () => bad.destroy() });
    const closed = new Promise<void>((r) => bad.on('close', () => r()));
    bad.on('error', () => {});
    const h = Buffer.alloc(4);
    h.writeUInt32LE(4 * 1024 + 1);
    bad.write(h);
    await closed;
    expect(lines.join('\n')).toMatch(/dropped a unix connection: a frame of 4097 bytes/);
    const good = raw(server);
    expect((await good.request({ id: 1, op: 'hello' })).result).toBeDefined();
  });

  it('allocates for the bytes a client sends, not for the size its headers announce; survives random streams', async () => {
    const server = await serve();
    const path = server.address.slice('unix://'.length);
    const before = process.memoryUsage().arrayBuffers;
    const liars = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const s = createConnection({ path });
        s.on('error', () => {});
        await new Promise<void>((r) => s.once('connect', () => r()));
        const h = Buffer.alloc(8);
        h.writeUInt32LE(4 * 16 * 1024 * 1024 - 1); // just under the drop limit: 64 MB announced, 4 bytes sent
        s.write(h);
        return s;
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    // 40 × 64 MB = 2.5 GB had the reader allocated what the headers announce.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    for (const s of liars) s.destroy();
    const rng = new Rng(5);
    for (let k = 0; k < 100; k++) {
      const s = createConnection({ path });
      s.on('error', () => {});
      const junk = Buffer.from(
        Array.from({ length: 1 + Math.floor(rng.random() * 3000) }, () => Math.floor(rng.random() * 256)),
      );
      s.end(junk);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect((await raw(server).request({ id: 1, op: 'hello' })).result).toBeDefined();
  });

  it('stops reading a client that never reads its replies, and serves the others meanwhile', async () => {
    const server = await serve();
    const flood = raw(server);
    const made = await flood.request({ id: 0, op: 'make', env_id: 'tg4/Trading-v0', num_envs: 64 });
    const session = (made.result as { session: string }).session;
    await flood.request({ id: 1, op: 'reset', session, seed: 0 });
    flood.stream!.pause(); // reads nothing from now on
    const N = 400; // 400 × 255 KB of replies = 100 MB if the server kept answering
    const step = (id: number) =>
      frame(encodeMessage({ id, op: 'step', session, actions: int64Actions(new Array(64).fill(id % 3)) }));
    for (let id = 2; id < N + 2; id++) flood.stream!.write(step(id));
    await new Promise((r) => setTimeout(r, 1500));
    const served = server.stats().requests;
    expect(served).toBeLessThan(N / 2); // the kernel buffers hold a few replies; then the server stops reading
    const other = raw(server);
    const t0 = performance.now();
    expect((await other.request({ id: 1, op: 'hello' })).result).toBeDefined();
    expect(performance.now() - t0).toBeLessThan(1000);
    flood.stream!.resume();
    let last = 0;
    for (let k = 0; k < N; k++) last = (await flood.receive(20_000)).id as number;
    expect(last).toBe(N + 1);
  }, 60_000);

  it('serves no more requests of a client whose replies are unread, even those read in one go', async () => {
    // 300 step requests in one write: one socket read holds about a hundred of them. Each answered one is a 255 KB
    // reply held for a client that reads nothing, so the server must stop answering, not only stop reading.
    const server = await serve();
    const flood = raw(server);
    const made = await flood.request({ id: 0, op: 'make', env_id: 'tg4/Trading-v0', num_envs: 64 });
    const session = (made.result as { session: string }).session;
    await flood.request({ id: 1, op: 'reset', session, seed: 0 });
    flood.stream!.pause();
    const N = 300;
    const burst = Buffer.concat(
      Array.from({ length: N }, (_, k) =>
        frame(encodeMessage({ id: 2 + k, op: 'step', session, actions: int64Actions(new Array(64).fill(k % 3)) })),
      ),
    );
    flood.stream!.write(burst);
    await new Promise((r) => setTimeout(r, 1500));
    expect(server.stats().requests).toBeLessThan(20); // what the socket buffers hold, then nothing
    expect((await raw(server).request({ id: 1, op: 'hello' })).result).toBeDefined();
    flood.stream!.resume();
    const ids: number[] = [];
    for (let k = 0; k < N; k++) ids.push((await flood.receive(20_000)).id as number);
    expect(ids).toEqual(Array.from({ length: N }, (_, k) => 2 + k));
  }, 60_000);

  it('replaces a stale socket file, and refuses a live server, a regular file and an overlong path', async () => {
    // A stale socket: its server was killed, so nobody removed the file.
    const stale = socketPath();
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('up'))`,
    ]);
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(stale)).toBe(true);
    const server = await serve(stale);
    expect((await raw(server).request({ id: 1, op: 'hello' })).result).toBeDefined();

    await expect(Tg4Server.start({ bind: server.address })).rejects.toThrow(/another server is listening there/);
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'mine');
    await expect(Tg4Server.start({ bind: `unix://${file}` })).rejects.toThrow(/exists and is not a socket/);
    expect(readFileSync(file, 'utf8')).toBe('mine');
    await expect(Tg4Server.start({ bind: `unix://${join(dir, 'x'.repeat(120))}` })).rejects.toThrow(
      /bytes; the OS allows 1 to 107/,
    );
  });

  it('refuses CURVE keys on a local socket, on both sides', async () => {
    await expect(Tg4Server.start({ bind: `unix://${socketPath()}`, curveKeysDir: dir })).rejects.toThrow(
      /CURVE does not apply/,
    );
    const server = await serve();
    const keys = { serverPublicKey: 'x', publicKey: 'y', secretKey: 'z' };
    await expect(Tg4Client.connect(server.address, { curve: keys })).rejects.toThrow(/CURVE does not apply/);
  });

  it('a client learns at once that the server went: pending and later requests fail, naming it', async () => {
    const server = await serve();
    const client = await Tg4Client.connect(server.address, { timeoutMs: 60_000 });
    open.push(client);
    const t0 = performance.now();
    const pending = client.request('hello');
    await server.stop();
    // Either the reply got out before the stop, or the request fails fast: never the 60 s timeout.
    await pending.catch(() => {});
    await expect(client.request('hello')).rejects.toThrow(/closed the connection/);
    expect(performance.now() - t0).toBeLessThan(5000);
    await expect(Tg4Client.connect(server.address)).rejects.toThrow(/cannot connect to unix:\/\/.*tg4 serve --bind/);
  });

  it('a garbage body gets a PROTOCOL_ERROR reply, not a dropped connection', async () => {
    const server = await serve();
    const c = raw(server);
    await c.send(Buffer.from([0xc1, 0xff, 0x00]));
    expect((await c.receive()).error).toMatchObject({ code: 'PROTOCOL_ERROR' });
    await c.send(new Uint8Array(0));
    expect((await c.receive()).error).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(decodeMessage(encodeMessage({ ok: 1 }))).toEqual({ ok: 1 });
    expect((await c.request({ id: 5, op: 'hello' })).id).toBe(5);
  });
});
