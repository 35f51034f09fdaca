// What a feature is to the engine: its params (zod, with ranges), outputs, the extra input columns it reads, its
// warm-up, and a factory for its incremental state. Each indicator file declares its own (defineFeature) next to the
// state machine it runs; registry.ts only lists them.
import { z } from 'zod';
import type { InputBar } from './input.ts';
import type { Shared } from './shared.ts';

/** One feature's running state: reads a bar, writes every output at out[offset…], says whether they are valid. */
export interface FeatureState {
  update(bar: InputBar, out: Float64Array, offset: number): boolean;
}

/** Resolves a named extra input column to its index in InputBar.x; throws FEATURE_ERROR when the data lacks it. */
export interface BuildContext {
  column(name: string): number;
  /** Whether the data has this extra column (for optional inputs such as sentiment). */
  has(name: string): boolean;
  /** The lane's one state for `key` (made on first request), stepped once per bar by whichever feature reads it first. */
  shared<T>(key: string, make: () => T, step: (state: T, bar: InputBar) => void): Shared<T>;
}

export interface FeatureDef<P = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly params: z.ZodType<P>;
  /** Params that go into the default column id, in order. */
  readonly idParams: readonly string[];
  outputs(p: P): readonly string[];
  defaultOutputs(p: P): readonly string[];
  /** Bars of its own timeframe before the first valid value (on data without gaps). */
  warmup(p: P): number;
  /** Extra input columns it reads (FEATURE_ERROR when missing). */
  inputs(p: P): readonly string[];
  create(p: P, ctx: BuildContext): FeatureState;
}

type Outputs<P> = readonly string[] | ((p: P) => readonly string[]);

/** A feature as an indicator file writes it: constant lists may be given as arrays; what is left out has a default. */
export interface FeatureDeclaration<S extends z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly params: S;
  /** Params in the default column id (default: none). */
  readonly idParams?: readonly string[];
  readonly outputs: Outputs<z.output<S>>;
  /** Outputs that become columns when the spec names none (default: every output). */
  readonly defaultOutputs?: Outputs<z.output<S>>;
  warmup(p: z.output<S>): number;
  /** Extra input columns it reads (default: none, OHLCV only). */
  readonly inputs?: Outputs<z.output<S>>;
  create(p: z.output<S>, ctx: BuildContext): FeatureState;
}

const asFn = <P>(o: Outputs<P>): ((p: P) => readonly string[]) => (typeof o === 'function' ? o : () => o);

export function defineFeature<S extends z.ZodType>(d: FeatureDeclaration<S>): FeatureDef {
  const outputs = asFn(d.outputs);
  const def: FeatureDef<z.output<S>> = {
    name: d.name,
    description: d.description,
    params: d.params as unknown as z.ZodType<z.output<S>>,
    idParams: d.idParams ?? [],
    outputs,
    defaultOutputs: d.defaultOutputs === undefined ? outputs : asFn(d.defaultOutputs),
    warmup: d.warmup,
    inputs: asFn(d.inputs ?? []),
    create: d.create,
  };
  return def as unknown as FeatureDef;
}

/** An integer param in [min, max]. */
export const int = (min: number, max = 100_000) => z.number().int().min(min).max(max);
/** A bar-count param with a default. */
export const period = (def: number, min = 2) => int(min).default(def);
/** A strictly increasing list of EMA periods (MA alignment, regime). */
export const increasingPeriods = () => z.array(int(1)).min(1).max(8).default([9, 21, 50]);
export const isIncreasing = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
