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
  /**
   * Optional, for sub-envs whose step costs nanoseconds: the whole-batch loop, written in the env's own class as
   * `for (i) if (rows.beginRow(i)) rows.endRow(i, this.stepOne(i), terminated[i] or truncated[i] set)`, so that V8
   * sees one class at its stepOne call site and at the flag reads. The pool's shared loop sees every SubEnvs class of the process, and where several run (a benchmark, a server)
   * V8's inlining budget runs out before it reaches a small stepOne (CartPole: 0.49x instead of 0.66x of a bare loop).
   * The autoreset stays the pool's: beginRow and endRow are its two halves of a row.
   */
  stepAll?(rows: RowSteps): void;
  /** Called once after the named sub-envs (all when null) were reset or stepped: work deferred to the whole batch. */
  flush?(ids: EnvIds | null): void;
  close(): void;
}

/** The pool's per-row autoreset, in two halves around a sub-env's stepOne (for SubEnvs.stepAll). */
export interface RowSteps {
  /** False when sub-env i had a next-step autoreset pending and was reset instead: do not step it. */
  beginRow(i: number): boolean;
  /** After stepOne(i) returned `info` (`ended`: its terminated or truncated slot is set): the mode's end rule, infos[i]. */
  endRow(i: number, info: Info, ended: boolean): void;
}
