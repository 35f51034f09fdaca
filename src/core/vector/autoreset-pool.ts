// The one autoreset: Gymnasium 1.x's three modes over any SubEnvs, for every sub-env or a subset (env ids, EnvPool's
// send/recv). The pool owns which sub-env resets and when, the seeding rule, readiness and the infos; the sub-envs only
// reset and step one at a time. Used by BatchedVectorEnv (every in-process vector env) and the server's sub-env engine.
import type { AutoresetMode, Info } from '../types.ts';
import { ClosedEnvError, InvalidArgumentError, ResetNeededError } from '../errors.ts';
import { assertSeed } from '../rng.ts';
import type { RowSteps, SubEnvs } from './sub-envs.ts';
import { EMPTY_INFO, type EnvIds, type VectorActions, type VectorResetArgs } from './vector-env.ts';

export const AUTORESET_MODES: readonly AutoresetMode[] = ['next-step', 'same-step', 'disabled'];

// Per sub-env: may it step? NEVER_RESET before its first reset, ENDED after an episode end in 'disabled' mode.
const READY = 0;
const NEVER_RESET = 1;
const ENDED = 2;

export class AutoresetPool<S extends SubEnvs<unknown, A>, A = VectorActions> implements RowSteps {
  readonly subEnvs: S;
  readonly numEnvs: number;
  readonly autoresetMode: AutoresetMode;
  /** infos[i]: sub-env i's last info (EMPTY_INFO when it has none); in 'same-step' mode an end adds final_*. */
  readonly infos: Info[];
  /** 1: sub-env i ended in 'next-step' mode and is reset, instead of stepped, by its next step. */
  private readonly pendingReset: Uint8Array;
  private readonly readiness: Uint8Array;
  /** How many sub-envs are not READY (0 on the hot path: no per-sub-env check). */
  private notReady: number;
  private readonly autoresetOptions: unknown;
  private everReset = false;
  private closed = false;

  constructor(subEnvs: S, autoresetMode: AutoresetMode = 'next-step') {
    if (!AUTORESET_MODES.includes(autoresetMode)) {
      throw new InvalidArgumentError(
        `autoresetMode must be 'next-step', 'same-step' or 'disabled' (got ${String(autoresetMode)})`,
      );
    }
    const n = subEnvs.numEnvs;
    this.subEnvs = subEnvs;
    this.numEnvs = n;
    this.autoresetMode = autoresetMode;
    this.infos = new Array<Info>(n).fill(EMPTY_INFO);
    this.pendingReset = new Uint8Array(n);
    this.readiness = new Uint8Array(n).fill(NEVER_RESET);
    this.notReady = n;
    this.autoresetOptions = subEnvs.resetOptions(undefined);
  }

  /** Resets the named sub-envs (all when ids is null) with the seeding rule of VectorResetArgs.seed; zeroes their rewards and flags. */
  reset(seed: VectorResetArgs['seed'], options: Record<string, unknown> | undefined, ids: EnvIds | null): void {
    if (this.closed) throw new ClosedEnvError();
    if (ids !== null) checkEnvIds(ids, this.numEnvs);
    const seeds = subEnvSeeds(seed, this.numEnvs, ids);
    const s = this.subEnvs;
    const parsed = options === undefined ? this.autoresetOptions : s.resetOptions(options);
    const rows = ids === null ? this.numEnvs : ids.length;
    for (let r = 0; r < rows; r++) {
      const i = ids === null ? r : ids[r]!;
      this.infos[i] = s.resetOne(i, seeds === null ? undefined : seeds[r], parsed);
      // A reset row has no reward and no flags (subsets leave rows in place until their sub-env moves again).
      s.rewards[i] = 0;
      s.terminated[i] = 0;
      s.truncated[i] = 0;
      this.pendingReset[i] = 0;
      if (this.readiness[i] !== READY) {
        this.readiness[i] = READY;
        this.notReady--;
      }
    }
    s.flush?.(ids);
    this.everReset = true;
  }

  /** Steps the named sub-envs (all when ids is null); actions hold one row per stepped sub-env. */
  step(actions: A, ids: EnvIds | null): void {
    if (this.closed) throw new ClosedEnvError();
    if (ids !== null) checkEnvIds(ids, this.numEnvs);
    if (this.notReady !== 0) this.assertReady(ids);
    // Checks every action before any sub-env moves, so that a bad batch leaves all of them as they were.
    const s = this.subEnvs;
    s.loadActions(actions, ids, this.pendingReset);
    if (ids !== null) for (let r = 0; r < ids.length; r++) this.stepRow(ids[r]!);
    else if (s.stepAll !== undefined) s.stepAll(this);
    else for (let i = 0; i < this.numEnvs; i++) this.stepRow(i);
    s.flush?.(ids);
  }

  /** Resets (pending next-step autoreset) or steps sub-env i. */
  private stepRow(i: number): void {
    const s = this.subEnvs;
    if (this.beginRow(i)) this.endRow(i, s.stepOne(i), (s.terminated[i]! | s.truncated[i]!) !== 0);
  }

