// Remote envs equal in-process envs step for step: same seed and actions → the same observation bits, rewards and
// flags, over tcp and ipc, for both engines (batched vector env and N single envs) and every autoreset mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { Rng, make, makeVec, type EnvLike, type VectorEnv } from '../../src/core/index.ts';
import { Tg4Client, type RemoteStepResult } from '../../src/server/client.ts';
import type { Tg4Server } from '../../src/server/server.ts';
import { RemoteError } from '../../src/server/errors.ts';
import { SubEnvEngine, VectorEngine } from '../../src/server/session.ts';
import { TRANSPORTS, startServer } from './helpers.ts';

/** A controller that keeps the pole up (so that the 500-step truncation happens) mixed with seeded random pushes. */
function policy(obs: Float32Array, row: number, rng: Rng, randomRows: boolean): number {
  if (randomRows && row % 2 === 1) return rng.integer(2);
  const theta = obs[row * 4 + 2]!;
  const thetaDot = obs[row * 4 + 3]!;
  return theta + 0.5 * thetaDot > 0 ? 1 : 0;
}

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

for (const transport of TRANSPORTS) {
  describe(`remote CartPole over ${transport}`, () => {
    let server: Tg4Server;
    let client: Tg4Client;
    beforeAll(async () => {
      server = await startServer(transport);
      client = await Tg4Client.connect(server.address);
    });
    afterAll(async () => {
      client.close();
      await server.stop();
    });

    it('a single-env episode equals the in-process episode bit for bit, then asks for a reset', async () => {
      const local: EnvLike<Float32Array, number> = make('CartPole-v1');
      const remote = await client.makeVec('CartPole-v1', { numEnvs: 1, autoreset: 'disabled' });
      const rng = new Rng(7);
      for (const seed of [42, 43]) {
        let lo = local.reset({ seed }).observation;
        const r0 = await remote.reset({ seed });
        expect(bits(r0.observations as Float32Array)).toEqual(bits(lo));
        let steps = 0;
        for (;;) {
          const a = seed === 42 ? policy(lo, 0, rng, false) : rng.integer(2);
          const l = local.step(a);
          const r = await remote.step([a]);
          steps++;
          expect(bits(r.observations as Float32Array)).toEqual(bits(l.observation));
          expect(r.rewards[0]).toBe(l.reward);
          expect(r.terminated[0]).toBe(l.terminated ? 1 : 0);
          expect(r.truncated[0]).toBe(l.truncated ? 1 : 0);
          lo = l.observation;
          if (l.terminated || l.truncated) break;
        }
        if (seed === 42) expect(steps).toBe(500); // the controller survives to the TimeLimit: truncation checked
        await expect(remote.step([0])).rejects.toMatchObject({ code: 'RESET_NEEDED' });
      }
      await remote.close();
    });

    for (const autoreset of ['next-step', 'same-step'] as const) {
      for (const engine of ['vector', 'sub-env'] as const) {
        it(`N=4 ${autoreset} (${engine} engine) equals in-process makeVec over 700 steps, across terminations and truncations`, async () => {
          const n = 4;
          const local: VectorEnv = makeVec('CartPole-v1', {
            numEnvs: n,
            autoresetMode: autoreset,
            vectorizationMode: engine === 'vector' ? 'auto' : 'sync',
          });
          // batch_size < num_envs makes the server use N single envs.
          const remote = await client.makeVec('CartPole-v1', {
            numEnvs: n,
            autoreset,
            seed: 11,
            batchSize: engine === 'vector' ? undefined : n - 1,
          });
          expect(server.sessions.get(remote.session)!.engine).toBeInstanceOf(
            engine === 'vector' ? VectorEngine : SubEnvEngine,
          );
          const lr = local.reset({ seed: 11 });
          const rr = await remote.reset(); // make's seed applies to the first reset
          expect(bits(rr.observations as Float32Array)).toEqual(bits(lr.observations));
          const rng = new Rng(3);
          const actions = new Int32Array(n);
          let lastObs = Float32Array.from(lr.observations);
          let finals = 0;
          let truncations = 0;
          for (let t = 0; t < 700; t++) {
            for (let i = 0; i < n; i++) actions[i] = policy(lastObs, i, rng, true);
            const l = local.step(actions);
            const r: RemoteStepResult = await remote.step(actions);
            expect(bits(r.observations as Float32Array)).toEqual(bits(l.observations));
            for (let i = 0; i < n; i++) {
              expect(r.rewards[i]).toBe(l.rewards[i]);
              expect(r.terminated[i]).toBe(l.terminated[i]);
              expect(r.truncated[i]).toBe(l.truncated[i]);
              truncations += l.truncated[i]!;
              const lf = l.infos[i]!.final_observation as Float32Array | undefined;
              const rf = r.infos[i]!.final_observation as Float32Array | undefined;
              expect(rf === undefined).toBe(lf === undefined);
              if (lf !== undefined) {
                finals++;
                expect(bits(rf!)).toEqual(bits(lf));
                expect(r.infos[i]!.final_info).toEqual({});
              }
            }
            lastObs = Float32Array.from(l.observations);
          }
          expect(truncations).toBeGreaterThan(0);
          if (autoreset === 'same-step') expect(finals).toBeGreaterThan(10);
          local.close();
          await remote.close();
        });
      }
    }

    it('steps subsets of sub-envs with pipelined send/recv (EnvPool style), each equal to its own in-process env', async () => {
      const n = 6;
      const locals = Array.from({ length: n }, () => make<Float32Array, number>('CartPole-v1'));
      const remote = await client.makeVec('CartPole-v1', { numEnvs: n, batchSize: 3, autoreset: 'next-step' });
      await remote.reset({ seed: 100 });
      const lastObs = locals.map((e, i) => e.reset({ seed: 100 + i }).observation);
      const pending = locals.map(() => false);
      const rng = new Rng(5);
      for (let round = 0; round < 40; round++) {
        // Two batches in flight on one connection; replies come back in order.
        const batches = [
          [0, 2, 4],
          [5, 1, 3],
        ];
        const sent = batches.map((ids) => ids.map(() => rng.integer(2)));
        batches.forEach((ids, k) => remote.send(sent[k]!, ids));
        for (let k = 0; k < batches.length; k++) {
          const r = await remote.recv();
          expect(r.envIds).toEqual(batches[k]);
          batches[k]!.forEach((i, j) => {
            let obs: Float32Array;
            if (pending[i]) {
              obs = locals[i]!.reset().observation;
              pending[i] = false;
              expect(r.rewards[j]).toBe(0);
            } else {
              const s = locals[i]!.step(sent[k]![j]!);
              obs = s.observation;
              expect(r.rewards[j]).toBe(s.reward);
              expect(r.terminated[j]).toBe(s.terminated ? 1 : 0);
              pending[i] = s.terminated || s.truncated;
            }
            const row = (r.observations as Float32Array).subarray(j * 4, j * 4 + 4);
            expect(bits(row)).toEqual(bits(obs));
            lastObs[i] = obs;
          });
        }
      }
      await expect(remote.recv()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await remote.close();
    });

    it('answers render, spaces, call (whitelisted only) and close', async () => {
      const remote = await client.makeVec('CartPole-v1', { numEnvs: 2, kwargs: { renderMode: 'ansi' } });
      expect(remote.info.render_mode).toBe('ansi');
      expect(remote.info.callable.methods).toContain('render');
      await remote.reset({ seed: 1 });
      const frames = await remote.render();
      expect(frames).toHaveLength(2);
      expect(String(frames[0])).toMatch(/x=/);
      const sp = await remote.spaces();
      expect(sp).toMatchObject({ num_envs: 2, action_space: { type: 'Discrete', n: 2 } });
      expect(await remote.call('metadata', [], {}, [1])).toEqual([{ render_modes: ['ansi'], render_fps: 50 }]);
      const masks = remote.call('action_masks');
      await expect(masks).rejects.toBeInstanceOf(RemoteError);
      await expect(masks).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { attribute: 'action_masks' } });
      await expect(remote.call('close')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await remote.close();
      await expect(remote.reset()).rejects.toMatchObject({ code: 'UNKNOWN_SESSION' });
    });
  });
}
