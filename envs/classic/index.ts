// Registers the classic-control envs (so far CartPole-v1) with the core registry.
import { register, registeredIds } from '../../src/core/registry.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { CARTPOLE_OPTION_NAMES, CartPoleEnv, type CartPoleOptions } from './cartpole.ts';
import { CartPoleVectorEnv } from './cartpole-vector.ts';
import { MAX_EPISODE_STEPS, REWARD_THRESHOLD } from './cartpole-physics.ts';

export { CartPoleEnv, cartPoleObservationSpace } from './cartpole.ts';
export { CartPoleVectorEnv } from './cartpole-vector.ts';

export function registerClassicEnvs(): void {
  if (registeredIds().includes('CartPole-v1')) return;
  register({
    id: 'CartPole-v1',
    entryPoint: (kwargs) => new CartPoleEnv(kwargs as CartPoleOptions),
    vectorEntryPoint: ({ numEnvs, autoresetMode, kwargs }) => {
      const extra = Object.keys(kwargs).filter((k) => !CARTPOLE_OPTION_NAMES.includes(k));
      if (extra.length > 0)
        throw new InvalidArgumentError(
          `CartPole-v1 has no option ${extra.join(', ')}: accepted options are ${CARTPOLE_OPTION_NAMES.join(', ')}`,
        );
      if (kwargs['renderMode'] !== undefined && kwargs['renderMode'] !== null) {
        throw new InvalidArgumentError(
          'the batched CartPole-v1 vector env does not render: drop renderMode or use vectorizationMode "sync"',
        );
      }
      return new CartPoleVectorEnv({
        numEnvs,
        autoresetMode,
        maxEpisodeSteps: MAX_EPISODE_STEPS,
        suttonBartoReward: kwargs['suttonBartoReward'] as boolean | undefined,
      });
    },
    maxEpisodeSteps: MAX_EPISODE_STEPS,
    rewardThreshold: REWARD_THRESHOLD,
    description:
      'Balance a pole on a cart (Gymnasium CartPole-v1, exact dynamics): Discrete(2) actions, 4 float32 observations.',
  });
}
