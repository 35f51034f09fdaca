// An env that misbehaves (throws a plain TypeError in step, throws in close, returns a wrong-sized observation)
// costs its own request an INTERNAL error reply and nothing more: the server keeps serving, expiry keeps working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Box,
  Discrete,
  Env,
  getSpec,
  make,
  registeredIds,
  type EnvSpec,
  type ResetResult,
  type StepResult,
} from '../../src/core/index.ts';
import '../../envs/index.ts';
import type { EnvSource } from '../../src/server/env-source.ts';
import type { Tg4Server } from '../../src/server/server.ts';
import { RawClient, int64Actions, startServer } from './helpers.ts';

class FaultyEnv extends Env<Float32Array, number> {
  readonly observationSpace = new Box<Float32Array>(-1, 1, [2]);
  readonly actionSpace = new Discrete(3);
  protected resetEpisode(): ResetResult<Float32Array> {
    return { observation: new Float32Array(2), info: {} };
  }
  protected stepEpisode(action: number): StepResult<Float32Array> {
    if (action === 1) throw new TypeError('boom: a bug in the env');
    // action 2: an observation of the wrong size (an env bug the server must not pass on as data).
    return {
      observation: new Float32Array(action === 2 ? 3 : 2),
      reward: 0,
      terminated: false,
      truncated: false,
      info: {},
    };
  }
  override close(): void {
    super.close();
    throw new Error('close failed too');
  }
}

const faultySpec: EnvSpec = { id: 'Faulty-v0', entryPoint: () => new FaultyEnv() };
const source: EnvSource = {
  ids: () => [...registeredIds(), 'Faulty-v0'],
  spec: (id) => (id === 'Faulty-v0' ? faultySpec : getSpec(id)),
  make: (id, kwargs) => (id === 'Faulty-v0' ? new FaultyEnv() : make(id, kwargs)),
  makeVec: () => null,
};

describe('a faulty env', () => {
  let server: Tg4Server;
  let raw: RawClient;
  beforeAll(async () => {
    server = await startServer('tcp', { source, limits: { idleTimeoutS: 0.5 } });
    raw = new RawClient(server.address);
  });
  afterAll(async () => {
    raw.close();
    await server.stop();
  });

  it('answers INTERNAL for its failures and keeps serving others; its session still expires', async () => {
    const made = await raw.request({ id: 1, op: 'make', env_id: 'Faulty-v0', num_envs: 2 });
    const session = (made.result as { session: string }).session;
    await raw.request({ id: 2, op: 'reset', session });
    const boom = await raw.request({ id: 3, op: 'step', session, actions: int64Actions([0, 1]) });
    expect(boom.error).toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/boom/) });
    const wrong = await raw.request({ id: 4, op: 'step', session, actions: int64Actions([2, 0]) });
    expect(wrong.error).toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/observation/) });
    const ok = await raw.request({ id: 5, op: 'make', env_id: 'CartPole-v1' });
    expect(ok.result).toHaveProperty('session');
    const closed = await raw.request({ id: 6, op: 'close', session });
    expect(closed.result).toEqual({ closed: true }); // each sub-env's close error is contained
    expect(server.sessions.has(session)).toBe(false);
    // Expiry of a faulty session (close throws inside a timer) must not take the server down.
    const again = await raw.request({ id: 7, op: 'make', env_id: 'Faulty-v0' });
    const s2 = (again.result as { session: string }).session;
    const t0 = Date.now();
    while (server.sessions.has(s2) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(server.sessions.has(s2)).toBe(false);
    expect((await raw.request({ id: 8, op: 'hello' })).result).toMatchObject({ protocol: 1 });
  });
});
