// What a batched env supplies to the core's vector env (EnvPool's split): the pool (AutoresetPool) owns autoreset,
// seeding rules, subsets of sub-envs, readiness and the infos; the env only checks a step's actions, resets one sub-env
// and steps one sub-env, writing into preallocated typed-array slots indexed by sub-env.
import type { Info, Space } from '../types.ts';
import type { EnvIds, VectorActions } from './vector-env.ts';

/** ResetOptions: what resetOptions() parses options into; Actions: what a step's actions arrive as. */
export interface SubEnvs<ResetOptions = unknown, Actions = VectorActions> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  /** Slot i: reward of sub-env i's last step (the pool writes 0 for a sub-env reset in place of a step). */
  readonly rewards: Float32Array | Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  /** Parses reset options once per reset call (throws INVALID_ARGUMENT); undefined gives what an autoreset uses. */
  resetOptions(options: Record<string, unknown> | undefined): ResetOptions;
  /**
   * Checks a step's actions before any sub-env moves and keeps them for stepOne; throws INVALID_ACTION naming the
   * sub-env. Row r is sub-env ids[r] (r when ids is null). A sub-env with skip[i] === 1 is reset instead of stepped:
   * its action is ignored, whatever it is.
   */
  loadActions(actions: Actions, ids: EnvIds | null, skip: Uint8Array): void;
  /** Starts a new episode of sub-env i (a new random stream when seed is given) and writes its observation slot. */
  resetOne(i: number, seed: number | undefined, options: ResetOptions): Info;
  /** Steps sub-env i with its loaded action; writes its observation, reward, terminated and truncated slots. */
  stepOne(i: number): Info;
  /** A copy of sub-env i's observation slot (same-step's final_observation), taken before the reset overwrites it. */
  finalObservation(i: number): unknown;
  /** Called once after the named sub-envs (all when null) were reset or stepped: work deferred to the whole batch. */
  flush?(ids: EnvIds | null): void;
  close(): void;
}
