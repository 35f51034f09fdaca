// One action validation for both engines (issue 20, item 4): an int64 Discrete action beyond int32 (2^32 + 1) is
// refused with INVALID_ACTION by the batched vector engine as by the sub-env engine — it used to be wrapped modulo
// 2^32 and act as 1 — and the refused batch moves no sub-env. In-process vector envs refuse it the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { Tg4Error, makeVec, type AutoresetMode } from '../../src/core/index.ts';
import type { Tg4Server } from '../../src/server/server.ts';
import { SubEnvEngine, VectorEngine } from '../../src/server/session.ts';
import { RawClient, int64Actions, startServer } from './helpers.ts';

const WRAPS_TO_ONE = 2 ** 32 + 1;

describe('int64 Discrete actions beyond int32', () => {
  let server: Tg4Server;
  let raw: RawClient;
  beforeAll(async () => {
    server = await startServer('tcp');
    raw = new RawClient(server.address);
  });
  afterAll(async () => {
    raw.close();
    await server.stop();
  });

  for (const engine of ['vector', 'sub-env'] as const) {
    it(`the ${engine} engine refuses 2^32 + 1 with INVALID_ACTION and moves no sub-env`, async () => {
      const made = await raw.request({ id: 1, op: 'make', env_id: 'CartPole-v1', num_envs: 2, engine, seed: 3 });
      const session = (made.result as { session: string }).session;
      expect(server.sessions.get(session)!.engine).toBeInstanceOf(engine === 'vector' ? VectorEngine : SubEnvEngine);
      await raw.request({ id: 2, op: 'reset', session });
      const bad = await raw.request({ id: 3, op: 'step', session, actions: int64Actions([WRAPS_TO_ONE, 0]) });
      expect(bad.error).toMatchObject({ code: 'INVALID_ACTION' });
      expect(String((bad.error as { message: string }).message)).toMatch(/sub-env 0 .*Discrete\(2\)/);
      // Out of the space but an int32 (the vector engine's Int32Array path), and as int32 on the wire: refused the same way.
      for (const actions of [
        int64Actions([0, -1]),
        { dtype: 'int32', shape: [2], data: new Uint8Array(Int32Array.of(0, 2).buffer) },
      ]) {
        const r = await raw.request({ id: 3, op: 'step', session, actions });
        expect(r.error).toMatchObject({ code: 'INVALID_ACTION' });
        expect(String((r.error as { message: string }).message)).toMatch(/sub-env 1 .*Discrete\(2\)/);
      }
      // Nothing moved: the next valid step equals an in-process env that never saw the refused batch.
      const ok = await raw.request({ id: 4, op: 'step', session, actions: int64Actions([1, 0]) });
      expect(ok.error).toBeUndefined();
      const local = makeVec('CartPole-v1', { numEnvs: 2, vectorizationMode: 'sync' });
      local.reset({ seed: 3 });
      const l = local.step(Int32Array.of(1, 0));
      const obs = Uint8Array.from((ok.result as { obs: { data: Uint8Array } }).obs.data);
      expect(Array.from(new Float32Array(obs.buffer))).toEqual(Array.from(l.observations));
      await raw.request({ id: 5, op: 'close', session });
    });
  }

  for (const mode of ['next-step', 'same-step', 'disabled'] as AutoresetMode[]) {
    it(`in-process vector envs refuse it too ('${mode}', batched and sync)`, () => {
      for (const id of ['CartPole-v1', 'tg4/Trading-v0']) {
        for (const vectorizationMode of ['auto', 'sync'] as const) {
          const v = makeVec(id, { numEnvs: 2, autoresetMode: mode, vectorizationMode });
          v.reset({ seed: 0 });
          for (const bad of [[WRAPS_TO_ONE, 0], Float64Array.of(WRAPS_TO_ONE, 0)]) {
            let code: string | null = null;
            try {
              v.step(bad);
            } catch (e) {
              code = e instanceof Tg4Error ? e.code : String(e);
            }
            expect(code, `${id} ${vectorizationMode} ${String(bad)}`).toBe('INVALID_ACTION');
          }
          v.close();
        }
      }
    });
  }
});
