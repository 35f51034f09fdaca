// The core's one autoreset beyond the whole-batch step: 'disabled' mode (a finished sub-env waits for the caller's
// reset), steps and resets of a subset of sub-envs (env ids, EnvPool's send/recv), seeds for subsets, and the batched
// envs (CartPole, Trading) equal to a SyncVectorEnv bit for bit under random subsets in all three modes.
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { Rng, SyncVectorEnv, Tg4Error, make, makeVec } from '../../src/core/index.ts';
import type { AutoresetMode, VectorEnv, VectorStepResult } from '../../src/core/index.ts';
import { CountdownEnv } from './helpers/toy-envs.ts';

const rows = (obs: Float32Array, d: number): number[][] =>
  Array.from({ length: obs.length / d }, (_, i) => Array.from(obs.subarray(i * d, i * d + d)));
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return e instanceof Tg4Error ? `${e.code}: ${e.message}` : String(e);
  }
};

describe("'disabled' autoreset", () => {
  it('a finished sub-env refuses to step (RESET_NEEDED, naming it, nothing moves) until reset by env id', () => {
    const envs = [new CountdownEnv(2), new CountdownEnv(3)];
    const v = new SyncVectorEnv(envs, { autoresetMode: 'disabled' });
    expect(v.autoresetMode).toBe('disabled');
    v.reset({ seed: 0 });
    v.step([1, 1]);
    const s = v.step([0, 0]);
    expect(Array.from(s.terminated)).toEqual([1, 0]);
    expect(s.observations[0]).toBe(0); // the terminal observation stays in the row: no reset happened
    expect(s.infos[0]).toEqual({ left: 0 });
    expect(errorOf(() => v.step([0, 0]))).toMatch(
      /^RESET_NEEDED: sub-env 0 has not been reset since its episode ended \(autoreset 'disabled'\)/,
    );
    expect(envs[1]!.resets).toBe(1);
    expect(rows(v.step([2], [1]).observations, 3)[1]!.slice(0, 2)).toEqual([0, 2]); // sub-env 1 alone still steps
    const before1 = rows(s.observations, 3)[1];
    const r = v.reset({ envIds: [0] });
    expect(r.observations[0]).toBe(2);
    expect(r.infos[0]).toEqual({ reset: 2 });
    expect(rows(r.observations, 3)[1]).toEqual(before1); // the other row keeps its values
    expect(envs.map((e) => e.resets)).toEqual([2, 1]);
    expect(errorOf(() => v.step([0, 0]))).toMatch(/^RESET_NEEDED: sub-env 1 /); // sub-env 1 ended meanwhile
    v.reset({ envIds: [1] });
    expect(Array.from(v.step([0, 0]).rewards)).toEqual([1, 1]);
  });

  it('makeVec gives disabled mode to the batched envs too', () => {
    expect(makeVec('CartPole-v1', { numEnvs: 2, autoresetMode: 'disabled' }).autoresetMode).toBe('disabled');
    expect(errorOf(() => new SyncVectorEnv([() => new CountdownEnv()], { autoresetMode: 'never' as never }))).toMatch(
      /^INVALID_ARGUMENT: autoresetMode must be 'next-step', 'same-step' or 'disabled'/,
    );
  });
});

