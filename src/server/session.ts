// A session: one client's N sub-envs of one env id, with the autoreset mode it asked for. Two engines do the
// stepping: SubEnvEngine (N single envs: any space, subsets of sub-envs per request, render and call per sub-env) and
// VectorEngine (a batched core VectorEnv from the spec's vectorEntryPoint, EnvPool style, for whole-batch steps).
import type { EnvSpec, Space, SpaceJSON } from '../core/types.ts';
import type { EnvLike } from '../core/env.ts';
import { EMPTY_INFO, type VectorEnv } from '../core/vector/vector-env.ts';
import { InvalidActionError, InvalidArgumentError, ResetNeededError } from '../core/errors.ts';
import { describeValue } from '../core/spaces/space.ts';
import { encodeTyped, wireFromTyped, type WireArray } from './protocol/arrays.ts';
import type { EnvSpecJSON, ResetResultWire, StepResultWire, WireAutoresetMode } from './protocol/messages.ts';
import {
  actionBatch,
  encodeSingleObservation,
  observationBatch,
  type ActionBatch,
  type ObservationBatch,
} from './space-batch.ts';
import { EMPTY_MAP, toWireValue } from './wire-values.ts';
import { callableNames, callOnEnv, masksToWire, type CallableNames } from './callables.ts';

export type Seeds = number | (number | null)[] | null;

/** What a session does; both engines implement it. */
export interface SessionEngine {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly callable: CallableNames;
  reset(seeds: Seeds, options: Record<string, unknown> | null, ids: number[] | null): ResetResultWire;
  step(actions: unknown, ids: number[] | null): StepResultWire;
  render(ids: number[] | null): unknown[];
  call(name: string, args: unknown[], kwargs: Record<string, unknown>, ids: number[] | null): unknown[];
  close(): void;
}

export class Session {
  lastUsedMs: number;
  private firstSeed: number | null;
  constructor(
    readonly id: string,
    readonly envId: string,
    readonly numEnvs: number,
    readonly autoreset: WireAutoresetMode,
    readonly spec: EnvSpec,
    readonly engine: SessionEngine,
    seed: number | null,
    nowMs: number,
  ) {
    this.lastUsedMs = nowMs;
    this.firstSeed = seed;
  }

  /** make's seed seeds the first reset that names none (Gymnasium's make_vec + reset(seed) in one message). */
  reset(seed: Seeds, options: Record<string, unknown> | null, ids: number[] | null): ResetResultWire {
    const s = seed ?? this.firstSeed;
    const r = this.engine.reset(s, options, ids);
    this.firstSeed = null;
    return r;
  }

  specJSON(): EnvSpecJSON {
    return {
      id: this.spec.id,
      max_episode_steps: this.spec.maxEpisodeSteps ?? null,
      reward_threshold: this.spec.rewardThreshold ?? null,
      nondeterministic: this.spec.nondeterministic ?? false,
    };
  }
}

/** Checks env_ids against a session of n sub-envs: integers in [0, n), no repeats. */
export function checkIds(ids: number[] | null, n: number): number[] | null {
  if (ids === null) return null;
  if (ids.length === 0)
    throw new InvalidArgumentError('env_ids is empty: name at least one sub-env, or leave env_ids out for all');
  const seen = new Uint8Array(n);
  for (const i of ids) {
    if (!Number.isSafeInteger(i) || i < 0 || i >= n)
      throw new InvalidArgumentError(`env_ids holds ${i}, but this session has sub-envs 0..${n - 1}`);
    if (seen[i] === 1) throw new InvalidArgumentError(`env_ids names sub-env ${i} twice`);
    seen[i] = 1;
  }
  return ids;
}

function seedFor(seeds: Seeds, envIndex: number, row: number, rows: number): number | undefined {
  if (seeds === null) return undefined;
  if (typeof seeds === 'number') return seeds + envIndex;
  if (seeds.length !== rows)
    throw new InvalidArgumentError(
      `reset.seed lists ${seeds.length} seeds for ${rows} sub-env(s): give one per reset sub-env, or one int`,
    );
  return seeds[row] ?? undefined;
}

