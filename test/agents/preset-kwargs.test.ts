// `levels` belong to the 'discrete-sized' action scheme: the env refuses them with any other scheme (they used to be
// ignored without a word), and a user who picks another scheme over a preset's does not inherit the preset's levels.
// Likewise a preset's windowSize belongs to the features it was chosen for.
import { describe, expect, it } from 'vitest';
import { withUserKwargs } from '../../agents/common/algorithm.ts';
import { TradingEnv } from '../../envs/trading/trading-env.ts';
import { loadDefaultSpec } from '../../src/features/index.ts';

describe('levels and the action scheme', () => {
  it('the env refuses levels outside discrete-sized, saying what to change', () => {
    for (const actionScheme of ['continuous', 'discrete3'])
      expect(() => new TradingEnv({ actionScheme, levels: [0, 1] })).toThrow(
        new RegExp(
          `levels apply to actionScheme 'discrete-sized' only, and this env's actionScheme is '${actionScheme}'`,
        ),
      );
    expect(new TradingEnv({ actionScheme: 'discrete-sized', levels: [0, 1] }).actionSpace.toJSON()).toMatchObject({
      type: 'Discrete',
      n: 2,
    });
  });

  it("a preset's levels go with its scheme: dropped when the user picks another scheme, kept otherwise", () => {
    const preset = { actionScheme: 'discrete-sized', levels: [0, 1], decisionInterval: 24 };
    expect(withUserKwargs(preset, { actionScheme: 'continuous' })).toEqual({
      actionScheme: 'continuous',
      decisionInterval: 24,
    });
    expect(withUserKwargs(preset, { decisionInterval: 1 })).toEqual({ ...preset, decisionInterval: 1 });
    expect(withUserKwargs(preset, { actionScheme: 'discrete-sized', levels: [-1, 0, 1] }).levels).toEqual([-1, 0, 1]);
    // Levels the user gives with another scheme are the user's: the env names the conflict.
    expect(withUserKwargs(preset, { actionScheme: 'continuous', levels: [0, 1] }).levels).toEqual([0, 1]);
  });

  it("a preset's windowSize goes with its features: a user's own spec brings its window", () => {
    const preset = { decisionInterval: 24, windowSize: 1 };
    const spec = { ...loadDefaultSpec('1h'), window: 8 };
    const merged = withUserKwargs(preset, { features: spec });
    expect(merged).toEqual({ decisionInterval: 24, features: spec });
    // The env takes it (with the preset's window 1 it refused the spec: "windowSize 1 differs from … window 8").
    expect(() => new TradingEnv({ ...preset, features: spec })).toThrow(/windowSize 1 differs/);
    const env = new TradingEnv(merged);
    expect(env.core.windowSize).toBe(8);
    env.close();
    expect(withUserKwargs(preset, { features: spec, windowSize: 8 }).windowSize).toBe(8);
    expect(withUserKwargs(preset, { episodeLength: 50 }).windowSize).toBe(1);
  });
});
