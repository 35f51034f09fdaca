// Window deltas (docs/protocol.md): a session that asks for them gets, for the trading env's sliding-window
// observations, each sub-env's newest row instead of its whole window — and rebuilds exactly the observations a session
// without them gets, across episode ends and autoresets, whatever the env claims about its layout.
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { Tg4Client, type RemoteVectorEnv } from '../../src/server/client.ts';
import { WindowDeltaDecoder, WindowDeltaEncoder } from '../../src/server/obs-window.ts';
import { encodeMessage } from '../../src/server/protocol/codec.ts';
import { Rng } from '../../src/core/rng.ts';
import { RawClient, int64Actions, serverFixture, TRANSPORTS } from './helpers.ts';

const N = 4;

function bytes(x: unknown): Buffer {
  const f = x as Float32Array;
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

/** A copy of a decoded wire array's bytes as floats (msgpack hands out Buffers, whose slice() is a view). */
function floats(x: Uint8Array): Float32Array {
  return new Float32Array(new Uint8Array(x).buffer);
}

async function stepBoth(a: RemoteVectorEnv, b: RemoteVectorEnv, steps: number): Promise<number> {
  const rng = new Rng(7);
  let ended = 0;
  const actions = new Array<number>(N);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < N; i++) actions[i] = rng.integer(3);
    const [ra, rb] = await Promise.all([a.step(actions), b.step(actions)]);
    const same = Buffer.compare(bytes(ra.observations), bytes(rb.observations)) === 0;
    if (!same) expect.fail(`step ${t}: the rebuilt observations differ from the whole ones`);
    expect(ra.rewards).toEqual(rb.rewards);
    for (let i = 0; i < N; i++) {
      if (ra.terminated[i] === 1 || ra.truncated[i] === 1) ended++;
      const fa = ra.infos[i]?.final_observation as Float32Array | undefined;
      if (fa !== undefined) expect(fa).toEqual(rb.infos[i]?.final_observation);
    }
  }
  return ended;
}

