// Known-good DQN settings. CartPole-v1 is rl-baselines3-zoo's tuned entry (hyperparams/dqn.yml, 50k steps with SB3).
import { DQN_DEFAULTS, type DqnConfig } from './dqn.ts';

export interface DqnPreset {
  description: string;
  totalSteps: number;
  /** Env kwargs the preset was tuned with (the user's --kwargs override them). */
  envKwargs?: Record<string, unknown>;
  config: DqnConfig;
}

export const DQN_PRESETS: Record<string, DqnPreset> = {
  'CartPole-v1': {
    description:
      'rl-zoo CartPole-v1: lr 2.3e-3, batch 64, buffer 100k, learning starts 1000, γ 0.99, target every 10 steps, train every 256 steps × 128 gradient steps, ε → 0.04 over 16%, 256-256 ReLU',
    totalSteps: 50_000,
    config: {
      ...DQN_DEFAULTS,
      nEnvs: 1,
      learningRate: 2.3e-3,
      batchSize: 64,
      bufferSize: 100_000,
      learningStarts: 1000,
      gamma: 0.99,
      targetUpdateInterval: 10,
      trainFreq: 256,
      gradientSteps: 128,
      explorationFraction: 0.16,
      explorationFinalEps: 0.04,
      hidden: [256, 256],
    },
  },
  'tg4/Trading-v0': {
    description:
      'trading: lr 1e-4, batch 64, buffer 100k, learning starts 5000, γ 0.99, target every 1000 steps, train every 4 steps, ε → 0.05 over 20%, 64-64 ReLU, obs normalisation',
    totalSteps: 200_000,
    // Long/flat in half steps (no shorting: measured better out of sample than {short, flat, long}, see docs/agents.md);
    // fees already lower the log return, the turnover penalty discourages churn on top.
    envKwargs: { actionScheme: 'discrete-sized', levels: [0, 0.5, 1], reward: { log_return: 1, turnover: 0.01 } },
    config: {
      ...DQN_DEFAULTS,
      nEnvs: 1,
      learningRate: 1e-4,
      batchSize: 64,
      bufferSize: 100_000,
      learningStarts: 5000,
      gamma: 0.99,
      targetUpdateInterval: 1000,
      trainFreq: 4,
      gradientSteps: 1,
      explorationFraction: 0.2,
      explorationFinalEps: 0.05,
      doubleDqn: true,
      normalizeObs: true,
      hidden: [64, 64],
    },
  },
};
