// Bad input gets a typed error with the reason: DQN on Box actions, unknown presets/agents/backends, a missing native
// backend (with install instructions), a non-same-step vector env.
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { makeVec } from '../../src/core/registry.ts';
import { selectBackend, parseBackendName } from '../../agents/common/backend.ts';
import { ALGORITHMS, parseAlgo, runTraining } from '../../agents/common/train-run.ts';
import { resolvePreset } from '../../agents/common/algorithm.ts';
import { trainPpo, PPO_DEFAULTS } from '../../agents/ppo/ppo.ts';
import { makeSchedule, parseSchedule, linearFraction } from '../../agents/common/schedules.ts';

describe('refusals', () => {
  it('DQN on a Box action space is refused with the reason, before any training', async () => {
    await expect(
      runTraining({
        envId: 'tg4/Trading-v0',
        agent: 'dqn',
        seed: 0,
        steps: 100,
        dryRun: true,
        envKwargs: { actionScheme: 'continuous' },
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_SPACE',
      message: expect.stringMatching(/DQN needs a Discrete action space.*Box.*--agent ppo/),
    });
  });

  it('the tensorflow backend without tfjs-node says how to install it and that the GPU build needs CUDA', async () => {
    await expect(selectBackend('tensorflow')).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: expect.stringMatching(/npm install @tensorflow\/tfjs-node.*CUDA/s),
    });
  });

  it('unknown names are INVALID_ARGUMENT listing the choices', () => {
    expect(() => parseBackendName('gpu')).toThrow(/wasm, cpu, tensorflow/);
    expect(() => parseAlgo('sac')).toThrow(/ppo or dqn/);
    expect(() => resolvePreset(ALGORITHMS.ppo, 'CartPole-v1', 'nope')).toThrow(/default, CartPole-v1/);
    expect(() => resolvePreset(ALGORITHMS.dqn, 'CartPole-v1', undefined, { nSteps: 8 })).toThrow(
      /'nSteps' is not a dqn hyperparameter; valid: nEnvs, learningRate/,
    );
  });

  it('PPO needs same-step autoreset (to bootstrap truncations) and a matching nEnvs', async () => {
    const next = makeVec('CartPole-v1', { numEnvs: 2, autoresetMode: 'next-step' });
    await expect(trainPpo(next, 64, 0, { ...PPO_DEFAULTS, nEnvs: 2, nSteps: 8 })).rejects.toThrow(/same-step/);
    const same = makeVec('CartPole-v1', { numEnvs: 2, autoresetMode: 'same-step' });
    await expect(trainPpo(same, 64, 0, { ...PPO_DEFAULTS, nEnvs: 4 })).rejects.toThrow(/nEnvs 4.*2 sub-envs/);
  });

  it('schedules: linear decays to 0, rl-zoo strings parse, bad specs are refused', () => {
    const lin = makeSchedule(parseSchedule('lin_0.001'));
    expect(lin(1)).toBeCloseTo(0.001, 12);
    expect(lin(0.5)).toBeCloseTo(0.0005, 12);
    expect(lin(0)).toBe(0);
    expect(makeSchedule(0.2)(0.3)).toBe(0.2);
    expect(() => parseSchedule('fast')).toThrow(/lin_<start>/);
    const eps = linearFraction(1, 0.04, 0.16);
    expect(eps(1)).toBe(1);
    expect(eps(1 - 0.08)).toBeCloseTo(0.52, 12);
    expect(eps(0.5)).toBe(0.04);
  });
});