describe.each(TRANSPORTS)('window deltas over %s', (transport) => {
  const f = serverFixture(transport, (address) => Tg4Client.connect(address));

  for (const autoreset of ['same-step', 'next-step'] as const) {
    it(`Trading-v0 (${autoreset}): the rebuilt observations equal whole ones bit for bit, across episode ends`, async () => {
      // A short episode so that several end (and reset) inside the run.
      const kwargs = { episodeLength: 60 };
      const a = await f.client.makeVec('tg4/Trading-v0', { numEnvs: N, seed: 3, autoreset, kwargs, obsWindow: true });
      const b = await f.client.makeVec('tg4/Trading-v0', { numEnvs: N, seed: 3, autoreset, kwargs, obsWindow: false });
      expect(a.info.obs_window).toEqual({ rows: 32, cols: 31, stride: 1 });
      expect(b.info.obs_window).toBeNull();
      const [ra, rb] = await Promise.all([a.reset(), b.reset()]);
      expect(ra.observations).toEqual(rb.observations);
      expect(await stepBoth(a, b, 200)).toBeGreaterThanOrEqual(2 * N);
      await Promise.all([a.close(), b.close()]);
    });
  }

  it('Trading-v0 acting every 4 bars: the window moves 4 rows a step, and the deltas follow it', async () => {
    const kwargs = { episodeLength: 30, decisionInterval: 4 };
    const a = await f.client.makeVec('tg4/Trading-v0', { numEnvs: N, seed: 8, kwargs, obsWindow: true });
    const b = await f.client.makeVec('tg4/Trading-v0', { numEnvs: N, seed: 8, kwargs, obsWindow: false });
    expect(a.info.obs_window).toEqual({ rows: 32, cols: 31, stride: 4 });
    await Promise.all([a.reset(), b.reset()]);
    expect(await stepBoth(a, b, 100)).toBeGreaterThanOrEqual(N);
    await Promise.all([a.close(), b.close()]);
  });

  it('steps of one session sent before any reply is read: each delta builds on the one before', async () => {
    // Each delta is compared with the batch of the one before, though none of their replies was read yet.
    const raw = new RawClient(f.server.address);
    try {
      const n = 8;
      const kwargs = { episodeLength: 40 };
      const made = async (id: number, obs_window: boolean): Promise<string> =>
        (
          (
            await raw.request({
              id,
              op: 'make',
              env_id: 'tg4/Trading-v0',
              num_envs: n,
              seed: 4,
              autoreset: 'same-step',
              kwargs,
              obs_window,
            })
          ).result as { session: string }
        ).session;
      const [a, b] = [await made(1, true), await made(2, false)];
      const resetA = (await raw.request({ id: 3, op: 'reset', session: a, seed: 0 })).result as Record<string, unknown>;
      await raw.request({ id: 4, op: 'reset', session: b, seed: 0 });
      const dec = new WindowDeltaDecoder(n, 996, { rows: 32, cols: 31 });
      const held = resetA.obs as { data: Uint8Array };
      dec.hold(floats(held.data), resetA.obs_seq as number);
      const rng = new Rng(9);
      const tape = Array.from({ length: 60 }, () => Array.from({ length: n }, () => rng.integer(3)));
      for (const [k, acts] of tape.entries())
        await raw.send(encodeMessage({ id: 100 + k, op: 'step', session: a, actions: int64Actions(acts) }));
      const replies = [];
      for (let k = 0; k < tape.length; k++) replies.push(await raw.receive());
      let fullRows = 0;
      for (const [k, acts] of tape.entries()) {
        const d = (
          replies[k]!.result as {
            obs_delta: Record<string, { data: Uint8Array; shape: number[] }> & { seq: number };
          }
        ).obs_delta;
        fullRows += d.full!.shape[0]!;
        const rebuilt = dec.apply({
          seq: d.seq,
          shifted: d.shifted!.data,
          full: floats(d.full!.data),
          tail: floats(d.tail!.data),
        });
        const rb = await raw.request({ id: 200 + k, op: 'step', session: b, actions: int64Actions(acts) });
        const whole = (rb.result as { obs: { data: Uint8Array } }).obs.data;
        if (Buffer.compare(Buffer.from(rebuilt.buffer), Buffer.from(whole)) !== 0)
          expect.fail(`pipelined step ${k}: the rebuilt observations differ from the whole ones`);
      }
      // Whole rows only where an episode ended (8 sub-envs, 40-step episodes, 60 steps): a delta compared with the
      // wrong held batch would still rebuild right (the byte check sends whole rows), but every row would be whole.
      expect(fullRows).toBeLessThanOrEqual(2 * n);
    } finally {
      raw.close();
    }
  });

  it('an env without a window (CartPole) is served with whole observations', async () => {
    const env = await f.client.makeVec('CartPole-v1', { numEnvs: 2, seed: 1, obsWindow: true });
    expect(env.info.obs_window).toBeNull();
    await env.reset();
    const r = await env.step([0, 1]);
    expect((r.observations as Float32Array).length).toBe(8);
    await env.close();
  });
});

