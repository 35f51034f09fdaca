// What a network client must never make the server do (issue 20, items 1, 2, 5, 6, 7): read a file its operator did
// not allow (absolute paths, `..`, symlinks out of the data dir, hidden files, any path-like kwarg), learn whether a
// path exists or what a file holds, hang it on /dev/zero or /dev/stdin, pass it msgpack extension types, run it
// without an authorized-clients list, or lose a request id or the stack to a huge message.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { make } from '../../src/core/registry.ts';
import { loadBundled } from '../../replay/bundled.ts';
import { encodeMessage } from '../../src/server/protocol/codec.ts';
import { Tg4Client } from '../../src/server/client.ts';
import { generateKeys, loadServerKeys } from '../../src/server/curve.ts';
import { looksLikeServerPath } from '../../src/server/data-access.ts';
import { Tg4Server } from '../../src/server/server.ts';
import { RawClient, startServer } from './helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'tg4-data-'));
const outside = mkdtempSync(join(tmpdir(), 'tg4-outside-'));
const SECRET = 'hunter2-do-not-leak';

/** A small Kraken-format CSV of the bundled BTC/USD 1h bars. */
function writeCsv(path: string, bars: number): void {
  const f = loadBundled();
  const lines: string[] = [];
  for (let t = 0; t < bars; t++)
    lines.push(`${f.time[t]! / 1000},${f.open[t]},${f.high[t]},${f.low[t]},${f.close[t]},${f.volume[t]},1`);
  writeFileSync(path, `${lines.join('\n')}\n`);
}

beforeAll(() => {
  writeCsv(join(dataDir, 'XBTUSD_60_small.csv'), 3000);
  mkdirSync(join(dataDir, 'sub'));
  writeCsv(join(dataDir, 'sub', 'XBTUSD_60_b.csv'), 2000);
  writeFileSync(join(dataDir, 'secret.csv'), `password=${SECRET}\n`);
  writeFileSync(join(dataDir, '.hidden.csv'), 'x\n');
  writeFileSync(join(outside, 'XBTUSD_60_out.csv'), `${SECRET}\n`);
  symlinkSync(join(outside, 'XBTUSD_60_out.csv'), join(dataDir, 'escape.csv'));
  symlinkSync('/dev/zero', join(dataDir, 'zero.csv'));
  symlinkSync(outside, join(dataDir, 'outdir'));
  execFileSync('mkfifo', [join(dataDir, 'fifo.csv')]);
  writeFileSync(
    join(dataDir, 'spec.json'),
    JSON.stringify({ window: 16, features: [{ feature: 'returns' }, { feature: 'rsi', params: { period: 14 } }] }),
  );
});

