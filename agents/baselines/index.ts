// Baselines by name, for `tg4 backtest --policy <name>` and for evaluation against trained models.
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { buyAndHold } from './buy-and-hold.ts';
import { emaTrend } from './ema-trend.ts';
import { meanReversion } from './mean-reversion.ts';
import { randomPolicy } from './random.ts';
import type { BaselinePolicy } from './policy.ts';

export type { BaselinePolicy } from './policy.ts';
export { toAction } from './policy.ts';
export { buyAndHold, emaTrend, meanReversion, randomPolicy };

const factories: Record<string, (seed: number) => BaselinePolicy> = {
  'buy-and-hold': () => buyAndHold(),
  'ema-trend': () => emaTrend(),
  'mean-reversion': () => meanReversion(),
  random: (seed) => randomPolicy(seed),
};

export const BASELINE_NAMES: readonly string[] = Object.keys(factories);

export function isBaselineName(name: string): boolean {
  return Object.hasOwn(factories, name);
}

export function createBaseline(name: string, seed = 0): BaselinePolicy {
  const f = factories[name];
  if (f === undefined)
    throw new InvalidArgumentError(`unknown baseline '${name}'; valid baselines are ${BASELINE_NAMES.join(', ')}`);
  return f(seed);
}
export { runBaseline, type EpisodeResult, type RunOptions } from './run.ts';
