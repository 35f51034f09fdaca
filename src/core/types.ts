// The core contracts (Gymnasium 1.x semantics). Implementations: spaces in src/core/spaces/, Env base class in
// src/core/env.ts, vector envs in src/core/vector/. Everything else (trading envs, server, agents) codes against these.

export type Dtype =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'bool';

/** JSON description of a space: what the wire protocol sends and the Python client maps to gymnasium.spaces. */
export type SpaceJSON =
  | { type: 'Box'; shape: number[]; dtype: Dtype; low: (number | null)[]; high: (number | null)[] } // null = ∓inf
  | { type: 'Discrete'; n: number; start: number }
  | { type: 'MultiDiscrete'; nvec: number[]; start: number[]; dtype: Dtype }
  | { type: 'MultiBinary'; n: number[] }
  | { type: 'Dict'; spaces: Record<string, SpaceJSON> }
  | { type: 'Tuple'; spaces: SpaceJSON[] };

export interface Space<T = unknown> {
  /** Shape of a sample; null for composite spaces. */
  readonly shape: readonly number[] | null;
  readonly dtype: Dtype | null;
  /** Seeds this space's own sampling stream (seedrandom); returns the seed(s) used. */
  seed(seed?: number): number[];
  sample(): T;
  contains(x: unknown): boolean;
  toJSON(): SpaceJSON;
}

export type Info = Record<string, unknown>;

export interface ResetArgs {
  seed?: number;
  options?: Record<string, unknown>;
}
export interface ResetResult<O> {
  observation: O;
  info: Info;
}
export interface StepResult<O> {
  observation: O;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

export type RenderMode = 'ansi' | 'rgb_array' | 'human' | 'svg' | null;

/** Registry entry (Gymnasium's EnvSpec). */
export interface EnvSpec {
  id: string;
  /** Factory for the env; kwargs are the user's kwargs merged over the spec's. */
  entryPoint: (kwargs: Record<string, unknown>) => unknown;
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  nondeterministic?: boolean;
  kwargs?: Record<string, unknown>;
  description?: string;
  /**
   * Optional batched implementation (Gymnasium's vector_entry_point, EnvPool style): makeVec() uses it instead of N
   * copies of entryPoint. Must behave exactly like a SyncVectorEnv of N wrapped sub-envs (same seeds, same results).
   */
  vectorEntryPoint?: (options: {
    numEnvs: number;
    autoresetMode: AutoresetMode;
    kwargs: Record<string, unknown>;
  }) => unknown;
}

/**
 * Autoreset modes (Gymnasium 1.x): 'next-step' resets a finished sub-env on the *next* step call (that step's action is
 * ignored, reward 0); 'same-step' resets at once and returns the final observation/info separately (what SB3 expects);
 * 'disabled' never resets by itself: a finished sub-env refuses to step until the caller resets it (reset with envIds).
 */
export type AutoresetMode = 'next-step' | 'same-step' | 'disabled';

/** Batched result of a vector env; arrays are owned by the env and overwritten by the next call (copy to keep). */
export interface VectorStepResult {
  /** N × obsDim, row-major. */
  observations: Float32Array;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** Per-sub-env info; in 'same-step' mode finished sub-envs carry `final_observation` (Float32Array) and `final_info`. */
  infos: Info[];
}
export interface VectorResetResult {
  observations: Float32Array;
  infos: Info[];
}
