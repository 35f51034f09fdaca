// An algorithm as a training run sees it: one typed config whose defaults live at the top of the algorithm's own file
// (CleanRL style), named presets that state only what differs from those defaults (and the env kwargs they were tuned
// with), and how to train, check an env and save. Each algorithm exports one spec (agents/<algo>/spec.ts); the
// training run (train-run.ts) knows nothing algorithm-specific beyond it.
import { InvalidArgumentError } from '../../src/core/errors.ts';
import type { TrainCallbacks, TrainResult, TrainedAgent } from './agent.ts';
import type { NamedWeight } from './model-io.ts';
import type { AgentVectorEnv, EnvShape } from './vec-env.ts';

export type AlgoName = 'ppo' | 'dqn';

export interface Preset<C> {
  description: string;
  /** Env steps when --steps is not given. */
  totalSteps: number;
  /** Env kwargs the preset was tuned with; the user's kwargs override them key by key. */
  envKwargs?: Readonly<Record<string, unknown>>;
  /** The values that differ from the algorithm's defaults. */
  config: Partial<C>;
}

export interface AlgorithmSpec<C extends object, A extends TrainedAgent> {
  readonly name: AlgoName;
  /** Every hyperparameter with its default (the one place they are set). */
  readonly defaults: Readonly<C>;
  /** 'default' (the defaults alone) first, then one preset per env id it was tuned for. */
  readonly presets: Readonly<Record<string, Preset<C>>>;
  /** Refuses an env the algorithm cannot learn on, saying why, before anything is built. */
  checkEnv(shape: EnvShape, config: C): void;
  /** Whether the agent acts under the env's action masks (its evaluations must then read them too). */
  usesActionMasks(config: C): boolean;
  train(
    env: AgentVectorEnv,
    totalSteps: number,
    seed: number,
    config: C,
    callbacks: TrainCallbacks,
  ): Promise<TrainResult<A>>;
  /** The weights to save, in the order InferencePolicy reads them. */
  weights(agent: A): NamedWeight[];
}

/** What resolving a preset reads of a spec. */
export type PresetSource<C extends object> = Pick<AlgorithmSpec<C, TrainedAgent>, 'name' | 'defaults' | 'presets'>;

export interface ResolvedPreset<C> {
  name: string;
  totalSteps: number;
  /** The defaults with the preset's values and then the caller's overrides on top. */
  config: C;
  envKwargs: Record<string, unknown>;
}

/**
 * A preset's env kwargs under the user's, key by key, except that a user who picks another `actionScheme` than
 * 'discrete-sized' without giving `levels` does not inherit the preset's levels (they belong to discrete-sized, and
 * the env refuses levels with any other scheme instead of ignoring them), and a user who gives `features` without
 * `windowSize` does not inherit the preset's window (a spec brings its own `window`, which the env refuses to see
 * contradicted).
 */
export function withUserKwargs(
  presetKwargs: Readonly<Record<string, unknown>>,
  user: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...presetKwargs, ...user };
  const otherScheme = user.actionScheme !== undefined && user.actionScheme !== 'discrete-sized';
  if (otherScheme && user.levels === undefined) delete merged.levels;
  if (user.features !== undefined && user.windowSize === undefined) delete merged.windowSize;
  return merged;
}

/**
 * The preset named `preset` (default: the env id's when there is one, else 'default'), with `overrides` applied.
 * Unknown preset names and override keys that are not hyperparameters of the algorithm are refused.
 */
export function resolvePreset<C extends object>(
  spec: PresetSource<C>,
  envId: string,
  preset?: string,
  overrides: Readonly<Record<string, unknown>> = {},
): ResolvedPreset<C> {
  const name = preset ?? (Object.hasOwn(spec.presets, envId) ? envId : 'default');
  const p = Object.hasOwn(spec.presets, name) ? spec.presets[name] : undefined;
  if (p === undefined)
    throw new InvalidArgumentError(
      `unknown ${spec.name} preset '${name}': choose one of ${Object.keys(spec.presets).join(', ')}`,
    );
  const unknown = Object.keys(overrides).filter((k) => !Object.hasOwn(spec.defaults, k));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `${unknown.map((k) => `'${k}'`).join(', ')} ${unknown.length > 1 ? 'are not' : 'is not a'} ${spec.name} hyperparameter${unknown.length > 1 ? 's' : ''}; valid: ${Object.keys(spec.defaults).join(', ')}`,
    );
  return {
    name,
    totalSteps: p.totalSteps,
    config: { ...spec.defaults, ...p.config, ...overrides } as C,
    envKwargs: { ...(p.envKwargs ?? {}) },
  };
}
