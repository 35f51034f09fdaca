// What the indicator states have in common: a `value` that is valid once `ready`. Here once: the bases for an
// indicator over one rolling window, the lane-shared instance per period, and the feature that writes a shared
// indicator's value as its one output.
import { z } from 'zod';
import { type BuildContext, defineFeature, type FeatureDef, type FeatureState, type period } from '../feature-def.ts';
import type { InputBar } from '../input.ts';
import type { Shared } from '../shared.ts';
import { RollingMoments, RollingSum } from './rolling.ts';

/** A single-value indicator state. */
export interface Indicator {
  readonly value: number;
  readonly ready: boolean;
}

/** The base of an indicator over one rolling window (`Win`) of its last `period` inputs: ready once the window is full. */
function windowIndicator<W extends { readonly full: boolean }>(Win: new (n: number) => W) {
  abstract class WindowIndicator implements Indicator {
    protected readonly win: W;
    value = NaN;
    constructor(readonly period: number) {
      this.win = new Win(period);
    }
    get ready(): boolean {
      return this.win.full;
    }
  }
  return WindowIndicator;
}

/** An indicator over the running sum (and mean) of its last `period` inputs. */
export const SumWindowIndicator = windowIndicator(RollingSum);
/** An indicator over the mean and variance of its last `period` inputs. */
export const MomentsWindowIndicator = windowIndicator(RollingMoments);

/**
 * The lane's one `new Kind(p)` per period, keyed `name:p` and stepped by `step` once per bar, so that the standalone
 * feature and the regime read the same state.
 */
export const sharedPerPeriod =
  <T>(name: string, Kind: new (p: number) => T, step: (state: T, bar: InputBar) => void) =>
  (ctx: BuildContext, p: number): Shared<T> =>
    ctx.shared(`${name}:${p}`, () => new Kind(p), step);

/** A feature state whose one output is the shared indicator's value. */
const writesValue = <T extends Indicator>(sh: Shared<T>): FeatureState => ({
  update(b, out, o) {
    const s = sh.sync(b);
    out[o] = s.value;
    return s.ready;
  },
});

/** How a shared-value feature differs from the others: its text, its `period` param and its warm-up in bars. */
export interface SharedValueFeature {
  description: string;
  period: ReturnType<typeof period>;
  warmup: (period: number) => number;
}

/**
 * The feature over a lane-shared indicator (RSI, choppiness, volume spike): one `period` param, which names it, and the
 * indicator's value as its one output.
 */
export const sharedValueFeature = <T extends Indicator>(
  name: string,
  shared: (ctx: BuildContext, p: number) => Shared<T>,
  d: SharedValueFeature,
): FeatureDef =>
  defineFeature({
    name,
    description: d.description,
    params: z.object({ period: d.period }).strict(),
    idParams: ['period'],
    outputs: ['value'],
    warmup: (p) => d.warmup(p.period),
    create: (p, ctx) => writesValue(shared(ctx, p.period)),
  });