describe('subsets of sub-envs (env ids)', () => {
  it('steps only the named sub-envs, row r of the actions going to the r-th named one; other rows keep their values', () => {
    const envs = [new CountdownEnv(5), new CountdownEnv(5), new CountdownEnv(5)];
    const v = new SyncVectorEnv(envs);
    v.reset({ seed: 3 });
    const s = v.step(Int32Array.of(2, 1), [2, 0]);
    expect(rows(s.observations, 3).map((r) => r.slice(0, 2))).toEqual([
      [4, 1],
      [5, 0],
      [4, 2],
    ]);
    expect(Array.from(s.rewards)).toEqual([2, 0, 3]);
    expect(s.infos[1]).toEqual({ reset: 1 }); // untouched: still the reset's info
    expect(v.step([0], [1]).observations[3]).toBe(4);
  });

  it('next-step and same-step autoreset work per sub-env across subset steps', () => {
    const next = new SyncVectorEnv([new CountdownEnv(1), new CountdownEnv(4)]);
    next.reset({ seed: 0 });
    expect(next.step([0], [0]).terminated[0]).toBe(1);
    next.step([0], [1]); // sub-env 0 is not named: it stays pending
    const s = next.step([2], [0]); // its next step is the reset: action ignored, reward 0
    expect([s.rewards[0], s.terminated[0], s.observations[0]]).toEqual([0, 0, 1]);
    expect(s.infos[0]).toEqual({ reset: 2 });

    const same = new SyncVectorEnv([new CountdownEnv(1), new CountdownEnv(4)], { autoresetMode: 'same-step' });
    same.reset({ seed: 0 });
    const t = same.step([1], [0]);
    expect([t.rewards[0], t.terminated[0], t.observations[0]]).toEqual([2, 1, 1]);
    expect(Array.from(t.infos[0]!.final_observation as Float32Array).slice(0, 2)).toEqual([0, 1]);
  });

  it('refuses bad env ids (INVALID_ARGUMENT), wrong row counts and bad actions (INVALID_ACTION), moving nothing', () => {
    const envs = [new CountdownEnv(5), new CountdownEnv(5), new CountdownEnv(5)];
    const v = new SyncVectorEnv(envs);
    v.reset({ seed: 0 });
    expect(errorOf(() => v.step([0], [3]))).toMatch(/^INVALID_ARGUMENT: env_ids holds 3, but there are sub-envs 0..2/);
    expect(errorOf(() => v.step([0, 0], [1, 1]))).toMatch(/^INVALID_ARGUMENT: env_ids names sub-env 1 twice/);
    expect(errorOf(() => v.step([], []))).toMatch(/^INVALID_ARGUMENT: env_ids is empty/);
    expect(errorOf(() => v.step([0, 0], [1]))).toMatch(/^INVALID_ACTION: expected an array of 1 actions/);
    expect(errorOf(() => v.step(Int32Array.of(0, 7), [0, 2]))).toMatch(
      /^INVALID_ACTION: action 7 for sub-env 2 is not in the action space Discrete\(3\)/,
    );
    expect(errorOf(() => v.reset({ envIds: [-1] }))).toMatch(/^INVALID_ARGUMENT/);
    expect(envs.map((e) => e.resets)).toEqual([1, 1, 1]);
    expect(Array.from(v.step([0, 0, 0]).observations.filter((_, k) => k % 3 === 0))).toEqual([4, 4, 4]);
  });

  it('a sub-env never reset refuses to step, naming it; resets of subsets take seed + i or one seed each', () => {
    const v = new SyncVectorEnv([() => new CountdownEnv(), () => new CountdownEnv(), () => new CountdownEnv()]);
    expect(errorOf(() => v.step([0, 0, 0]))).toMatch(/^RESET_NEEDED: step\(\) was called before reset\(\)/);
    v.reset({ seed: 10, envIds: [2] });
    expect(errorOf(() => v.step([0], [1]))).toMatch(/^RESET_NEEDED: sub-env 1 was never reset/);
    const noise = (seed: number): number => new CountdownEnv().reset({ seed }).observation[2]!;
    const r0 = v.reset({ seed: 10, envIds: [2] });
    expect(r0.observations[8]).toBe(noise(12));
    const r1 = v.reset({ seed: [7, null], envIds: [0, 2] });
    expect(r1.observations[2]).toBe(noise(7));
    const continued = new CountdownEnv();
    continued.reset({ seed: 12 });
    continued.reset({ seed: 12 });
    expect(r1.observations[8]).toBe(continued.reset().observation[2]); // null: sub-env 2 continued its stream
    expect(errorOf(() => v.reset({ seed: [1, 2, 3], envIds: [0, 1] }))).toMatch(
      /^INVALID_ARGUMENT: seed must be a number or an array of 2 seeds \(one per reset sub-env\)/,
    );
  });
});

