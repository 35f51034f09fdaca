// The env registry (Gymnasium's register/make/make_vec). Built-in envs are registered by importing envs/index.ts.
import type { AutoresetMode, EnvSpec } from './types.ts';
import { InvalidArgumentError, UnknownEnvError } from './errors.ts';
import { type EnvLike, isEnvLike } from './env.ts';
import { TimeLimit } from './wrappers/time-limit.ts';
import { SyncVectorEnv } from './vector/sync-vector-env.ts';
import type { VectorEnv } from './vector/vector-env.ts';

const registry = new Map<string, EnvSpec>();
const ID_PATTERN = /^(?:[\w.-]+\/)?[\w.:-]+?(?:-v\d+)?$/;

export interface RegisterOptions {
  /** Replace an existing spec with the same id (otherwise that is an error). */
  override?: boolean;
}

export function register(spec: EnvSpec, options: RegisterOptions = {}): void {
  if (!spec || typeof spec.id !== 'string' || !ID_PATTERN.test(spec.id)) {
    throw new InvalidArgumentError(
      `env id ${JSON.stringify(spec?.id)} is malformed: use [namespace/]Name-vN, e.g. "CartPole-v1"`,
    );
  }
  if (typeof spec.entryPoint !== 'function')
    throw new InvalidArgumentError(`env ${spec.id}: entryPoint must be a function (kwargs) => env`);
  if (
    spec.maxEpisodeSteps !== undefined &&
    (!Number.isSafeInteger(spec.maxEpisodeSteps) || spec.maxEpisodeSteps <= 0)
  ) {
    throw new InvalidArgumentError(`env ${spec.id}: maxEpisodeSteps must be a positive integer`);
  }
  if (registry.has(spec.id) && !options.override) {
    throw new InvalidArgumentError(`env ${spec.id} is already registered: pick another id or pass { override: true }`);
  }
  registry.set(spec.id, Object.freeze({ ...spec }));
}

export function registeredIds(): string[] {
  return [...registry.keys()].sort();
}

export function getSpec(id: string): EnvSpec {
  const spec = registry.get(id);
  if (spec === undefined) throw unknownEnv(id);
  return spec;
}

export interface MakeOptions {
  /** Overrides spec.maxEpisodeSteps; null means no TimeLimit at all. */
  maxEpisodeSteps?: number | null;
}

/** Builds a registered env: entryPoint(spec.kwargs ⊕ kwargs), then TimeLimit when the spec has maxEpisodeSteps. */
export function make<O = unknown, A = unknown>(
  id: string,
  kwargs: Record<string, unknown> = {},
  options: MakeOptions = {},
): EnvLike<O, A> {
  const spec = getSpec(id);
  const merged = { ...(spec.kwargs ?? {}), ...kwargs };
  const env = spec.entryPoint(merged);
  if (!isEnvLike(env))
    throw new InvalidArgumentError(`the entry point of ${id} did not return an env (reset/step/spaces missing)`);
  env.spec = { ...spec, kwargs: merged };
  const steps = options.maxEpisodeSteps === undefined ? spec.maxEpisodeSteps : options.maxEpisodeSteps;
  const wrapped: EnvLike = steps === undefined || steps === null ? env : new TimeLimit(env, steps);
  return wrapped as EnvLike<O, A>;
}

export interface MakeVecOptions {
  numEnvs: number;
  kwargs?: Record<string, unknown>;
  autoresetMode?: AutoresetMode;
  /** 'auto' (default) uses spec.vectorEntryPoint when there is one, else 'sync'. */
  vectorizationMode?: 'auto' | 'sync' | 'vector_entry_point';
}

export function makeVec(id: string, options: MakeVecOptions): VectorEnv {
  const spec = getSpec(id);
  const { numEnvs } = options;
  if (!Number.isSafeInteger(numEnvs) || numEnvs <= 0)
    throw new InvalidArgumentError(`numEnvs must be a positive integer (got ${String(numEnvs)})`);
  const autoresetMode = options.autoresetMode ?? 'next-step';
  const mode = options.vectorizationMode ?? 'auto';
  if (!['auto', 'sync', 'vector_entry_point'].includes(mode)) {
    throw new InvalidArgumentError(
      `vectorizationMode must be 'auto', 'sync' or 'vector_entry_point' (got ${String(mode)})`,
    );
  }
  const kwargs = { ...(spec.kwargs ?? {}), ...(options.kwargs ?? {}) };
  let venv: VectorEnv;
  if (mode === 'vector_entry_point' || (mode === 'auto' && spec.vectorEntryPoint)) {
    if (!spec.vectorEntryPoint)
      throw new InvalidArgumentError(`env ${id} has no vectorEntryPoint: use vectorizationMode 'sync'`);
    venv = spec.vectorEntryPoint({ numEnvs, autoresetMode, kwargs }) as VectorEnv;
  } else {
    venv = new SyncVectorEnv(
      Array.from({ length: numEnvs }, () => () => make(id, options.kwargs ?? {})),
      { autoresetMode },
    );
  }
  venv.spec = { ...spec, kwargs };
  return venv;
}

function unknownEnv(id: string): UnknownEnvError {
  const ids = registeredIds();
  if (ids.length === 0) {
    return new UnknownEnvError(
      `no env is registered under ${JSON.stringify(id)} (no env is registered at all: import 'envs/index.ts' to register the built-in envs)`,
    );
  }
  const near = ids.filter((k) => k.toLowerCase().split('-v')[0] === String(id).toLowerCase().split('-v')[0]);
  const hint = near.length > 0 ? ` Did you mean ${near.join(' or ')}?` : '';
  return new UnknownEnvError(
    `no env is registered under ${JSON.stringify(id)}.${hint} Registered ids: ${ids.join(', ')}`,
  );
}
