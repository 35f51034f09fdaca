// `levels` belong to the 'discrete-sized' action scheme: the env refuses them with any other scheme (they used to be
// ignored without a word), and a user who picks another scheme over a preset's does not inherit the preset's levels.
import { describe, expect, it } from 'vitest';
import { withUserKwargs } from '../../agents/common/algorithm.ts';
import { TradingEnv } from '../../envs/trading/trading-env.ts';

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
});
