// Baselines by name, for `tg4 backtest --policy <name>` and for the comparisons against trained models.
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { buyAndHold } from './buy-and-hold.ts';
import { emaCrossFlip } from './ema-cross-flip.ts';
import { emaTrendFlip } from './ema-trend-flip.ts';
import { maCrossBand } from './ma-cross-band.ts';
import { meanReversion } from './mean-reversion.ts';
import { randomPolicy } from './random.ts';
import type { BaselinePolicy } from './policy.ts';

export type { BaselinePolicy } from './policy.ts';
export { toAction } from './policy.ts';
export { EMA_TREND_FLIP_DEFAULTS } from './ema-trend-flip.ts';
export { MA_CROSS_BAND_DEFAULTS } from './ma-cross-band.ts';
export { buyAndHold, emaCrossFlip, emaTrendFlip, maCrossBand, meanReversion, randomPolicy };

const factories: Record<string, (seed: number) => BaselinePolicy> = {
  'buy-and-hold': () => buyAndHold(),
  'ema-trend-flip': () => emaTrendFlip(),
  'ema-cross-flip': () => emaCrossFlip(),
  'ma-cross-band': () => maCrossBand(),
  'mean-reversion': () => meanReversion(),
  random: (seed) => randomPolicy(seed),
};

export const BASELINE_NAMES: readonly string[] = Object.keys(factories);

/** What every comparison of results runs beside the policy under test: the market, and the bot's own strategy. */
export const COMPARISON_BASELINES: readonly string[] = ['buy-and-hold', 'ema-trend-flip'];

export function isBaselineName(name: string): boolean {
  return Object.hasOwn(factories, name);
}

export function createBaseline(name: string, seed = 0): BaselinePolicy {
  const f = factories[name];
  if (f === undefined)
    throw new InvalidArgumentError(`unknown baseline '${name}'; valid baselines are ${BASELINE_NAMES.join(', ')}`);
  return f(seed);
}
export { baselineDecision, baselineKwargs, runBaseline, type EpisodeResult, type RunOptions } from './run.ts';