/** N single envs stepped one after the other: any space, any subset of sub-envs per request. */
export class SubEnvEngine implements SessionEngine {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly callable: CallableNames;
  private readonly obsJSON: SpaceJSON;
  private readonly obs: ObservationBatch;
  private readonly actions: ActionBatch;
  private readonly rewards: Float64Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  /** 1 once a sub-env has been reset and may step (cleared at an episode's end in 'disabled' mode). */
  private readonly ready: Uint8Array;
  private readonly pendingReset: Uint8Array;
  private readonly infos: Record<string, unknown>[];

  constructor(
    readonly envs: EnvLike[],
    readonly autoreset: WireAutoresetMode,
  ) {
    const n = envs.length;
    this.observationSpace = envs[0]!.observationSpace;
    this.actionSpace = envs[0]!.actionSpace;
    this.obsJSON = this.observationSpace.toJSON();
    this.obs = observationBatch(this.obsJSON, n);
    this.actions = actionBatch(this.actionSpace.toJSON(), n);
    this.rewards = new Float64Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.ready = new Uint8Array(n);
    this.pendingReset = new Uint8Array(n);
    this.infos = new Array(n);
    this.callable = callableNames(envs[0]!);
  }

  reset(seeds: Seeds, options: Record<string, unknown> | null, idsIn: number[] | null): ResetResultWire {
    const n = this.envs.length;
    const ids = checkIds(idsIn, n);
    const rows = ids === null ? n : ids.length;
    const infos = new Array<Record<string, unknown>>(rows);
    for (let j = 0; j < rows; j++) {
      const i = ids === null ? j : ids[j]!;
      const seed = seedFor(seeds, i, j, rows);
      const r = this.envs[i]!.reset(
        seed === undefined ? { options: options ?? undefined } : { seed, options: options ?? undefined },
      );
      this.obs.write(j, r.observation);
      infos[j] = toWireValue(r.info) as Record<string, unknown>;
      this.ready[i] = 1;
      this.pendingReset[i] = 0;
    }
    return { obs: this.obs.wire(rows), infos, env_ids: ids };
  }

  step(actionsIn: unknown, idsIn: number[] | null): StepResultWire {
    const n = this.envs.length;
    const ids = checkIds(idsIn, n);
    const rows = ids === null ? n : ids.length;
    this.actions.read(actionsIn, rows, 'step.actions');
    // Check every sub-env before stepping any, so that a bad request leaves all of them as they were.
    for (let j = 0; j < rows; j++) {
      const i = ids === null ? j : ids[j]!;
      if (this.ready[i] === 0) {
        throw new ResetNeededError(
          this.autoreset === 'disabled'
            ? `sub-env ${i} has not been reset since its episode ended (autoreset 'disabled'): send reset for it first`
            : `sub-env ${i} was never reset: send reset before step`,
        );
      }
      if (this.pendingReset[i] === 1) continue;
      const a = this.actions.get(j);
      if (!this.actionSpace.contains(a)) {
        throw new InvalidActionError(
          `action for sub-env ${i} (${describeValue(a)}) is not in the action space ${String(this.actionSpace)}`,
        );
      }
    }
    const infos = rows === n ? this.infos : new Array<Record<string, unknown>>(rows);
    for (let j = 0; j < rows; j++) {
      const i = ids === null ? j : ids[j]!;
      const env = this.envs[i]!;
      if (this.pendingReset[i] === 1) {
        // next-step autoreset: this step's action is ignored and the new episode's first observation comes back.
        const r = env.reset();
        this.obs.write(j, r.observation);
        this.rewards[j] = 0;
        this.terminated[j] = 0;
        this.truncated[j] = 0;
        infos[j] = toWireValue(r.info) as Record<string, unknown>;
        this.pendingReset[i] = 0;
        continue;
      }
      const s = env.step(this.actions.get(j));
      this.rewards[j] = s.reward;
      this.terminated[j] = s.terminated ? 1 : 0;
      this.truncated[j] = s.truncated ? 1 : 0;
      const done = s.terminated || s.truncated;
      if (done && this.autoreset === 'same-step') {
        const final = encodeSingleObservation(this.obsJSON, s.observation);
        const finalInfo = toWireValue(s.info);
        const r = env.reset();
        this.obs.write(j, r.observation);
        infos[j] = {
          ...(toWireValue(r.info) as Record<string, unknown>),
          final_observation: final,
          final_info: finalInfo,
        };
      } else {
        this.obs.write(j, s.observation);
        infos[j] = toWireValue(s.info) as Record<string, unknown>;
        if (done && this.autoreset === 'next-step') this.pendingReset[i] = 1;
        if (done && this.autoreset === 'disabled') this.ready[i] = 0;
      }
    }
    return {
      obs: this.obs.wire(rows),
      rewards: wireFromTyped('float64', [rows], this.rewards.subarray(0, rows)),
      terminated: wireFromTyped('bool', [rows], this.terminated.subarray(0, rows)),
      truncated: wireFromTyped('bool', [rows], this.truncated.subarray(0, rows)),
      infos,
      env_ids: ids,
    };
  }

