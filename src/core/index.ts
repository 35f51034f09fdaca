// The core API in one import: spaces, Env, wrappers, registry, vector envs, seeding, checker, errors and types.
export * from './types.ts';
export * from './errors.ts';
export * from './spaces/index.ts';
export { Env, isEnvLike, type EnvLike, type EnvMetadata, type RenderFrame } from './env.ts';
export { Rng, assertSeed, entropySeed, MAX_SEED } from './rng.ts';
export {
  register,
  registeredIds,
  getSpec,
  make,
  makeVec,
  type MakeOptions,
  type MakeVecOptions,
  type RegisterOptions,
} from './registry.ts';
export * from './wrappers/index.ts';
export { SyncVectorEnv, subEnvSeeds, type SyncVectorEnvOptions } from './vector/sync-vector-env.ts';
export { ActionBatch } from './vector/action-batch.ts';
export { EMPTY_INFO, type VectorEnv, type VectorActions, type VectorResetArgs } from './vector/vector-env.ts';
export {
  checkEnv,
  whyNotIn,
  CHECK_NAMES,
  type CheckName,
  type CheckResult,
  type CheckEnvReport,
  type CheckEnvOptions,
} from './check-env.ts';
