// register / make / makeVec: spec handling, TimeLimit from the spec, kwargs merging and every bad-input error.
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import {
  register,
  make,
  makeVec,
  registeredIds,
  getSpec,
  TimeLimit,
  Tg4Error,
  SyncVectorEnv,
} from '../../src/core/index.ts';
import { CountdownEnv } from './helpers/toy-envs.ts';

const codeOf = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof Tg4Error ? e.code : String(e);
  }
};

describe('registry', () => {
  register({
    id: 'test/Countdown-v0',
    entryPoint: (kw) => new CountdownEnv(kw['length'] as number),
    kwargs: { length: 4 },
    maxEpisodeSteps: 3,
  });

  it('make merges kwargs over the spec, sets env.spec and wraps a TimeLimit', () => {
    const env = make('test/Countdown-v0');
    expect(env).toBeInstanceOf(TimeLimit);
    expect((env as TimeLimit<unknown, unknown>).maxEpisodeSteps).toBe(3);
    expect((env.unwrapped as CountdownEnv).length).toBe(4);
    expect(env.spec?.id).toBe('test/Countdown-v0');
    expect((make('test/Countdown-v0', { length: 9 }).unwrapped as CountdownEnv).length).toBe(9);
    expect(make('test/Countdown-v0', {}, { maxEpisodeSteps: null })).toBeInstanceOf(CountdownEnv);
    expect((make('test/Countdown-v0', {}, { maxEpisodeSteps: 7 }) as TimeLimit<unknown, unknown>).maxEpisodeSteps).toBe(
      7,
    );
    expect(registeredIds()).toEqual(expect.arrayContaining(['CartPole-v1', 'test/Countdown-v0']));
    expect(getSpec('CartPole-v1').rewardThreshold).toBe(475);
  });

  it('unknown ids list what is registered', () => {
    expect(codeOf(() => make('NoSuchEnv-v0'))).toBe('UNKNOWN_ENV');
    expect(() => make('NoSuchEnv-v0')).toThrow(/Registered ids: .*CartPole-v1.*test\/Countdown-v0/);
    expect(() => getSpec('cartpole-v0')).toThrow(/Did you mean CartPole-v1/);
    expect(codeOf(() => makeVec('Nope-v1', { numEnvs: 2 }))).toBe('UNKNOWN_ENV');
  });

  it('bad registrations are INVALID_ARGUMENT with the fix', () => {
    expect(() => register({ id: 'CartPole-v1', entryPoint: () => new CountdownEnv() })).toThrow(
      /already registered.*override: true/,
    );
    expect(() => register({ id: 'has spaces-v0', entryPoint: () => new CountdownEnv() })).toThrow(/malformed/);
    expect(() => register({ id: 'X-v0', entryPoint: 3 as never })).toThrow(/entryPoint must be a function/);
    expect(() => register({ id: 'X-v0', entryPoint: () => new CountdownEnv(), maxEpisodeSteps: -2 })).toThrow(
      /maxEpisodeSteps/,
    );
    register({ id: 'test/NotAnEnv-v0', entryPoint: () => ({ hello: 1 }) });
    expect(() => make('test/NotAnEnv-v0')).toThrow(/did not return an env/);
    register({ id: 'test/Countdown-v0', entryPoint: () => new CountdownEnv(2) }, { override: true });
    expect(make('test/Countdown-v0')).toBeInstanceOf(CountdownEnv);
  });

  it('makeVec without a vector entry point builds a SyncVectorEnv of made envs', () => {
    register({ id: 'test/Countdown-v1', entryPoint: () => new CountdownEnv(5), maxEpisodeSteps: 2 });
    const v = makeVec('test/Countdown-v1', { numEnvs: 3, autoresetMode: 'same-step' });
    expect(v).toBeInstanceOf(SyncVectorEnv);
    expect(v.autoresetMode).toBe('same-step');
    v.reset({ seed: 0 });
    v.step([0, 0, 0]);
    expect(Array.from(v.step([0, 0, 0]).truncated)).toEqual([1, 1, 1]); // the spec's TimeLimit applies to each sub-env
    expect(() => makeVec('test/Countdown-v1', { numEnvs: 2, vectorizationMode: 'vector_entry_point' })).toThrow(
      /no vectorEntryPoint/,
    );
    expect(() => makeVec('test/Countdown-v1', { numEnvs: 2, vectorizationMode: 'fast' as never })).toThrow(
      /vectorizationMode/,
    );
  });
});