describe('window deltas on the wire', () => {
  const f = serverFixture('ipc', (address) => new RawClient(address));

  for (const decisionInterval of [1, 4]) {
    it(`a step reply carries the newest rows only (Trading-v0 × 64, decisionInterval ${decisionInterval})`, async () => {
      const sizes: number[] = [];
      for (const obs_window of [true, false]) {
        const kwargs = { decisionInterval };
        const made = await f.client.request({
          id: 1,
          op: 'make',
          env_id: 'tg4/Trading-v0',
          num_envs: 64,
          kwargs,
          obs_window,
        });
        const session = (made.result as { session: string }).session;
        const reset = await f.client.request({ id: 2, op: 'reset', session, seed: 0 });
        expect((reset.result as { obs_seq?: number }).obs_seq).toBe(obs_window ? 1 : undefined);
        await f.client.send(
          encodeMessage({ id: 3, op: 'step', session, actions: int64Actions(new Array(64).fill(1)) }),
        );
        sizes.push((await f.client.receiveBody()).byteLength);
        await f.client.request({ id: 4, op: 'close', session });
      }
      // Per sub-env: the newest decisionInterval rows of 31 features and the 4 account values; 2 KB for the rest.
      expect(sizes[0]!).toBeLessThan(64 * (decisionInterval * 31 + 4) * 4 + 2048);
      expect(sizes[1]!).toBeGreaterThan(64 * 996 * 4);
    });
  }

  it('make.obs_window that is not a bool is a PROTOCOL_ERROR saying what to send', async () => {
    const r = await f.client.request({ id: 9, op: 'make', env_id: 'tg4/Trading-v0', obs_window: 'yes' });
    expect(r.error).toMatchObject({
      code: 'PROTOCOL_ERROR',
      message: expect.stringMatching(/obs_window must be true or false/),
    });
  });
});

describe('WindowDeltaEncoder and WindowDeltaDecoder', () => {
  const window = { rows: 3, cols: 2 };
  const d = 3 * 2 + 1;

  it('a layout the observations do not follow costs whole rows, never wrong observations', () => {
    const rng = new Rng(1);
    const enc = new WindowDeltaEncoder(3, d, window);
    const dec = new WindowDeltaDecoder(3, d, window);
    const obs = new Float32Array(3 * d);
    const fill = (): void => {
      for (let i = 0; i < obs.length; i++) obs[i] = rng.integer(3); // few values: some windows match by chance
    };
    fill();
    dec.hold(obs.slice(), enc.sent(obs));
    let shifted = 0;
    let full = 0;
    for (let t = 0; t < 300; t++) {
      // Sub-env 0 slides as declared; the others are redrawn (a reset, or an env that claims a window it lacks).
      const keep = obs.slice(0, d);
      fill();
      obs.set(keep.subarray(2, 6), 0);
      const delta = enc.delta(obs);
      shifted += delta.tail.shape[0]!;
      full += delta.full.shape[0]!;
      const rebuilt = dec.apply({
        seq: delta.seq,
        shifted: delta.shifted.data,
        full: new Float32Array(delta.full.data.slice().buffer),
        tail: new Float32Array(delta.tail.data.slice().buffer),
      });
      expect(Buffer.from(rebuilt.buffer)).toEqual(Buffer.from(obs.buffer));
    }
    expect(shifted).toBeGreaterThanOrEqual(300);
    expect(full).toBeGreaterThan(500);
  });

  it('a delta that does not build on the held batch is refused, naming both numbers', () => {
    const enc = new WindowDeltaEncoder(1, d, window);
    const dec = new WindowDeltaDecoder(1, d, window);
    const obs = new Float32Array(d);
    dec.hold(obs.slice(), enc.sent(obs));
    enc.delta(obs); // a reply this client never read
    const late = enc.delta(obs);
    expect(() =>
      dec.apply({
        seq: late.seq,
        shifted: late.shifted.data,
        full: new Float32Array(late.full.data.slice().buffer),
        tail: new Float32Array(late.tail.data.slice().buffer),
      }),
    ).toThrow(/delta #3 builds on batch #2, but this client holds batch #1/);
    expect(WindowDeltaEncoder.fits({ rows: 1, cols: 2 }, d)).toBe(false);
    expect(WindowDeltaEncoder.fits({ rows: 3, cols: 2, stride: 3 }, d)).toBe(false);
    expect(WindowDeltaEncoder.fits({ rows: 3, cols: 2, stride: 2 }, d)).toBe(true);
    expect(WindowDeltaEncoder.fits({ rows: 4, cols: 2 }, d)).toBe(false);
  });
});