  render(idsIn: number[] | null): unknown[] {
    const ids = checkIds(idsIn, this.envs.length) ?? this.envs.map((_, i) => i);
    return ids.map((i) => toWireValue(this.envs[i]!.render()));
  }

  call(name: string, args: unknown[], kwargs: Record<string, unknown>, idsIn: number[] | null): unknown[] {
    const ids = checkIds(idsIn, this.envs.length) ?? this.envs.map((_, i) => i);
    return ids.map((i) => {
      const v = callOnEnv(this.envs[i]!, name, args, kwargs);
      return name === 'action_masks' ? masksToWire(v) : toWireValue(v);
    });
  }

  close(): void {
    for (const e of this.envs) {
      try {
        e.close();
      } catch {
        /* a failing close must not keep the other sub-envs open */
      }
    }
  }
}

/**
 * A batched core VectorEnv (e.g. CartPoleVectorEnv): one call steps all N sub-envs in a tight loop. Used only for
 * Box float32 observations (whose flat rows are the observations themselves) and whole-batch requests.
 */
export class VectorEngine implements SessionEngine {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly callable: CallableNames;
  private readonly obsShape: number[];
  /** The vector env's own batched mask method (N × actions, row-major), when it has one. */
  private readonly masks: (() => Uint8Array) | null;
  private readonly actions: ActionBatch;
  private readonly actionFlat: Int32Array | Float32Array;
  private readonly rewards: Float64Array;

  constructor(
    readonly venv: VectorEnv,
    readonly probe: EnvLike,
  ) {
    this.observationSpace = venv.singleObservationSpace;
    this.actionSpace = venv.singleActionSpace;
    this.obsShape = [...(this.observationSpace.shape ?? [])];
    const n = venv.numEnvs;
    const aj = this.actionSpace.toJSON();
    this.actions = actionBatch(aj, n);
    this.actionFlat = aj.type === 'Discrete' ? new Int32Array(n) : new Float32Array(n * venv.actionDim);
    this.rewards = new Float64Array(n);
    const m = (venv as unknown as { actionMasks?: () => Uint8Array }).actionMasks;
    this.masks = typeof m === 'function' ? m.bind(venv) : null;
    // Static attributes come from a probe env built with the same kwargs; state-dependent methods only from the
    // vector env itself (the probe never steps).
    this.callable = {
      attributes: callableNames(probe).attributes,
      methods: this.masks !== null ? ['action_masks'] : [],
    };
  }

  /** Whether a vector env with these spaces can serve a session exactly as N single envs would. */
  static fits(obs: SpaceJSON, act: SpaceJSON): boolean {
    return (
      obs.type === 'Box' &&
      obs.dtype === 'float32' &&
      (act.type === 'Discrete' || (act.type === 'Box' && act.dtype === 'float32'))
    );
  }

