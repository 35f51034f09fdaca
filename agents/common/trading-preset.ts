// The env kwargs both trading presets (agents/ppo/spec.ts, agents/dqn/spec.ts) were tuned with: long/flat in half steps
// (no shorting: measured better out of sample than {short, flat, long}, see docs/agents.md); fees already lower the log
// return, the turnover penalty discourages churn on top. The user's --kwargs override them key by key.
export const TRADING_PRESET_ENV_KWARGS: Readonly<Record<string, unknown>> = Object.freeze({
  actionScheme: 'discrete-sized',
  levels: [0, 0.5, 1],
  reward: { log_return: 1, turnover: 0.01 },
});
