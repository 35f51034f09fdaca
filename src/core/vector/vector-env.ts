// The VectorEnv contract: N sub-envs stepped as one batch, outputs in preallocated typed arrays owned by the env
// (EnvPool's batch-first layout). Implementation: BatchedVectorEnv (batched-vector-env.ts), the one autoreset that
// SyncVectorEnv (any envs) and the batched envs from spec.vectorEntryPoint build on.
import type { AutoresetMode, EnvSpec, Space, VectorResetResult, VectorStepResult } from '../types.ts';

/**
 * Actions for the stepped sub-envs: Int32Array (or any integer typed array / number[]) of one value each for Discrete;
 * Float32Array of rows × actionDim, row-major, for Box; or a plain array of single-env actions for any space. Row r is
 * the r-th named sub-env when a step names env ids, else sub-env r.
 */
export type VectorActions = Int32Array | Float32Array | Float64Array | Uint8Array | readonly unknown[];

/** Sub-env indices for a step or reset of a subset (EnvPool's env_id): distinct integers in [0, numEnvs). */
export type EnvIds = readonly number[];

export interface VectorResetArgs {
  /**
   * A number: sub-env i is reset with seed + i (as Gymnasium's vector envs); an array: one seed per reset sub-env
   * (null: that sub-env continues its own stream).
   */
  seed?: number | readonly (number | null)[];
  options?: Record<string, unknown>;
  /** Reset only these sub-envs (the others keep their episodes and their rows); all when left out. */
  envIds?: EnvIds;
}

/**
 * A sliding-window observation layout: the first rows × cols values of a sub-env's observation are `rows` rows of
 * `cols` values, oldest first, and a step that advances the sub-env drops the oldest `stride` rows (default 1) and
 * appends as many (the trading envs' feature window; stride = their decision interval). Servers use it to send only
 * what changed (src/server/obs-window.ts).
 */
export interface ObservationWindow {
  readonly rows: number;
  readonly cols: number;
  readonly stride?: number;
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
  /** Hash of the feature spec the observations are built from (trading envs); absent or null otherwise. */
  readonly featureSpecHash?: string | null;
  /** The observation's sliding-window layout, for envs whose observations have one. */
  readonly observationWindow?: ObservationWindow;
  /** N × actions (1 = allowed) for the current observations; only envs with maskable discrete actions have it. */
  actionMasks?(): Uint8Array;
  reset(args?: VectorResetArgs): VectorResetResult;
  /**
   * Steps every sub-env, or only `envIds` (actions then hold one row per named sub-env, in that order). Only the rows
   * of the stepped sub-envs change in the result; the others keep their last values.
   */
  step(actions: VectorActions, envIds?: EnvIds): VectorStepResult;
  close(): void;
}

export const EMPTY_INFO: Readonly<Record<string, unknown>> = Object.freeze({});
