// A session: one client's N sub-envs of one env id, with the autoreset mode it asked for. Two engines do the
// stepping, both over the core's one autoreset (src/core/vector/autoreset-pool.ts): SubEnvEngine (N single envs as the
// pool's sub-envs: any space, subsets of sub-envs per request, render and call per sub-env) and VectorEngine (a
// batched core VectorEnv from the spec's vectorEntryPoint, EnvPool style, for whole-batch steps).
// (~460 lines on purpose: the two engines implement one SessionEngine contract and share its wire helpers; side by
// side, a change to what a session answers is made to both at once.)
import type { EnvSpec, Info, Space, SpaceJSON } from '../core/types.ts';
import type { EnvLike } from '../core/env.ts';
import { ActionBatch as CoreActionBatch } from '../core/vector/action-batch.ts';
import { AutoresetPool, checkEnvIds } from '../core/vector/autoreset-pool.ts';
import type { SubEnvs } from '../core/vector/sub-envs.ts';
import { EMPTY_INFO, type EnvIds, type VectorEnv } from '../core/vector/vector-env.ts';
import { InvalidArgumentError } from '../core/errors.ts';
import { encodeTyped, looksLikeWireArray, wireFromTyped, type WireArray } from './protocol/arrays.ts';
import { ReplyMemory } from './protocol/fast-reply.ts';
import { WindowDeltaEncoder } from './obs-window.ts';
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
  /** The last step reply's buffer, for the next step that may write over it (protocol/fast-reply.ts). */
  readonly replyMemory = new ReplyMemory();
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

/** The named sub-envs, or all n of them when ids is null (checked: distinct, in range). */
function idsOrAll(ids: number[] | null, n: number): readonly number[] {
  if (ids === null) return Array.from({ length: n }, (_, i) => i);
  checkEnvIds(ids, n);
  return ids;
}

/** make's seeds for the core pool: null (no seed) becomes undefined. */
function poolSeeds(seeds: Seeds): number | readonly (number | null)[] | undefined {
  return seeds === null ? undefined : seeds;
}

/** An info as a wire value; a same-step final_observation is encoded by `finalWire` (once, at the episode's end). */
function infoWire(info: Info, finalWire: (fo: unknown) => unknown): Record<string, unknown> {
  if (info === EMPTY_INFO) return EMPTY_MAP; // the common case, by identity: no per-sub-env work
  const fo = info.final_observation;
  if (fo === undefined) return toWireValue(info) as Record<string, unknown>;
  const out = toWireValue({ ...info, final_observation: null }) as Record<string, unknown>;
  out.final_observation = finalWire(fo);
  return out;
}

const ALREADY_WIRE = (fo: unknown): unknown => fo;

/**
 * N single envs as the core pool's sub-envs: actions arrive as wire arrays, observations stay as the env returns them
 * (any space: the engine encodes each reply's rows from them), rewards stay float64.
 */
class EnvSlots implements SubEnvs<Record<string, unknown> | undefined, unknown> {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  /** Sub-env i's observation from its last reset or step, as the env returned it. */
  readonly observations: unknown[];
  private readonly obsJSON: SpaceJSON;
  private readonly wireActions: ActionBatch;
  /** The decoded rows, checked against the action space by the core's one action validation. */
  private readonly rowActions: unknown[];
  private readonly coreActions: CoreActionBatch;
  private readonly rowOf: Int32Array;

  constructor(readonly envs: readonly EnvLike[]) {
    const n = envs.length;
    this.numEnvs = n;
    this.singleObservationSpace = envs[0]!.observationSpace;
    this.singleActionSpace = envs[0]!.actionSpace;
    this.obsJSON = this.singleObservationSpace.toJSON();
    this.rewards = new Float64Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.observations = new Array<unknown>(n).fill(null);
    this.wireActions = actionBatch(this.singleActionSpace.toJSON(), n);
    this.rowActions = new Array<unknown>(n).fill(null);
    this.coreActions = new CoreActionBatch(this.singleActionSpace, n);
    this.rowOf = new Int32Array(n);
  }

  resetOptions(options: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    return options;
  }

