// DQN as a training run uses it: the defaults (DQN_DEFAULTS, at the top of dqn.ts), the presets and the train call.
// CartPole-v1 is rl-baselines3-zoo's tuned entry (hyperparams/dqn.yml, 50k steps with SB3); the trading preset is ours.
import type { AlgorithmSpec, Preset } from '../common/algorithm.ts';
import { TRADING_PRESET_ENV_KWARGS } from '../common/trading-preset.ts';
import { PLANTED_LONG_DRAW_BARS, PLANTED_PRESET_ENV_KWARGS } from '../common/planted-preset.ts';
import { DQN_DEFAULTS, checkDqnEnv, trainDqn, type DqnAgent, type DqnConfig } from './dqn.ts';

/** The tg4/Trading-v0 preset's config, also the planted presets'. */
const TRADING_CONFIG: Partial<DqnConfig> = {
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
};

/**
 * The planted-signal markets (envs/planted/): the trading config on the planted presets' env kwargs, with the log-return
 * reward in percent (weight 100). DQN has no reward normalisation: with the plain log return (edges of ~2e-4 a bar) its
 * Q-values sit below the noise of its updates and it reached 0.22 of the oracle; ×10 reached 0.19, ×100 0.82, ×1,000
 * 0.86 (regime, 100k steps). Mean reversion learns more steadily at half the learning rate (0.76–0.93 of the oracle
 * over three seeds at 1e-4, 0.96–1.03 at 5e-5; docs/agents.md).
 */
function plantedPresets(): Record<string, Preset<DqnConfig>> {
  const envKwargs = { ...PLANTED_PRESET_ENV_KWARGS, reward: { log_return: 100 } };
  const longDraw = { ...envKwargs, bars: PLANTED_LONG_DRAW_BARS };
  const base =
    'the trading config (double DQN, target every 1000, ε → 0.05 over 20%), short/flat/long, log-return reward × 100';
  const preset = (what: string, kwargs: Record<string, unknown>, config: Partial<DqnConfig>): Preset<DqnConfig> => ({
    description: `planted ${what}: ${base}; 100,000 steps`,
    totalSteps: 100_000,
    envKwargs: kwargs,
    config,
  });
  return {
    'tg4/PlantedRegime-v0': preset('regime market, lr 1e-4', envKwargs, TRADING_CONFIG),
    'tg4/PlantedMeanRevert-v0': preset('mean-reversion market, lr 5e-5, a five-year training draw', longDraw, {
      ...TRADING_CONFIG,
      learningRate: 5e-5,
    }),
    'tg4/PlantedMomentum-v0': preset('momentum market, lr 1e-4, a five-year training draw', longDraw, TRADING_CONFIG),
  };
}

export const DQN_PRESETS: Readonly<Record<string, Preset<DqnConfig>>> = {
  default: { description: "DQN_DEFAULTS alone (SB3's defaults)", totalSteps: 100_000, config: {} },
  'CartPole-v1': {
    description:
      'rl-zoo CartPole-v1: lr 2.3e-3, batch 64, buffer 100k, learning starts 1000, γ 0.99, target every 10 steps, train every 256 steps × 128 gradient steps, ε → 0.04 over 16%, 256-256 ReLU',
    totalSteps: 50_000,
    config: {
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
      'trading: double DQN, lr 1e-4, batch 64, buffer 100k, learning starts 5000, γ 0.99, target every 1000 steps, train every 4 steps, ε → 0.05 over 20%, 64-64 ReLU, obs normalisation; long/flat levels, turnover penalty',
    totalSteps: 200_000,
    envKwargs: TRADING_PRESET_ENV_KWARGS,
    config: TRADING_CONFIG,
  },
  ...plantedPresets(),
};

export const DQN_SPEC: AlgorithmSpec<DqnConfig, DqnAgent> = {
  name: 'dqn',
  defaults: DQN_DEFAULTS,
  presets: DQN_PRESETS,
  checkEnv: (shape) => checkDqnEnv(shape),
  usesActionMasks: () => false,
  train: trainDqn,
  weights: (agent) => agent.namedWeights(),
};
