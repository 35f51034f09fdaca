// Each wrapper against an independent computation of what it should do.
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import {
  TimeLimit,
  RecordEpisodeStatistics,
  NormalizeObservation,
  NormalizeReward,
  ClipAction,
  FlattenObservation,
  RewardWrapper,
  ObservationWrapper,
  Box,
  Dict,
  Discrete,
  Env,
  Rng,
  make,
  Tg4Error,
} from '../../src/core/index.ts';
import type { ResetResult, StepResult, EpisodeStatistics } from '../../src/core/index.ts';
import { CountdownEnv, SumEnv } from './helpers/toy-envs.ts';

const codeOf = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof Tg4Error ? e.code : String(e);
  }
};

describe('TimeLimit', () => {
  it('truncates at maxEpisodeSteps, then requires a reset', () => {
    const env = new TimeLimit(new CountdownEnv(100), 3);
    env.reset({ seed: 0 });
    expect(env.step(0).truncated).toBe(false);
    expect(env.step(0).truncated).toBe(false);
    const r = env.step(0);
    expect(r.truncated).toBe(true);
    expect(r.terminated).toBe(false);
    expect(env.elapsedSteps).toBe(3);
    expect(codeOf(() => env.step(0))).toBe('RESET_NEEDED');
    env.reset();
    expect(env.step(0).truncated).toBe(false);
  });
  it('passes an earlier termination through, and both flags when they coincide', () => {
    const env = new TimeLimit(new CountdownEnv(2), 5);
    env.reset({ seed: 0 });
    env.step(0);
    const r = env.step(0);
    expect([r.terminated, r.truncated]).toEqual([true, false]);
    const both = new TimeLimit(new CountdownEnv(2), 2);
    both.reset({ seed: 0 });
    both.step(0);
    const r2 = both.step(0);
    expect([r2.terminated, r2.truncated]).toEqual([true, true]);
    expect(codeOf(() => new TimeLimit(new CountdownEnv(), 0))).toBe('INVALID_ARGUMENT');
  });
});

describe('RecordEpisodeStatistics', () => {
  it('adds info.episode {r, l, t} at the end of each episode and keeps the last bufferLength', () => {
    const env = new RecordEpisodeStatistics(new CountdownEnv(3), 2);
    env.reset({ seed: 0 });
    expect(env.step(2).info['episode']).toBeUndefined();
    env.step(0);
    const last = env.step(1);
    const ep = last.info['episode'] as EpisodeStatistics;
    expect(ep.r).toBe(3 + 1 + 2);
    expect(ep.l).toBe(3);
    expect(ep.t).toBeGreaterThanOrEqual(0);
    expect(last.info['left']).toBe(0); // the inner info is kept
    for (let e = 0; e < 2; e++) {
      env.reset();
      env.step(0);
      env.step(0);
      env.step(0);
    }
    expect(env.returnQueue).toEqual([3, 3]);
    expect(env.lengthQueue).toEqual([3, 3]);
    expect(env.episodeCount).toBe(3);
  });
});

describe('NormalizeObservation', () => {
  it('normalizes with the running mean/variance (checked against a two-pass computation)', () => {
    const env = new NormalizeObservation(new SumEnv(1000));
    const raw: number[][] = [];
    env.reset({ seed: 0 });
    raw.push([0, 0]);
    const rng = new Rng(1);
    let last: Float32Array = new Float32Array(2);
    for (let t = 0; t < 300; t++) {
      const a = Float32Array.of(rng.uniform(-1, 1), rng.uniform(0, 1));
      last = env.step(a).observation;
      raw.push(Array.from((env.env as SumEnv).total, Math.fround));
    }
    for (let k = 0; k < 2; k++) {
      const xs = raw.map((r) => r[k]!);
      const n = xs.length + 1e-4;
      const mean = xs.reduce((s, v) => s + v, 0) / n;
      // Gymnasium's count starts at epsilon with var 1: the prior contributes 1e-4 · (1 + mean²) to the second moment.
      const m2 = xs.reduce((s, v) => s + (v - mean) ** 2, 0) + 1e-4 * (1 + mean * mean);
      const expected = (xs[xs.length - 1]! - mean) / Math.sqrt(m2 / n + 1e-8);
      expect(last[k]).toBeCloseTo(expected, 3);
    }
    expect(env.observationSpace.contains(Float32Array.of(1e30, -1e30))).toBe(true);
  });
  it('freezes when updateRunningMean is false, and refuses non-Box observations', () => {
    const env = new NormalizeObservation(new SumEnv(1000));
    env.reset({ seed: 0 });
    for (let t = 0; t < 20; t++) env.step(Float32Array.of(1, 1));
    env.updateRunningMean = false;
    const mean = Array.from(env.obsRms.mean);
    env.step(Float32Array.of(1, 1));
    expect(Array.from(env.obsRms.mean)).toEqual(mean);
    expect(() => new NormalizeObservation(new FakeDictEnv() as never)).toThrow(/needs a Box observation space/);
  });
});