  loadActions(actions: unknown, ids: EnvIds | null, skip: Uint8Array): void {
    const rows = ids === null ? this.numEnvs : ids.length;
    this.wireActions.read(actions, rows, 'step.actions');
    const decoded = this.rowActions;
    decoded.length = rows;
    for (let r = 0; r < rows; r++) decoded[r] = this.wireActions.get(r);
    this.coreActions.load(decoded, rows);
    for (let r = 0; r < rows; r++) {
      const i = ids === null ? r : ids[r]!;
      this.rowOf[i] = r;
      if (skip[i] === 0) this.coreActions.check(r, i);
    }
  }

  resetOne(i: number, seed: number | undefined, options: Record<string, unknown> | undefined): Info {
    const r = this.envs[i]!.reset(seed === undefined ? { options } : { seed, options });
    this.observations[i] = r.observation;
    return r.info;
  }

  stepOne(i: number): Info {
    const s = this.envs[i]!.step(this.rowActions[this.rowOf[i]!]);
    this.rewards[i] = s.reward;
    this.terminated[i] = s.terminated ? 1 : 0;
    this.truncated[i] = s.truncated ? 1 : 0;
    this.observations[i] = s.observation;
    return s.info;
  }

  /** Encoded at once: the env may reuse the observation's memory for the reset that follows. */
  finalObservation(i: number): unknown {
    return encodeSingleObservation(this.obsJSON, this.observations[i]);
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

/** N single envs stepped one after the other by the core pool: any space, any subset of sub-envs per request. */
export class SubEnvEngine implements SessionEngine {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly callable: CallableNames;
  private readonly slots: EnvSlots;
  private readonly pool: AutoresetPool<EnvSlots, unknown>;
  private readonly obs: ObservationBatch;
  /** Reply rows (row j: the j-th named sub-env). */
  private readonly rewards: Float64Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly infos: Record<string, unknown>[];

  constructor(
    readonly envs: EnvLike[],
    readonly autoreset: WireAutoresetMode,
  ) {
    const n = envs.length;
    this.slots = new EnvSlots(envs);
    this.pool = new AutoresetPool<EnvSlots, unknown>(this.slots, autoreset);
    this.observationSpace = this.slots.singleObservationSpace;
    this.actionSpace = this.slots.singleActionSpace;
    this.obs = observationBatch(this.observationSpace.toJSON(), n);
    this.rewards = new Float64Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.infos = new Array(n);
    this.callable = callableNames(envs[0]!);
  }

  reset(seeds: Seeds, options: Record<string, unknown> | null, ids: number[] | null): ResetResultWire {
    this.pool.reset(poolSeeds(seeds), options ?? undefined, ids);
    const rows = ids === null ? this.envs.length : ids.length;
    const infos = new Array<Record<string, unknown>>(rows);
    this.copyRows(ids, infos, false);
    return { obs: this.obs.wire(rows), infos, env_ids: ids };
  }

  step(actions: unknown, ids: number[] | null): StepResultWire {
    this.pool.step(actions, ids);
    const rows = ids === null ? this.envs.length : ids.length;
    const infos = rows === this.envs.length ? this.infos : new Array<Record<string, unknown>>(rows);
    this.copyRows(ids, infos, true);
    return {
      obs: this.obs.wire(rows),
      rewards: wireFromTyped('float64', [rows], this.rewards.subarray(0, rows)),
      terminated: wireFromTyped('bool', [rows], this.terminated.subarray(0, rows)),
      truncated: wireFromTyped('bool', [rows], this.truncated.subarray(0, rows)),
      infos,
      env_ids: ids,
    };
  }

  render(ids: number[] | null): unknown[] {
    return idsOrAll(ids, this.envs.length).map((i) => toWireValue(this.envs[i]!.render()));
  }

  call(name: string, args: unknown[], kwargs: Record<string, unknown>, ids: number[] | null): unknown[] {
    return idsOrAll(ids, this.envs.length).map((i) => {
      const v = callOnEnv(this.envs[i]!, name, args, kwargs);
      return name === 'action_masks' ? masksToWire(v) : toWireValue(v);
    });
  }

  close(): void {
    this.pool.close();
  }

  /** Sub-env slots → reply row j (the j-th named sub-env): observation, info and, after a step, reward and flags. */
  private copyRows(ids: number[] | null, infos: Record<string, unknown>[], stepped: boolean): void {
    const slots = this.slots;
    for (let j = 0; j < infos.length; j++) {
      const i = ids === null ? j : ids[j]!;
      this.obs.write(j, slots.observations[i]);
      infos[j] = infoWire(this.pool.infos[i]!, ALREADY_WIRE);
      if (!stepped) continue;
      this.rewards[j] = slots.rewards[i]!;
      this.terminated[j] = slots.terminated[i]!;
      this.truncated[j] = slots.truncated[i]!;
    }
  }
}

interface StepWireArrays {
  /** The env's arrays these views are of. */
  of: [Float32Array, Uint8Array, Uint8Array];
  obs: WireArray;
  rewards: WireArray;
  terminated: WireArray;
  truncated: WireArray;
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
  private readonly wireActions: ActionBatch;
  /** The decoded rows, handed to the vector env whose own validation checks them (no conversion here). */
  private readonly rowActions: unknown[];
  /** Discrete actions as the Int32Array batch that vector envs step fastest; null for other action spaces. */
  private readonly discreteActions: Int32Array | null;
  private readonly rewards: Float64Array;
  /** The reply's infos, one array reused by every step (the reply is encoded before the next request is read). */
  private readonly infos: Record<string, unknown>[];
  private readonly finalWire = (fo: unknown): unknown =>
    fo instanceof Float32Array ? encodeTyped(fo.slice(), [...this.obsShape]) : toWireValue(fo);
  /** Window deltas for step replies (make.obs_window), when the env's observations have a window that fits. */
  private readonly deltas: WindowDeltaEncoder | null;
  private cachedWire: StepWireArrays | null = null;

  /** `obsWindow`: the client asked for window deltas (make.obs_window). */
  constructor(
    readonly venv: VectorEnv,
    readonly probe: EnvLike,
    obsWindow = false,
  ) {
    this.observationSpace = venv.singleObservationSpace;
    this.actionSpace = venv.singleActionSpace;
    this.obsShape = [...(this.observationSpace.shape ?? [])];
    const n = venv.numEnvs;
    const window = venv.observationWindow;
    this.deltas =
      obsWindow && window !== undefined && this.obsShape.length === 1 && WindowDeltaEncoder.fits(window, venv.obsDim)
        ? new WindowDeltaEncoder(n, venv.obsDim, window)
        : null;
    this.wireActions = actionBatch(this.actionSpace.toJSON(), n);
    this.rowActions = new Array<unknown>(n).fill(null);
    this.discreteActions = this.actionSpace.toJSON().type === 'Discrete' ? new Int32Array(n) : null;
    this.rewards = new Float64Array(n);
    this.infos = new Array<Record<string, unknown>>(n).fill(EMPTY_MAP);
    // Static attributes come from a probe env built with the same kwargs; state-dependent methods only from the
    // vector env itself (the probe never steps).
    this.callable = {
      attributes: callableNames(probe).attributes,
      methods: venv.actionMasks !== undefined ? ['action_masks'] : [],
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
    const r = this.venv.reset({ seed: poolSeeds(seeds), options: options ?? undefined });
    const reply: ResetResultWire = {
      obs: this.obsWire(r.observations),
      infos: r.infos.map((x) => infoWire(x, this.finalWire)),
      env_ids: null,
    };
    if (this.deltas !== null) reply.obs_seq = this.deltas.sent(r.observations);
    return reply;
  }

  /** The window layout step replies build on with deltas; null when they carry whole observations. */
  get obsWindow(): { rows: number; cols: number; stride: number } | null {
    const w = this.venv.observationWindow;
    return this.deltas !== null && w !== undefined ? { rows: w.rows, cols: w.cols, stride: w.stride ?? 1 } : null;
  }

  step(actions: unknown, ids: number[] | null): StepResultWire {
    this.wholeBatch(ids, 'step');
    const n = this.venv.numEnvs;
    let batch: Int32Array | unknown[] | null = this.int32Wire(actions, n);
    if (batch === null) {
      // The general path: every dtype the action space takes safely, with the refusals that name what was wrong.
      this.wireActions.read(actions, n, 'step.actions');
      for (let i = 0; i < n; i++) this.rowActions[i] = this.wireActions.get(i);
      batch = this.rowActions;
    }
    const r = this.venv.step(batch);
    for (let i = 0; i < n; i++) this.rewards[i] = r.rewards[i]!;
    const w = this.wireArrays(r.observations, r.terminated, r.truncated);
    const infos = this.infosWire(r.infos);
    if (this.deltas === null)
      return { obs: w.obs, rewards: w.rewards, terminated: w.terminated, truncated: w.truncated, infos, env_ids: null };
    const obs_delta = this.deltas.delta(r.observations);
    return { obs_delta, rewards: w.rewards, terminated: w.terminated, truncated: w.truncated, infos, env_ids: null };
  }

  /**
   * The step reply's arrays as wire values, built once and reused while the env steps into the same arrays (batched
   * envs do): they are views, read by the reply's encoding before the next request is read.
   */
  private wireArrays(obs: Float32Array, terminated: Uint8Array, truncated: Uint8Array): StepWireArrays {
    const c = this.cachedWire;
    if (c !== null && c.of[0] === obs && c.of[1] === terminated && c.of[2] === truncated) return c;
    const n = this.venv.numEnvs;
    this.cachedWire = {
      of: [obs, terminated, truncated],
      obs: this.obsWire(obs),
      rewards: wireFromTyped('float64', [n], this.rewards),
      terminated: wireFromTyped('bool', [n], terminated),
      truncated: wireFromTyped('bool', [n], truncated),
    };
    return this.cachedWire;
  }

  render(): unknown[] {
    throw new InvalidArgumentError(
      'this session runs a batched vector env, which has no per-sub-env render: make the session with a render_mode kwarg to get one that renders',
    );
  }

  call(name: string, args: unknown[], kwargs: Record<string, unknown>, idsIn: number[] | null): unknown[] {
    const n = this.venv.numEnvs;
    const ids = idsOrAll(idsIn, n);
    if (name === 'action_masks' && this.venv.actionMasks !== undefined) {
      const all = this.venv.actionMasks();
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
    checkEnvIds(ids, n);
    if (ids.length === n && ids.every((v, i) => v === i)) return;
    throw new InvalidArgumentError(
      `${op} with env_ids on a whole-batch session: make the session with batch_size < num_envs to ${op} subsets of sub-envs`,
    );
  }

  /**
   * What clients send for Discrete spaces (an int64 or int32 array of shape [n] whose values are int32s), read straight
   * into the Int32Array batch; null for anything else, which the general path reads and, where wrong, refuses.
   */
  private int32Wire(actions: unknown, n: number): Int32Array | null {
    const out = this.discreteActions;
    if (out === null || !looksLikeWireArray(actions)) return null;
    const { dtype, shape, data } = actions;
    if (shape.length !== 1 || shape[0] !== n || (dtype !== 'int64' && dtype !== 'int32')) return null;
    const wide = dtype === 'int64';
    if (data.byteLength !== n * (wide ? 8 : 4)) return null;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < n; i++) {
      if (!wide) out[i] = view.getInt32(i * 4, true);
      else {
        const lo = view.getInt32(i * 8, true);
        // An int64 is this int32 when its high word is the low word's sign.
        if (view.getInt32(i * 8 + 4, true) !== lo >> 31) return null;
        out[i] = lo;
      }
    }
    return out;
  }

  private infosWire(infos: readonly Info[]): Record<string, unknown>[] {
    for (let i = 0; i < infos.length; i++) this.infos[i] = infoWire(infos[i]!, this.finalWire);
    return this.infos;
  }

  private obsWire(flat: Float32Array): WireArray {
    return wireFromTyped('float32', [this.venv.numEnvs, ...this.obsShape], flat);
  }
}
