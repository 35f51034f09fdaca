// The shared conformance suite: every registered env (built-ins and any added later through envs/index.ts) must pass
// checkEnv, and a batched vector entry point must match a SyncVectorEnv of the same env, in both autoreset modes.
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { checkEnv, getSpec, make, makeVec, registeredIds, flattenInto, flatdim } from '../../src/core/index.ts';
import type { AutoresetMode, Space, VectorActions } from '../../src/core/index.ts';
import { Discrete } from '../../src/core/spaces/discrete.ts';
import { Box } from '../../src/core/spaces/box.ts';

const ids = registeredIds().filter((id) => !id.startsWith('test/'));

/** One batch of actions for N sub-envs in the typed layout the vector API documents. */
function sampleBatch(space: Space, n: number): VectorActions {
  if (space instanceof Discrete) return Int32Array.from({ length: n }, () => space.sample());
  if (space instanceof Box) {
    const out = new Float32Array(n * flatdim(space));
    for (let i = 0; i < n; i++) flattenInto(space, space.sample(), out, i * space.size);
    return out;
  }
  return Array.from({ length: n }, () => space.sample());
}

describe.each(ids)('%s', (id) => {
  it('passes checkEnv', () => {
    const report = checkEnv(() => make(id), { steps: 100, throwOnFailure: false });
    expect(report.failures).toEqual([]);
  });

  const hasVector = getSpec(id).vectorEntryPoint !== undefined;
  for (const mode of ['next-step', 'same-step'] as AutoresetMode[]) {
    it.runIf(hasVector)(`batched vector env equals SyncVectorEnv ('${mode}', 3 sub-envs, 200 steps)`, () => {
      const n = 3;
      const fast = makeVec(id, { numEnvs: n, autoresetMode: mode });
      const sync = makeVec(id, { numEnvs: n, autoresetMode: mode, vectorizationMode: 'sync' });
      expect(fast.obsDim).toBe(sync.obsDim);
      const a = fast.reset({ seed: 123 });
      const b = sync.reset({ seed: 123 });
      expect(Array.from(a.observations)).toEqual(Array.from(b.observations));
      fast.singleActionSpace.seed(9);
      for (let t = 0; t < 200; t++) {
        const actions = sampleBatch(fast.singleActionSpace, n);
        const x = fast.step(actions);
        const y = sync.step(actions);
        const same =
          x.observations.every((v, k) => Object.is(v, y.observations[k])) &&
          x.rewards.every((v, k) => Object.is(v, y.rewards[k])) &&
          x.terminated.every((v, k) => v === y.terminated[k]) &&
          x.truncated.every((v, k) => v === y.truncated[k]);
        if (!same) {
          expect(
            {
              obs: Array.from(x.observations),
              rewards: Array.from(x.rewards),
              term: Array.from(x.terminated),
              trunc: Array.from(x.truncated),
            },
            `step ${t}`,
          ).toEqual({
            obs: Array.from(y.observations),
            rewards: Array.from(y.rewards),
            term: Array.from(y.terminated),
            trunc: Array.from(y.truncated),
          });
        }
      }
      fast.close();
      sync.close();
    });
  }
});