describe('NormalizeReward', () => {
  it('divides by the std of the discounted return (independent computation)', () => {
    const gamma = 0.9;
    const env = new NormalizeReward(new CountdownEnv(4), gamma);
    env.reset({ seed: 0 });
    const rng = new Rng(3);
    let ret = 0;
    const returns: number[] = [];
    for (let t = 0; t < 400; t++) {
      const a = rng.integer(3);
      const r = env.step(a);
      ret = ret * gamma * (r.terminated ? 0 : 1) + (a + 1);
      returns.push(ret);
      const n = returns.length + 1e-4;
      const mean = returns.reduce((s, v) => s + v, 0) / n;
      const m2 = returns.reduce((s, v) => s + (v - mean) ** 2, 0) + 1e-4 * (1 + mean * mean);
      expect(r.reward).toBeCloseTo((a + 1) / Math.sqrt(m2 / n + 1e-8), 6);
      if (r.terminated) env.reset();
    }
    expect(codeOf(() => new NormalizeReward(new CountdownEnv(), 1.5))).toBe('INVALID_ARGUMENT');
  });
});

describe('ClipAction', () => {
  it('clips into the inner Box, exposes an unbounded Box, still rejects NaN and wrong shapes', () => {
    const inner = new SumEnv();
    const env = new ClipAction(inner);
    expect(String(env.actionSpace)).toBe('Box(-inf, inf, (2,), float32)');
    env.reset({ seed: 0 });
    env.step([5, -0.25]);
    expect(inner.lastAction).toEqual([1, -0.25]);
    env.step(Float64Array.of(-3, 3));
    expect(inner.lastAction).toEqual([-1, 1]);
    expect(codeOf(() => env.step([Number.NaN, 0]))).toBe('INVALID_ACTION');
    expect(() => env.step([1, 2, 3])).toThrow(/shape of Box\(-1\.0, 1\.0, \(2,\), float32\)/);
    expect(() => new ClipAction(new CountdownEnv() as never)).toThrow(/needs a Box action space/);
  });
});

class FakeDictEnv extends Env<Record<string, unknown>, number> {
  readonly observationSpace = new Dict({ pos: new Box(-1, 1, [2]), mode: new Discrete(3) });
  readonly actionSpace = new Discrete(3);
  protected resetEpisode(): ResetResult<Record<string, unknown>> {
    return { observation: { pos: Float32Array.of(0.5, -0.5), mode: 0 }, info: {} };
  }
  protected stepEpisode(a: number): StepResult<Record<string, unknown>> {
    return {
      observation: { pos: Float32Array.of(0, 0), mode: a },
      reward: 0,
      terminated: false,
      truncated: false,
      info: {},
    };
  }
}

describe('FlattenObservation and one-method wrappers', () => {
  it('flattens a Dict observation into a Float32Array (keys sorted, Discrete one-hot)', () => {
    const env = new FlattenObservation(new FakeDictEnv());
    expect(env.observationSpace.shape).toEqual([5]);
    const obs = env.reset({ seed: 0 }).observation;
    expect(Array.from(obs)).toEqual([1, 0, 0, 0.5, -0.5]);
    expect(Array.from(env.step(2).observation)).toEqual([0, 0, 1, 0, 0]);
    expect(env.observationSpace.contains(obs)).toBe(true);
  });

  it('a custom reward or observation wrapper overrides one method and composes', () => {
    class Double<O, A> extends RewardWrapper<O, A> {
      reward(r: number): number {
        return 2 * r;
      }
    }
    class Negate<A> extends ObservationWrapper<Float32Array, A, Float32Array> {
      observation(o: Float32Array): Float32Array {
        return o.map((v) => -v);
      }
    }
    const env = new Negate(new Double(make<Float32Array, number>('CartPole-v1')));
    const first = env.reset({ seed: 4 }).observation;
    const plain = make<Float32Array, number>('CartPole-v1');
    expect(Array.from(first)).toEqual(Array.from(plain.reset({ seed: 4 }).observation, (v) => -v));
    const r = env.step(1);
    expect(r.reward).toBe(2);
    expect(Array.from(r.observation)).toEqual(Array.from(plain.step(1).observation, (v) => -v));
    expect(env.unwrapped.constructor.name).toBe('CartPoleEnv');
    expect(String(env)).toMatch(/^Negate<Double<TimeLimit</);
  });
});
