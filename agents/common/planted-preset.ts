// The env kwargs the planted-signal markets' presets (agents/ppo/spec.ts, agents/dqn/spec.ts) were found with:
// short/flat/long (the oracle goes both ways) and the plain log-return reward (fees and slippage are already in it).
// The mean-reversion and momentum presets train on a five-year draw: more data from the same process (the test draw of
// scorePlanted stays the default year). Every run tried is in docs/agents.md ("Does the learner learn?").
export const PLANTED_PRESET_ENV_KWARGS: Readonly<Record<string, unknown>> = Object.freeze({
  actionScheme: 'discrete-sized',
  levels: [-1, 0, 1],
  reward: { log_return: 1 },
});

/** Bars of the five-year training draw (5 × 8,760 1h bars). */
export const PLANTED_LONG_DRAW_BARS = 43_800;
