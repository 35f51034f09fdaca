// The VectorEnv contract: N sub-envs stepped as one batch, outputs in preallocated typed arrays owned by the env
// (EnvPool's batch-first layout). Implementations: SyncVectorEnv (any envs) and batched ones from spec.vectorEntryPoint.
import type { AutoresetMode, EnvSpec, Space, VectorResetResult, VectorStepResult } from '../types.ts';

/**
 * Actions for all sub-envs at once: Int32Array (or any integer typed array / number[]) of length N for Discrete;
 * Float32Array of N × actionDim, row-major, for Box; or a plain array of N single-env actions for any space.
 */
export type VectorActions = Int32Array | Float32Array | Float64Array | Uint8Array | readonly unknown[];

export interface VectorResetArgs {
  /** A number: sub-env i is reset with seed + i (as Gymnasium's vector envs); an array: one seed per sub-env. */
  seed?: number | readonly number[];
  options?: Record<string, unknown>;
}

export interface VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  /** Length of one flattened observation row (flatdim of the single observation space). */
  readonly obsDim: number;
  /** Values per sub-env in a typed action array: 1 for Discrete, the Box size for Box. */
  readonly actionDim: number;
  readonly autoresetMode: AutoresetMode;
  spec: EnvSpec | null;
  reset(args?: VectorResetArgs): VectorResetResult;
  step(actions: VectorActions): VectorStepResult;
  close(): void;
}

export const EMPTY_INFO: Readonly<Record<string, unknown>> = Object.freeze({});
