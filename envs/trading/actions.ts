// Action schemes: how an agent's action becomes a target exposure (signed position notional / equity).
//  - discrete3:      Discrete(3)  0 = short, 1 = flat, 2 = long          → {−1, 0, +1} × exposure
//  - discrete-sized: Discrete(K)  action k → levels[k] × exposure        (default levels −1, −0.5, 0, 0.5, 1)
//  - continuous:     Box([-1], [1]) a                                    → a × exposure
// The env then clamps to the executor's leverage caps, and action masks forbid new entries while a cooldown runs.
import { Box, Discrete } from '../../src/core/spaces/index.ts';
import { InvalidActionError, InvalidArgumentError } from '../../src/core/errors.ts';

export type ActionSchemeName = 'discrete3' | 'discrete-sized' | 'continuous';
export const ACTION_SCHEMES: readonly ActionSchemeName[] = ['discrete3', 'discrete-sized', 'continuous'];

export const DEFAULT_SIZED_LEVELS: readonly number[] = [-1, -0.5, 0, 0.5, 1];

export interface ActionScheme {
  readonly name: ActionSchemeName;
  readonly space: Discrete | Box<Float32Array>;
  /** Exposure of each discrete action (already × exposure); null for continuous. */
  readonly levels: Float64Array | null;
  /** Multiplier from the action's [-1, 1] range to target exposure. */
  readonly exposure: number;
  readonly discrete: boolean;
}

export function createActionScheme(name: ActionSchemeName, exposure: number, levels?: readonly number[]): ActionScheme {
  if (!(exposure > 0) || !Number.isFinite(exposure)) {
    throw new InvalidArgumentError(
      `exposure must be a positive number (target exposure of a full position), got ${exposure}`,
    );
  }
  if (levels !== undefined && name !== 'discrete-sized')
    throw new InvalidArgumentError(
      `levels apply to actionScheme 'discrete-sized' only, and this env's actionScheme is '${String(name)}': drop levels, or set actionScheme 'discrete-sized'`,
    );
  switch (name) {
    case 'discrete3':
      return {
        name,
        space: new Discrete(3),
        levels: Float64Array.of(-exposure, 0, exposure),
        exposure,
        discrete: true,
      };
    case 'discrete-sized': {
      const lv = levels ?? DEFAULT_SIZED_LEVELS;
      if (lv.length < 2)
        throw new InvalidArgumentError(`levels: discrete-sized needs at least 2 exposure levels, got ${lv.length}`);
      for (const v of lv) {
        if (!(v >= -1 && v <= 1))
          throw new InvalidArgumentError(`levels: each level must be in [-1, 1] (a fraction of 'exposure'), got ${v}`);
      }
      return {
        name,
        space: new Discrete(lv.length),
        levels: Float64Array.from(lv, (v) => v * exposure),
        exposure,
        discrete: true,
      };
    }
    case 'continuous':
      return { name, space: new Box<Float32Array>(-1, 1, [1], 'float32'), levels: null, exposure, discrete: false };
    default:
      throw new InvalidArgumentError(
        `actionScheme: unknown '${String(name)}'; valid schemes are ${ACTION_SCHEMES.join(', ')}`,
      );
  }
}

/** Index of the flat (zero-exposure) action, or -1 when the discrete levels have none. */
export function flatActionIndex(scheme: ActionScheme): number {
  if (scheme.levels === null) return -1;
  return scheme.levels.indexOf(0);
}

/**
 * Target exposure for one raw action value (a discrete index or a continuous value in [-1, 1]). Throws
 * InvalidActionError for a value outside the space; the checks are a few comparisons, so they run on every step.
 */
export function targetExposure(scheme: ActionScheme, a: number, where: string): number {
  const levels = scheme.levels;
  if (levels !== null) {
    if (!(a >= 0 && a < levels.length) || Math.floor(a) !== a) {
      throw new InvalidActionError(
        `${where}: action ${a} is not in ${String(scheme.space)} (an integer 0..${levels.length - 1})`,
      );
    }
    return levels[a]!;
  }
  if (!(a >= -1 && a <= 1)) {
    throw new InvalidActionError(
      `${where}: action ${a} is not in Box(-1.0, 1.0, (1,)): a target exposure in [-1, 1], not NaN`,
    );
  }
  return a * scheme.exposure;
}
