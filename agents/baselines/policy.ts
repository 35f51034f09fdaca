// A baseline is a non-learning policy over the trading env: from the bars ≤ t it states a desired position in [-1, 1]
// (−1 full short, 0 flat, +1 full long, as a fraction of the env's `exposure`). `toAction` turns that into an action of
// whichever action scheme the env uses, so every baseline runs on the very env (costs, stops, fills) a model trains on.
import type { MarketFrame } from '../../replay/market-frame.ts';
import type { ActionScheme } from '../../envs/trading/actions.ts';
import type { ExecutorConfig } from '../../envs/trading/config.ts';

export interface BaselinePolicy {
  readonly name: string;
  /** Precomputes causal signals over the frame: entry t uses bars ≤ t only. Called once per frame. */
  prepare(frame: MarketFrame): void;
  /** Desired position for the decision at bar t's close, given the current exposure (as a fraction of `exposure`). */
  position(t: number, current: number): number;
  /** Exits the strategy sets itself (stop-loss, take-profit): applied to the env it runs on (see baselineKwargs). */
  readonly executor?: Readonly<Partial<ExecutorConfig>>;
}

/**
 * A policy driven by a signal computed once per frame: +1 goes (or stays) long, −1 short (flat when shorts are off),
 * 0 keeps the side it holds at full size; flat stays flat, also after a stop or target closed the position.
 */
export function signalPolicy(
  name: string,
  allowShort: boolean,
  signalOf: (frame: MarketFrame) => Int8Array,
  executor?: BaselinePolicy['executor'],
): BaselinePolicy {
  let signal: Int8Array = new Int8Array(0);
  return {
    name,
    ...(executor !== undefined ? { executor } : {}),
    prepare(frame: MarketFrame): void {
      signal = signalOf(frame);
    },
    position(t: number, current: number): number {
      const s = signal[t] ?? 0;
      if (s === 0) return Math.sign(current);
      return s === -1 && !allowShort ? 0 : s;
    },
  };
}

/** The action of `scheme` closest to desired position p ∈ [-1, 1]; ties go to the smaller exposure. */
export function toAction(scheme: ActionScheme, p: number): number {
  const levels = scheme.levels;
  if (levels === null) return Math.max(-1, Math.min(1, p));
  const target = p * scheme.exposure;
  let best = 0;
  let bestDist = Infinity;
  for (let k = 0; k < levels.length; k++) {
    const d = Math.abs(levels[k]! - target);
    if (d < bestDist - 1e-12 || (Math.abs(d - bestDist) <= 1e-12 && Math.abs(levels[k]!) < Math.abs(levels[best]!))) {
      best = k;
      bestDist = d;
    }
  }
  return best;
}