  reset(seeds: Seeds, options: Record<string, unknown> | null, ids: number[] | null): ResetResultWire {
    this.wholeBatch(ids, 'reset');
    const n = this.venv.numEnvs;
    let seed: number | number[] | undefined;
    if (typeof seeds === 'number') seed = seeds;
    else if (Array.isArray(seeds)) {
      if (seeds.length !== n)
        throw new InvalidArgumentError(
          `reset.seed lists ${seeds.length} seeds for ${n} sub-env(s): give one per sub-env, or one int`,
        );
      if (seeds.some((s) => s === null))
        throw new InvalidArgumentError(
          'reset.seed: this session reseeds all sub-envs at once: give every sub-env a seed, or none',
        );
      seed = seeds as number[];
    }
    const r = this.venv.reset({ seed, options: options ?? undefined });
    return { obs: this.obsWire(r.observations), infos: r.infos.map((x) => this.infoWire(x)), env_ids: null };
  }

  step(actionsIn: unknown, ids: number[] | null): StepResultWire {
    this.wholeBatch(ids, 'step');
    const n = this.venv.numEnvs;
    this.actions.read(actionsIn, n, 'step.actions');
    const per = this.actionFlat.length / n;
    for (let i = 0; i < n; i++) {
      const a = this.actions.get(i);
      if (per === 1 && typeof a === 'number') this.actionFlat[i] = a;
      else {
        const row = a as ArrayLike<number>;
        for (let k = 0; k < per; k++) this.actionFlat[i * per + k] = row[k]!;
      }
    }
    const r = this.venv.step(this.actionFlat);
    for (let i = 0; i < n; i++) this.rewards[i] = r.rewards[i]!;
    return {
      obs: this.obsWire(r.observations),
      rewards: wireFromTyped('float64', [n], this.rewards),
      terminated: wireFromTyped('bool', [n], r.terminated),
      truncated: wireFromTyped('bool', [n], r.truncated),
      infos: r.infos.map((x) => this.infoWire(x)),
      env_ids: null,
    };
  }

  render(): unknown[] {
    throw new InvalidArgumentError(
      'this session runs a batched vector env, which has no per-sub-env render: make the session with a render_mode kwarg to get one that renders',
    );
  }

  call(name: string, args: unknown[], kwargs: Record<string, unknown>, idsIn: number[] | null): unknown[] {
    const n = this.venv.numEnvs;
    const ids = checkIds(idsIn, n) ?? Array.from({ length: n }, (_, i) => i);
    if (name === 'action_masks' && this.masks !== null) {
      const all = this.masks();
      const k = all.length / n;
      return ids.map((i) => masksToWire(all.subarray(i * k, (i + 1) * k)));
    }
    const v = toWireValue(
      callOnEnv(this.probe, name, args, kwargs, { attributes: this.callable.attributes, methods: [] }),
    );
    return new Array(ids.length).fill(v);
  }

  close(): void {
    try {
      this.venv.close();
    } finally {
      this.probe.close();
    }
  }

  private wholeBatch(ids: number[] | null, op: string): void {
    const n = this.venv.numEnvs;
    if (ids === null) return;
    checkIds(ids, n);
    if (ids.length === n && ids.every((v, i) => v === i)) return;
    throw new InvalidArgumentError(
      `${op} with env_ids on a whole-batch session: make the session with batch_size < num_envs to ${op} subsets of sub-envs`,
    );
  }

  private obsWire(flat: Float32Array): WireArray {
    return wireFromTyped('float32', [this.venv.numEnvs, ...this.obsShape], flat);
  }

  private infoWire(info: Record<string, unknown>): Record<string, unknown> {
    if (info === EMPTY_INFO) return EMPTY_MAP; // the common case, by identity: no per-sub-env work
    const fo = info.final_observation;
    if (!(fo instanceof Float32Array)) return toWireValue(info) as Record<string, unknown>;
    const out = toWireValue(info) as Record<string, unknown>;
    // The vector env hands the final observation flattened; give it the observation space's shape.
    out.final_observation = encodeTyped(fo.slice(), [...this.obsShape]);
    return out;
  }
}
