// The trading envs: registration with the core registry (make / makeVec) and the public API of envs/trading.
import { register, registeredIds } from '../../src/core/registry.ts';
import { TradingEnv } from './trading-env.ts';
import { PortfolioEnv } from './portfolio-env.ts';
import { TradingVectorEnv } from './trading-vector-env.ts';

export { TradingEnv, type TradingAction } from './trading-env.ts';
export { PortfolioEnv } from './portfolio-env.ts';
export { TradingVectorEnv, type TradingVectorEnvOptions } from './trading-vector-env.ts';
export { TradingCore } from './trading-core.ts';
export { ACTION_SCHEMES, createActionScheme, type ActionScheme, type ActionSchemeName } from './actions.ts';
export { createReward, REWARD_NAMES, type RewardSpec, type RewardInputs, type RewardScheme } from './rewards/index.ts';
export {
  parseTradingConfig,
  parsePortfolioConfig,
  type TradingKwargs,
  type PortfolioKwargs,
  type FeatureMatrix,
} from './config.ts';
export { prepareTradingKwargs, isPostgresUrl } from './prepare.ts';

export function registerTradingEnvs(): void {
  if (registeredIds().includes('tg4/Trading-v0')) return;
  register({
    id: 'tg4/Trading-v0',
    entryPoint: (kwargs) => new TradingEnv(kwargs),
    vectorEntryPoint: ({ numEnvs, autoresetMode, kwargs }) =>
      new TradingVectorEnv({ numEnvs, autoresetMode, kwargs, kind: 'trading' }),
    description:
      'One symbol traded through the paper executor (fees, slippage, caps, ATR stops): window of feature rows + portfolio state; discrete3 / discrete-sized / continuous actions.',
  });
  register({
    id: 'tg4/Portfolio-v0',
    entryPoint: (kwargs) => new PortfolioEnv(kwargs),
    vectorEntryPoint: ({ numEnvs, autoresetMode, kwargs }) =>
      new TradingVectorEnv({ numEnvs, autoresetMode, kwargs, kind: 'portfolio' }),
    description: 'Several symbols, one cross-margin account; actions are target weights in [-1, 1] per symbol.',
  });
}

registerTradingEnvs();