describe('files: only what the operator allowed', () => {
  let server: Tg4Server;
  let bare: Tg4Server;
  let raw: RawClient;
  let rawBare: RawClient;
  beforeAll(async () => {
    server = await startServer('tcp', { dataDir, limits: { maxDataFileBytes: 1024 * 1024 } });
    bare = await startServer('tcp');
    raw = new RawClient(server.address);
    rawBare = new RawClient(bare.address);
  });
  afterAll(async () => {
    raw.close();
    rawBare.close();
    await server.stop();
    await bare.stop();
  });

  async function makeWith(c: RawClient, kwargs: Record<string, unknown>, envId = 'tg4/Trading-v0') {
    const started = performance.now();
    const r = await c.request({ id: 7, op: 'make', env_id: envId, kwargs });
    return { r, ms: performance.now() - started };
  }

  it('refuses absolute paths, `..`, /proc and devices at once, with one message whatever exists', async () => {
    const messages = new Map<string, string>();
    for (const data of [
      '/etc/passwd',
      '/etc/shadow',
      '/proc/self/environ',
      '/no/such/file.csv',
      '../../../../etc/passwd',
      'sub/../../etc/passwd',
      '/dev/zero',
      '/dev/stdin',
      'file:///etc/passwd',
      'postgres://evil.example/db',
      '~/.ssh/id_rsa',
    ]) {
      for (const c of [raw, rawBare]) {
        const { r, ms } = await makeWith(c, { data });
        expect(r.id).toBe(7);
        const err = r.error as { code: string; message: string };
        expect(err.code, data).toBe('INVALID_ARGUMENT');
        expect(ms, `${data} answered in ${ms} ms`).toBeLessThan(5000);
        expect(err.message).not.toMatch(/root:|PATH=|TG4_PG_URL|ENOENT|EACCES|no such file/i);
        messages.set(`${c === raw}:${data}`, err.message.replace(JSON.stringify(data), 'X'));
      }
    }
    // The same text for a path that exists and one that does not: the error is no existence oracle.
    expect(messages.get('true:/etc/passwd')).toBe(messages.get('true:/no/such/file.csv'));
    expect(messages.get('false:/etc/passwd')).toBe(messages.get('false:/no/such/file.csv'));
    // Still serving.
    expect((await raw.request({ id: 'p', op: 'hello' })).result).toBeDefined();
  });

  it('refuses symlinks out of the data dir, FIFOs, devices, hidden and missing files with one message', async () => {
    const texts: string[] = [];
    for (const data of [
      'escape.csv',
      'zero.csv',
      'fifo.csv',
      '.hidden.csv',
      'missing.csv',
      'outdir/XBTUSD_60_out.csv',
    ]) {
      const { r, ms } = await makeWith(raw, { data });
      const err = r.error as { code: string; message: string };
      expect(err.code, data).toBe('INVALID_ARGUMENT');
      expect(ms, `${data}: ${ms} ms`).toBeLessThan(5000);
      expect(err.message).not.toContain(SECRET);
      texts.push(err.message.replace(JSON.stringify(data), 'X'));
    }
    expect(new Set(texts).size).toBe(1);
  });

  it('never quotes a file of the data dir that is not candles', async () => {
    const { r } = await makeWith(raw, { data: 'secret.csv' });
    const err = r.error as { code: string; message: string };
    expect(err.code).toBe('DATA_ERROR');
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain('password');
  });

  it('treats every path-like kwarg the same: features, other keys, any string that names a path', async () => {
    for (const kwargs of [
      { features: '/etc/passwd' },
      { features: '../../etc/passwd' },
      { features: 'escape.csv' },
      { reward: '/etc/passwd' },
      { executor: { note: '../../etc/passwd' } } as Record<string, unknown>,
    ]) {
      const { r } = await makeWith(raw, kwargs);
      const err = r.error as { code: string; message: string };
      expect(err.code, JSON.stringify(kwargs)).toBe('INVALID_ARGUMENT');
      expect(err.message).not.toContain(SECRET);
    }
    for (const kwargs of [{ file: 'XBTUSD_60_small.csv' }, { render_path: 'x' }, { logDir: 'sub' }]) {
      const { r } = await makeWith(raw, kwargs, 'CartPole-v1');
      expect((r.error as { code: string }).code, JSON.stringify(kwargs)).toBe('INVALID_ARGUMENT');
    }
    // Objects the server builds itself never come from a client.
    const { r } = await makeWith(raw, { frame: { close: [1, 2] } });
    expect(r.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/cannot come over/) });
  });

  it('Portfolio-v0: one source per symbol from the data dir; one CSV for several symbols or a path is refused', async () => {
    const ok = await makeWith(
      raw,
      { data: { 'AAA/USD': 'XBTUSD_60_small.csv', 'BBB/USD': 'sub/XBTUSD_60_b.csv' }, episodeLength: 20 },
      'tg4/Portfolio-v0',
    );
    expect(ok.r.error).toBeUndefined();
    await raw.request({ id: 8, op: 'close', session: (ok.r.result as { session: string }).session });
    const one = await makeWith(raw, { data: 'XBTUSD_60_small.csv' }, 'tg4/Portfolio-v0');
    expect(one.r.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/one CSV file/) });
    const path = await makeWith(raw, { data: { 'AAA/USD': '/etc/passwd', 'BBB/USD': 'x.csv' } }, 'tg4/Portfolio-v0');
    expect(path.r.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((path.r.error as { message: string }).message).not.toMatch(/root:/);
  });

  it('bounds the size of a data file', async () => {
    writeCsv(join(dataDir, 'XBTUSD_60_big.csv'), 20_000); // ~1.3 MB, over the 1 MiB limit of this server
    const { r } = await makeWith(raw, { data: 'XBTUSD_60_big.csv' });
    expect(r.error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/--max-data-file-mb/) });
    // A gzip bomb is cut at the same bound, and a feature-spec file at 1 MiB.
    writeFileSync(join(dataDir, 'bomb.csv.gz'), gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x30)));
    const bomb = await makeWith(raw, { data: 'bomb.csv.gz' });
    expect(bomb.r.error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    writeFileSync(
      join(dataDir, 'huge.json'),
      `{"features": [${'{"feature":"rsi"},'.repeat(70_000)}{"feature":"rsi"}]}`,
    );
    const spec = await makeWith(raw, { features: 'huge.json' });
    expect(spec.r.error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: expect.stringMatching(/'huge.json' is larger/),
    });
  });

  it('serves a file of the data dir and a spec file by relative name, as in-process make with the path gives', async () => {
    const client = await Tg4Client.connect(server.address);
    try {
      for (const [data, features] of [
        ['XBTUSD_60_small.csv', undefined],
        ['sub/XBTUSD_60_b.csv', 'spec.json'],
      ] as const) {
        const kw = { data, start: 'first', episodeLength: 50, ...(features ? { features } : {}) };
        const remote = await client.makeVec('tg4/Trading-v0', { numEnvs: 2, kwargs: kw, engine: 'sub-env' });
        const local = make('tg4/Trading-v0', {
          ...kw,
          data: join(dataDir, data),
          ...(features ? { features: join(dataDir, features) } : {}),
        });
        const a = await remote.reset({ seed: 3 });
        const b = local.reset({ seed: 3 });
        const obs = a.observations as Float32Array;
        expect(Array.from(obs.subarray(0, (b.observation as Float32Array).length))).toEqual(
          Array.from(b.observation as Float32Array),
        );
        await remote.close();
      }
    } finally {
      client.close();
    }
  });

  it('without --data-dir, only named datasets: bundled works, a file name is refused', async () => {
    expect((await rawBare.request({ id: 'h', op: 'hello' })).result).toMatchObject({
      datasets: { named: ['bundled'], data_dir: false },
    });
    expect((await raw.request({ id: 'h', op: 'hello' })).result).toMatchObject({ datasets: { data_dir: true } });
    const ok = await makeWith(rawBare, { data: 'bundled', episodeLength: 10 });
    expect(ok.r.error).toBeUndefined();
    const { r } = await makeWith(rawBare, { data: 'XBTUSD_60_small.csv' });
    expect(r.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/--data-dir/) });
  });
});