/** Steps two vector envs with the same random subsets and actions; resets ended sub-envs by id in 'disabled' mode. */
function compareUnderSubsets(
  id: string,
  mode: AutoresetMode,
  n: number,
  steps: number,
  seed: number,
  kwargs: Record<string, unknown> = {},
): number {
  const fast: VectorEnv = makeVec(id, { numEnvs: n, autoresetMode: mode, kwargs });
  const sync: VectorEnv = makeVec(id, { numEnvs: n, autoresetMode: mode, kwargs, vectorizationMode: 'sync' });
  const same = (x: Float32Array | Uint8Array, y: Float32Array | Uint8Array): boolean =>
    x.every((v, k) => Object.is(v, y[k]));
  const check = (a: VectorStepResult | { observations: Float32Array }, b: typeof a, what: string): void => {
    const ok =
      same(a.observations, b.observations) &&
      (!('rewards' in a) ||
        (same(a.rewards, (b as VectorStepResult).rewards) &&
          same(a.terminated, (b as VectorStepResult).terminated) &&
          same(a.truncated, (b as VectorStepResult).truncated)));
    if (!ok) expect({ ...a, infos: null }, what).toEqual({ ...b, infos: null });
  };
  check(fast.reset({ seed }), sync.reset({ seed }), 'reset');
  const rng = new Rng(seed);
  fast.singleActionSpace.seed(seed);
  let ends = 0;
  for (let t = 0; t < steps; t++) {
    // Every third step is a whole-batch step (the batched env's own loop), the others random subsets in random order.
    const ids = Array.from({ length: n }, (_, i) => i).filter(() => t % 3 === 0 || rng.random() < 0.6);
    if (ids.length === 0) ids.push(rng.integer(n));
    for (let k = ids.length - 1; k > 0; k--) {
      const j = rng.integer(k + 1);
      [ids[k], ids[j]] = [ids[j]!, ids[k]!];
    }
    const actions = Int32Array.from(ids, () => fast.singleActionSpace.sample() as number);
    const a = t % 3 === 0 ? fast.step(actions) : fast.step(actions, ids);
    const b = t % 3 === 0 ? sync.step(actions) : sync.step(actions, ids);
    check(a, b, `step ${t} ids ${ids.join(',')}`);
    // Same-step final observations agree too (CartPole's infos agree whole; the batched trading env's infos are lean).
    for (const i of ids) {
      const fo = b.infos[i]!.final_observation as Float32Array | undefined;
      if (fo !== undefined) expect(Array.from(a.infos[i]!.final_observation as Float32Array)).toEqual(Array.from(fo));
      if (fo !== undefined && id === 'CartPole-v1') expect(a.infos[i]).toEqual(b.infos[i]);
    }
    const ended = ids.filter((i) => b.terminated[i] === 1 || b.truncated[i] === 1);
    ends += ended.length;
    if (mode === 'disabled' && ended.length > 0) {
      check(fast.reset({ envIds: ended }), sync.reset({ envIds: ended }), `reset of ${ended.join(',')}`);
    }
  }
  fast.close();
  sync.close();
  return ends;
}

describe('batched envs equal SyncVectorEnv under random subsets', () => {
  for (const mode of ['next-step', 'same-step', 'disabled'] as AutoresetMode[]) {
    it(`CartPole-v1, '${mode}': 5 sub-envs, 1500 subset steps, bit for bit`, () => {
      expect(compareUnderSubsets('CartPole-v1', mode, 5, 1500, 21)).toBeGreaterThan(20);
    });
    it(`tg4/Trading-v0, '${mode}': 4 sub-envs, 300 subset steps of 40-bar episodes, bit for bit`, () => {
      expect(compareUnderSubsets('tg4/Trading-v0', mode, 4, 300, 5, { episodeLength: 40 })).toBeGreaterThan(10);
    });
  }
});

describe('declared optional members', () => {
  it('featureSpecHash: the trading envs declare it (single, batched, sync through wrappers); CartPole has none', () => {
    const single = make('tg4/Trading-v0');
    const hash = single.featureSpecHash;
    expect(typeof hash).toBe('string');
    expect(makeVec('tg4/Trading-v0', { numEnvs: 2 }).featureSpecHash).toBe(hash);
    expect(makeVec('tg4/Trading-v0', { numEnvs: 2, vectorizationMode: 'sync' }).featureSpecHash).toBe(hash);
    expect(makeVec('CartPole-v1', { numEnvs: 2 }).featureSpecHash ?? null).toBeNull();
    expect(make('CartPole-v1').featureSpecHash ?? null).toBeNull();
  });

  it('actionMasks: declared by the discrete trading vector env, absent on CartPole', () => {
    const v = makeVec('tg4/Trading-v0', { numEnvs: 2 });
    v.reset({ seed: 0 });
    expect(v.actionMasks?.()).toBeInstanceOf(Uint8Array);
    expect(makeVec('CartPole-v1', { numEnvs: 2 }).actionMasks).toBeUndefined();
  });
});
