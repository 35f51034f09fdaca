// The env kwargs both trading presets (agents/ppo/spec.ts, agents/dqn/spec.ts) were tuned with: long/flat in half steps
// (no shorting: measured better out of sample than {short, flat, long}, see docs/agents.md); fees already lower the log
// return, the turnover penalty discourages churn on top. The user's --kwargs override them key by key.
import { fileURLToPath } from 'node:url';
import { loadFeatureSpec, type FeatureSpec } from '../../src/features/index.ts';

export const TRADING_PRESET_ENV_KWARGS: Readonly<Record<string, unknown>> = Object.freeze({
  actionScheme: 'discrete-sized',
  levels: [0, 0.5, 1],
  reward: { log_return: 1, turnover: 0.01 },
});

/**
 * The PPO trading preset's feature spec (trading-preset-spec.json): one row of slow trend columns of 1h closes — returns
 * over 1, 4, 7 and ~21 days, close against EMA-24, EMA-96 and EMA-500 (the spread the `ma-cross-band` baseline trades
 * on is the difference of the first two), z-scores over 500 and 1,000 bars, volatility over a day and a week, the daily
 * RSI — raw, the PPO preset normalising observations itself. The default hourly spec (32 rows × ~30 columns of fast
 * indicators) gave a policy that beat `ma-cross-band` by seed majority in 4 of 8 walk-forward folds; this one 5 of 8,
 * on seeds 1–3 and again on seeds 4–6 (docs/agents.md, "Decision interval").
 */
export const TRADING_PRESET_FEATURES: Readonly<FeatureSpec> = Object.freeze(
  loadFeatureSpec(fileURLToPath(new URL('./trading-preset-spec.json', import.meta.url))),
);