describe('looksLikeServerPath', () => {
  it('flags what could name a server path, and leaves ordinary option strings alone', () => {
    for (const x of [
      '/etc/passwd',
      '../x',
      'a/../../b',
      '~/.ssh',
      'C:\\x',
      'C:/x',
      'file:x',
      'postgres://h/db',
      'a\0b',
    ])
      expect(looksLikeServerPath(x), x).toBe(true);
    for (const x of ['BTC/USD', '2019-01-01..2019-07-01', 'log_return', 'ratio:2', 'train', 'sub/XBTUSD_60_b.csv'])
      expect(looksLikeServerPath(x), x).toBe(false);
  });
});

describe('decoder: plain msgpack only', () => {
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

  it('refuses extension types (typed arrays, Date, Set, BigInt, a client-made MarketFrame) with PROTOCOL_ERROR', async () => {
    const rich = new Packr({ moreTypes: true, useRecords: false, structuredClone: true });
    const frame = {
      symbol: 'X',
      timeframe: '1h',
      timeframeMs: 3_600_000,
      length: 3,
      time: new Float64Array([0, 3_600_000, 7_200_000]),
      open: new Float64Array(3).fill(1),
      high: new Float64Array(3).fill(1),
      low: new Float64Array(3).fill(1),
      close: new Float64Array(3).fill(1),
      volume: new Float64Array(3),
    };
    for (const extra of [new Float64Array(2), new Date(0), new Set([1]), 2n ** 70n, /x/, frame] as unknown[]) {
      await raw.send(rich.pack({ id: 5, op: 'make', env_id: 'tg4/Trading-v0', kwargs: { frame: extra } }));
      const r = await raw.receive();
      expect(r.error, String(extra)).toMatchObject({ code: 'PROTOCOL_ERROR' });
    }
    // fixext / ext8 / ext32 headers by hand.
    for (const bytes of [
      [0x81, 0xa1, 0x61, 0xd4, 0x01, 0x00],
      [0x81, 0xa1, 0x61, 0xc7, 0x01, 0x05, 0x00],
      [0x81, 0xa1, 0x61, 0xc9, 0xff, 0xff, 0xff, 0xff, 0x01],
      [0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 0],
    ]) {
      await raw.send(Buffer.from(bytes));
      expect((await raw.receive()).error).toMatchObject({ code: 'PROTOCOL_ERROR' });
    }
  });

  it('an id after the 64th key of an oversized message still comes back', async () => {
    const big: Record<string, unknown> = {};
    for (let k = 0; k < 100; k++) big[`k${k}`] = k;
    big.pad = new Uint8Array(17 * 1024 * 1024);
    big.id = 'late-id';
    big.op = 'hello';
    await raw.send(encodeMessage(big));
    const r = await raw.receive(20_000);
    expect(r).toMatchObject({ id: 'late-id', error: { code: 'LIMIT_EXCEEDED' } });
  });

  it('call with 500,000 arguments is a client error, not a stack overflow', async () => {
    const made = await raw.request({ id: 1, op: 'make', env_id: 'CartPole-v1', num_envs: 1, engine: 'sub-env' });
    const session = (made.result as { session: string }).session;
    const r = await raw.request({ id: 2, op: 'call', session, name: 'render', args: new Array(500_000).fill(0) });
    expect(r).toMatchObject({
      id: 2,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/at most 64/) },
    });
  });
});

describe('authorized_clients', () => {
  it('a file that lists no key refuses to start the server, instead of admitting everyone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg4-keys-empty-'));
    generateKeys(dir);
    writeFileSync(join(dir, 'authorized_clients'), '# nobody yet\n\n');
    expect(() => loadServerKeys(dir)).toThrow(/lists no client key/);
    await expect(Tg4Server.start({ bind: 'tcp://127.0.0.1:0', curveKeysDir: dir })).rejects.toThrow(
      /lists no client key/,
    );
  });
});
