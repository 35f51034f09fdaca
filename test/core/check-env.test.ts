// checkEnv passes real envs and catches each kind of deliberately broken env under the right named check.
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import {
  checkEnv,
  make,
  EnvCheckError,
  FlattenObservation,
  NormalizeObservation,
  RecordEpisodeStatistics,
  Dict,
  Box,
  Discrete,
  Env,
} from '../../src/core/index.ts';
import type { CheckName, ResetResult, StepResult } from '../../src/core/index.ts';
import { BrokenEnv, CountdownEnv, type Breakage } from './helpers/toy-envs.ts';

const failedChecks = (breakage: Breakage): string[] =>
  checkEnv(() => new BrokenEnv(breakage), { throwOnFailure: false, steps: 30 }).failures.map((f) => f.check);

describe('checkEnv on good envs', () => {
  it('passes CartPole-v1 (instance and factory) with every check passed', () => {
    const report = checkEnv(() => make('CartPole-v1'));
    expect(report.ok).toBe(true);
    expect(report.results.map((r) => r.check)).toHaveLength(14);
    expect(report.results.filter((r) => r.status !== 'passed')).toEqual([]);
    expect(checkEnv(make('CartPole-v1')).ok).toBe(true);
  });

  it('passes wrapped envs and the reference broken-env with no breakage', () => {
    expect(checkEnv(() => new RecordEpisodeStatistics(make('CartPole-v1'))).ok).toBe(true);
    const frozen = (): NormalizeObservation<number> => {
      const w = new NormalizeObservation(make<Float32Array, number>('CartPole-v1'));
      w.updateRunningMean = false;
      return w;
    };
    expect(checkEnv(frozen).ok).toBe(true);
    // Updating running statistics make the same seed give different observations: the checker says so.
    const live = checkEnv(() => new NormalizeObservation(make<Float32Array, number>('CartPole-v1')), {
      throwOnFailure: false,
    });
    expect(live.failures.map((f) => f.check)).toContain('reset-is-deterministic');
    expect(checkEnv(() => new CountdownEnv(4)).ok).toBe(true);
    expect(checkEnv(() => new BrokenEnv('none')).ok).toBe(true);
  });

  it('passes an env with a Dict observation, and its flattened form', () => {
    class DictEnv extends Env<Record<string, unknown>, number> {
      readonly observationSpace = new Dict({ pos: new Box(-1, 1, [2]), mode: new Discrete(3) });
      readonly actionSpace = new Discrete(2);
      private n = 0;
      protected resetEpisode(): ResetResult<Record<string, unknown>> {
        this.n = 0;
        return { observation: { pos: Float32Array.of(this.npRandom.uniform(-1, 1), 0), mode: 0 }, info: {} };
      }
      protected stepEpisode(a: number): StepResult<Record<string, unknown>> {
        this.n++;
        return {
          observation: { pos: Float32Array.of(0, a), mode: this.n % 3 },
          reward: a,
          terminated: this.n >= 4,
          truncated: false,
          info: {},
        };
      }
    }
    expect(checkEnv(() => new DictEnv()).ok).toBe(true);
    expect(checkEnv(() => new FlattenObservation(new DictEnv())).ok).toBe(true);
  });
});

describe('checkEnv catches broken envs', () => {
  const cases: [Breakage, CheckName, RegExp][] = [
    ['obs-out-of-bounds', 'reset-observation-in-space', /element 1 = 5 is outside/],
    ['obs-wrong-dtype', 'reset-observation-in-space', /dtype mismatch: got a Float64Array/],
    ['obs-wrong-shape', 'step-observation-in-space', /shape mismatch: got 3 values/],
    ['obs-nan', 'step-observation-in-space', /element 1 is NaN/],
    ['reset-ignores-seed', 'reset-is-deterministic', /reset\(\{ seed: 0 \}\) twice/],
    ['accepts-invalid-actions', 'invalid-action-rejected', /was accepted/],
    ['old-gym-tuple', 'step-signature', /must return \{ observation, reward, terminated, truncated, info \}/],
    ['numeric-flags', 'step-signature', /terminated must be a boolean/],
    ['nan-reward', 'step-signature', /reward must be a finite number/],
    ['no-reset-needed', 'step-after-end-rejected', /must throw RESET_NEEDED, it returned normally/],
    ['vague-invalid-action', 'invalid-action-rejected', /should name the space Discrete\(2\)/],
    [
      'plain-error-on-invalid-action',
      'invalid-action-rejected',
      /threw TypeError: cannot read action; expected an INVALID_ACTION/,
    ],
    ['bad-space-json', 'spaces-describe-themselves', /Box low has 1 elements but the shape holds 3/],
    ['reset-returns-obs-only', 'reset-signature', /no observation field/],
  ];
  for (const [breakage, check, message] of cases) {
    it(`${breakage} → fails ${check}`, () => {
      const report = checkEnv(() => new BrokenEnv(breakage), { throwOnFailure: false, steps: 30 });
      const failure = report.failures.find((f) => f.check === check);
      expect(failure, JSON.stringify(report.failures)).toBeDefined();
      expect(failure!.message).toMatch(message);
    });
  }

  it('throws EnvCheckError (ENV_CHECK_FAILED) listing every failed check by default', () => {
    let err: unknown;
    try {
      checkEnv(() => new BrokenEnv('obs-wrong-dtype'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvCheckError);
    expect((err as EnvCheckError).code).toBe('ENV_CHECK_FAILED');
    expect((err as EnvCheckError).failures.map((f) => f.check)).toEqual(failedChecks('obs-wrong-dtype'));
    expect((err as Error).message).toContain('[reset-observation-in-space]');
  });

  it('a non-env is a failure, not a crash', () => {
    const report = checkEnv({} as never, { throwOnFailure: false });
    expect(report.ok).toBe(false);
    expect(report.failures[0]!.message).toMatch(/not an env/);
  });

  it('step-before-reset needs a factory and catches an env that steps unreset', () => {
    expect(
      checkEnv(new BrokenEnv('none'), { throwOnFailure: false }).results.find(
        (r) => r.check === 'step-before-reset-rejected',
      )!.status,
    ).toBe('skipped');
    expect(failedChecks('no-reset-needed')).toContain('step-after-end-rejected');
  });
});
