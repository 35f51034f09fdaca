// Where the server gets its envs: the core registry by default (with the built-in envs registered), or any other
// factory (tests, embedders) that follows the same contract.
import type { EnvSpec } from '../core/types.ts';
import type { EnvLike } from '../core/env.ts';
import type { VectorEnv } from '../core/vector/vector-env.ts';
import { getSpec, make, makeVec, registeredIds } from '../core/registry.ts';
import type { AutoresetMode } from '../core/types.ts';

export interface EnvSource {
  ids(): string[];
  spec(id: string): EnvSpec;
  make(id: string, kwargs: Record<string, unknown>): EnvLike;
  /** A batched vector env when the spec has a vectorEntryPoint (EnvPool-style fast path), else null. */
  makeVec(id: string, numEnvs: number, autoresetMode: AutoresetMode, kwargs: Record<string, unknown>): VectorEnv | null;
}

export async function registryEnvSource(): Promise<EnvSource> {
  await import('../../envs/index.ts');
  return {
    ids: () => registeredIds(),
    spec: (id) => getSpec(id),
    make: (id, kwargs) => make(id, kwargs),
    makeVec: (id, numEnvs, autoresetMode, kwargs) =>
      getSpec(id).vectorEntryPoint
        ? makeVec(id, { numEnvs, autoresetMode, kwargs, vectorizationMode: 'vector_entry_point' })
        : null,
  };
}