  /** RowSteps: false when sub-env i had a next-step autoreset pending and was reset instead of stepped. */
  beginRow(i: number): boolean {
    if (this.pendingReset[i] === 0) return true;
    this.resetPending(i);
    return false;
  }

  /** RowSteps: sub-env i stepped, returned `info` and ended or not: the mode's episode-end rule, then infos[i]. */
  endRow(i: number, info: Info, ended: boolean): void {
    if (ended) this.infos[i] = this.episodeEnded(i, info);
    else if (this.infos[i] !== info) this.infos[i] = info;
  }

  /** next-step autoreset: this step's action is ignored; the new episode's first observation, reward 0, no flags. */
  private resetPending(i: number): void {
    const s = this.subEnvs;
    this.infos[i] = s.resetOne(i, undefined, this.autoresetOptions);
    this.pendingReset[i] = 0;
    s.rewards[i] = 0;
    s.terminated[i] = 0;
    s.truncated[i] = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subEnvs.close();
  }

  /** What an episode end does in each mode; returns sub-env i's info for this step. */
  private episodeEnded(i: number, info: Info): Info {
    if (this.autoresetMode === 'next-step') {
      this.pendingReset[i] = 1;
      return info;
    }
    if (this.autoresetMode === 'disabled') {
      this.readiness[i] = ENDED;
      this.notReady++;
      return info;
    }
    // same-step: reset now; the row holds the new episode's first observation, reward and flags stay the final step's.
    const s = this.subEnvs;
    const finalObservation = s.finalObservation(i);
    const reward = s.rewards[i]!;
    const term = s.terminated[i]!;
    const trunc = s.truncated[i]!;
    const resetInfo = s.resetOne(i, undefined, this.autoresetOptions);
    s.rewards[i] = reward;
    s.terminated[i] = term;
    s.truncated[i] = trunc;
    return resetInfo === EMPTY_INFO
      ? { final_observation: finalObservation, final_info: info }
      : { ...resetInfo, final_observation: finalObservation, final_info: info };
  }

  /** Throws RESET_NEEDED naming the first sub-env of the step that may not step. */
  private assertReady(ids: EnvIds | null): void {
    if (!this.everReset)
      throw new ResetNeededError('step() was called before reset(): call reset() on the vector env first');
    const rows = ids === null ? this.numEnvs : ids.length;
    for (let r = 0; r < rows; r++) {
      const i = ids === null ? r : ids[r]!;
      const state = this.readiness[i];
      if (state === NEVER_RESET)
        throw new ResetNeededError(`sub-env ${i} was never reset: reset it (env ids [${i}]) before stepping it`);
      if (state === ENDED) {
        throw new ResetNeededError(
          `sub-env ${i} has not been reset since its episode ended (autoreset 'disabled'): reset it (env ids [${i}]) before stepping it`,
        );
      }
    }
  }
}

/** Checks env ids against n sub-envs: a non-empty list of distinct integers in [0, n). Throws INVALID_ARGUMENT. */
export function checkEnvIds(ids: EnvIds, n: number): void {
  if (!Array.isArray(ids))
    throw new InvalidArgumentError('env_ids must be an array of sub-env indices, or left out for all');
  if (ids.length === 0)
    throw new InvalidArgumentError('env_ids is empty: name at least one sub-env, or leave env_ids out for all');
  const seen = new Uint8Array(n);
  for (const i of ids) {
    if (!Number.isSafeInteger(i) || i < 0 || i >= n)
      throw new InvalidArgumentError(`env_ids holds ${i}, but there are sub-envs 0..${n - 1} only`);
    if (seen[i] === 1) throw new InvalidArgumentError(`env_ids names sub-env ${i} twice`);
    seen[i] = 1;
  }
}

/**
 * The documented scheme, one seed per reset row: seed s → sub-env i gets s + i; an array gives each reset sub-env its
 * own (null: none); undefined → null. All seeds are checked before any sub-env is reset.
 */
export function subEnvSeeds(
  seed: VectorResetArgs['seed'] | null,
  numEnvs: number,
  ids: EnvIds | null = null,
): (number | undefined)[] | null {
  if (seed === undefined || seed === null) return null;
  const rows = ids === null ? numEnvs : ids.length;
  if (typeof seed === 'number') {
    assertSeed(seed);
    assertSeed(seed + (ids === null ? numEnvs - 1 : Math.max(...ids)), 'seed + numEnvs - 1');
    return Array.from({ length: rows }, (_, r) => seed + (ids === null ? r : ids[r]!));
  }
  if (!Array.isArray(seed) || seed.length !== rows) {
    throw new InvalidArgumentError(
      `seed must be a number or an array of ${rows} seeds (one per ${ids === null ? '' : 'reset '}sub-env)`,
    );
  }
  return seed.map((s, r) => {
    if (s === null) return undefined;
    assertSeed(s, `seed[${r}]`);
    return s;
  });
}
