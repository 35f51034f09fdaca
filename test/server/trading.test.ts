// The server serves every registered env, not only CartPole: the trading env through both engines, with
// MaskablePPO's action_masks reachable through `call`, and the engine choice honoured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { make } from '../../src/core/index.ts';
import { Tg4Client } from '../../src/server/client.ts';
import type { Tg4Server } from '../../src/server/server.ts';
import { startServer } from './helpers.ts';

describe('tg4/Trading-v0 over the server', () => {
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

  for (const engine of ['vector', 'sub-env'] as const) {
    it(`${engine} engine: spaces as in-process, action masks per sub-env, seeded rewards`, async () => {
      const local = make('tg4/Trading-v0');
      const env = await client.makeVec('tg4/Trading-v0', { numEnvs: 3, engine, seed: 4 });
      expect(env.info.engine).toBe(engine);
      expect(env.info.observation_space).toEqual(local.observationSpace.toJSON());
      expect(env.info.action_space).toEqual(local.actionSpace.toJSON());
      expect(env.info.callable.methods).toContain('action_masks');
      await env.reset();
      const r = await env.step([2, 1, 0]);
      expect(r.rewards).toHaveLength(3);
      const masks = (await env.call('action_masks', [], {}, [2, 0])) as Uint8Array[];
      expect(masks).toHaveLength(2);
      expect(masks.every((m) => m instanceof Uint8Array && m.every((v) => v === 0 || v === 1))).toBe(true);
      expect(masks[0]!.length).toBe((local.actionSpace.toJSON() as { n: number }).n);
      // Sub-env i was reset with seed 4 + i: the in-process env with the same seed and action agrees.
      local.reset({ seed: 4 });
      const l = local.step(2);
      expect(r.rewards[0]).toBeCloseTo(l.reward, engine === 'vector' ? 6 : 12);
      if (engine === 'sub-env') expect(r.infos[0]).toHaveProperty('equity');
      await env.close();
    });
  }

  it('engine vector is refused with a reason where it cannot serve the session', async () => {
    await expect(client.makeVec('CartPole-v1', { numEnvs: 2, engine: 'vector', batchSize: 1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      client.makeVec('CartPole-v1', { numEnvs: 2, engine: 'vector', autoreset: 'disabled' }),
    ).rejects.toThrow(/vectorEntryPoint/);
  });
});
