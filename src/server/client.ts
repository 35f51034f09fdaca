// The TypeScript client: one connection (transport/client-channel.ts) with pipelined requests (replies matched by id;
// the server answers each connection in order), and RemoteVectorEnv, a session of N remote sub-envs with EnvPool's
// send/recv.
import type { AutoresetMode, Space, SpaceJSON } from '../core/types.ts';
import { Tg4Error, type Tg4ErrorCode } from '../core/errors.ts';
import { spaceFromJSON } from '../core/spaces/from-json.ts';
import { flatdim } from '../core/spaces/flatten.ts';
import { isDtype, TYPED_ARRAY } from '../core/spaces/dtype.ts';
import { loadClientKeys, type ClientKeys } from './curve.ts';
import { RemoteError } from './errors.ts';
import { openChannel, type ClientChannel } from './transport/client-channel.ts';
import { WindowDeltaDecoder } from './obs-window.ts';
import { decodeMessage, encodeMessage } from './protocol/codec.ts';
import {
  decodeWireArray,
  encodeTyped,
  looksLikeWireArray,
  type DecodedArray,
  type WireArray,
} from './protocol/arrays.ts';
import {
  PROTOCOL_VERSION,
  type HelloResult,
  type MakeResult,
  type ObsDeltaWire,
  type Op,
  type WireAutoresetMode,
} from './protocol/messages.ts';

export interface ClientOptions {
  /** CURVE keys (or the folder `tg4 keys` wrote) for a server started with --curve-keys. */
  curve?: ClientKeys | string;
  /** How long a request may wait for its reply (ms). */
  timeoutMs?: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Tg4Client {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private sendChain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Why the connection ended, once the server ended it (unix): later requests fail at once with it. */
  private lost: string | null = null;
  hello!: HelloResult;

  private constructor(
    private readonly channel: ClientChannel,
    readonly address: string,
    private readonly timeoutMs: number,
  ) {
    channel.start(
      (body) => this.onReply(body),
      (why) => {
        this.lost = `${address}: ${why}: connect again once a server runs there`;
        this.failPending('INTERNAL', this.lost);
      },
    );
  }

  static async connect(address: string, options: ClientOptions = {}): Promise<Tg4Client> {
    const keys = typeof options.curve === 'string' ? loadClientKeys(options.curve) : options.curve;
    const client = new Tg4Client(await openChannel(address, keys), address, options.timeoutMs ?? 30_000);
    try {
      client.hello = await client.request<HelloResult>('hello', { v: PROTOCOL_VERSION, client: 'tg4-ts' });
    } catch (err) {
      client.close();
      throw err;
    }
    if (client.hello.protocol !== PROTOCOL_VERSION) {
      client.close();
      throw new Tg4Error(
        'PROTOCOL_ERROR',
        `server at ${address} speaks protocol ${client.hello.protocol}, this client ${PROTOCOL_VERSION}`,
      );
    }
    return client;
  }

  /** Sends one request and resolves with its result (or rejects with a RemoteError carrying the server's code). */
  request<T = unknown>(op: Op, fields: Record<string, unknown> = {}): Promise<T> {
    if (this.closed) return Promise.reject(new Tg4Error('CLOSED_ENV', 'this client is closed: connect a new one'));
    if (this.lost !== null) return Promise.reject(new Tg4Error('INTERNAL', this.lost));
    const id = this.nextId++;
    const bytes = encodeMessage({ ...fields, v: PROTOCOL_VERSION, id, op });
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new Tg4Error(
            'INTERNAL',
            `no reply to ${op} from ${this.address} within ${this.timeoutMs} ms: is \`tg4 serve\` running there (and are the CURVE keys right)?`,
          ),
        );
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.sendChain = this.sendChain
        .then(() => this.channel.send(bytes))
        .catch((err: Error) => {
          const p = this.pending.get(id);
          if (p !== undefined) {
            clearTimeout(p.timer);
            this.pending.delete(id);
            p.reject(new Tg4Error('INTERNAL', `sending ${op} failed: ${err.message}`));
          }
        });
    });
  }

  async makeVec(envId: string, options: MakeVecOptions = {}): Promise<RemoteVectorEnv> {
    const r = await this.request<MakeResult>('make', {
      env_id: envId,
      kwargs: options.kwargs ?? {},
      num_envs: options.numEnvs ?? 1,
      seed: options.seed ?? null,
      autoreset: options.autoreset ?? 'next-step',
      batch_size: options.batchSize ?? null,
      engine: options.engine ?? 'auto',
      obs_window: options.obsWindow ?? /^(tcp|unix):\/\//.test(this.address),
    });
    return new RemoteVectorEnv(this, r);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failPending('CLOSED_ENV', 'the client was closed before the reply came');
    this.channel.close();
  }

  private failPending(code: Tg4ErrorCode, message: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Tg4Error(code, message));
    }
    this.pending.clear();
  }

  private onReply(body: Buffer): void {
    let msg: Record<string, unknown>;
    try {
      msg = decodeMessage(body) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = this.pending.get(msg.id);
    if (p === undefined) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.error !== undefined && msg.error !== null) {
      const e = msg.error as { code: Tg4ErrorCode; message: string } & Record<string, unknown>;
      const { code, message, ...details } = e;
      p.reject(new RemoteError(code, message, details));
    } else {
      p.resolve(msg.result);
    }
  }
}

export interface MakeVecOptions {
  numEnvs?: number;
  kwargs?: Record<string, unknown>;
  seed?: number | null;
  autoreset?: AutoresetMode | 'disabled';
  /** EnvPool's batch_size: below numEnvs, step subsets of sub-envs with send(actions, envIds) / recv(). */
  batchSize?: number;
  /** 'auto' (default), or force the batched 'vector' engine or N single envs ('sub-env', which keep full infos). */
  engine?: 'auto' | 'vector' | 'sub-env';
  /**
   * Window deltas (docs/protocol.md): for sliding-window observations (the trading envs) a step reply carries each
   * sub-env's newest window rows only. Default: over tcp and unix://, where the bytes cost; not over ipc (docs/server.md, Performance).
   */
  obsWindow?: boolean;
}

/** Observations as typed arrays (Float32Array for float32 Boxes; int64 as Float64Array); maps/lists for Dict/Tuple. */
export type DecodedValue = DecodedArray | { [k: string]: DecodedValue } | DecodedValue[];

export interface RemoteResetResult {
  observations: DecodedValue;
  infos: Record<string, unknown>[];
  envIds: number[] | null;
}
export interface RemoteStepResult extends RemoteResetResult {
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
}

/** Decodes every wire array in a reply value (infos, call results) into typed arrays. */
export function decodeWireValue(x: unknown): unknown {
  if (looksLikeWireArray(x)) return decodeWireArray(x);
  if (Array.isArray(x)) return x.map(decodeWireValue);
  if (x !== null && typeof x === 'object' && !(x instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = decodeWireValue(v);
    return out;
  }
  return x;
}

export class RemoteVectorEnv {
  readonly session: string;
  readonly numEnvs: number;
  readonly autoreset: WireAutoresetMode;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly info: MakeResult;
  private readonly actionJSON: SpaceJSON;
  private readonly inflight: Promise<RemoteStepResult>[] = [];
  /** Steps sent and not answered yet, and whether every step reply so far has arrived (then reuse_reply may be sent). */
  private stepsPending = 0;
  private repliesReceived = false;
  /** Rebuilds observations from window deltas, in sessions the server serves with them (made.obs_window). */
  private readonly window: WindowDeltaDecoder | null;

  constructor(
    readonly client: Tg4Client,
    made: MakeResult,
  ) {
    this.info = made;
    this.session = made.session;
    this.numEnvs = made.num_envs;
    this.autoreset = made.autoreset;
    this.singleObservationSpace = spaceFromJSON(made.observation_space);
    this.singleActionSpace = spaceFromJSON(made.action_space);
    this.actionJSON = made.action_space;
    const w = made.obs_window ?? null;
    this.window = w === null ? null : new WindowDeltaDecoder(this.numEnvs, flatdim(this.singleObservationSpace), w);
  }

  async reset(
    args: { seed?: number | (number | null)[]; options?: Record<string, unknown>; envIds?: number[] } = {},
  ): Promise<RemoteResetResult> {
    const r = await this.client.request<Record<string, unknown>>('reset', {
      session: this.session,
      seed: args.seed ?? null,
      options: args.options ?? null,
      env_ids: args.envIds ?? null,
    });
    const observations = decodeWireValue(r.obs) as DecodedValue;
    if (this.window !== null && typeof r.obs_seq === 'number')
      this.window.hold(observations as Float32Array, r.obs_seq);
    return {
      observations,
      infos: decodeWireValue(r.infos) as Record<string, unknown>[],
      envIds: (r.env_ids as number[] | null) ?? null,
    };
  }

  step(
    actions: ArrayLike<number> | Record<string, ArrayLike<number>> | ArrayLike<number>[],
    envIds?: number[],
  ): Promise<RemoteStepResult> {
    const rows = envIds?.length ?? this.numEnvs;
    // reuse_reply (docs/protocol.md): the server may write this reply over the previous one's memory.
    const reuse = this.repliesReceived && this.stepsPending === 0;
    this.repliesReceived = false;
    this.stepsPending++;
    return this.client
      .request<Record<string, unknown>>('step', {
        session: this.session,
        actions: encodeActions(this.actionJSON, actions, rows),
        env_ids: envIds ?? null,
        ...(reuse ? { reuse_reply: true } : {}),
      })
      .then(
        (r) => {
          this.repliesReceived = --this.stepsPending === 0;
          return decodeStep(r, this.window);
        },
        (err: unknown) => {
          this.stepsPending--;
          throw err;
        },
      );
  }

  /** EnvPool's send: queues a step of `envIds` (all when omitted) without waiting; pair with recv(). */
  send(actions: ArrayLike<number>, envIds?: number[]): void {
    const p = this.step(actions, envIds);
    p.catch(() => {}); // surfaced by recv()
    this.inflight.push(p);
  }

  /** EnvPool's recv: the result of the oldest send() not yet received. */
  async recv(): Promise<RemoteStepResult> {
    const p = this.inflight.shift();
    if (p === undefined)
      throw new Tg4Error('INVALID_ARGUMENT', 'recv() without a pending send(): call send(actions, envIds) first');
    return p;
  }

  async render(envIds?: number[]): Promise<unknown[]> {
    const r = await this.client.request<{ frames: unknown[] }>('render', {
      session: this.session,
      env_ids: envIds ?? null,
    });
    return decodeWireValue(r.frames) as unknown[];
  }

  async call(
    name: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    envIds?: number[],
  ): Promise<unknown[]> {
    const r = await this.client.request<{ values: unknown[] }>('call', {
      session: this.session,
      name,
      args,
      kwargs,
      env_ids: envIds ?? null,
    });
    return decodeWireValue(r.values) as unknown[];
  }

  async spaces(): Promise<{ observation_space: SpaceJSON; action_space: SpaceJSON; num_envs: number }> {
    return this.client.request('spaces', { session: this.session });
  }

  async close(): Promise<void> {
    await this.client.request('close', { session: this.session });
  }
}

function decodeStep(r: Record<string, unknown>, window: WindowDeltaDecoder | null): RemoteStepResult {
  return {
    observations: r.obs_delta === undefined ? (decodeWireValue(r.obs) as DecodedValue) : windowObs(r.obs_delta, window),
    rewards: decodeWireArray(r.rewards as WireArray) as Float64Array,
    terminated: decodeWireArray(r.terminated as WireArray) as Uint8Array,
    truncated: decodeWireArray(r.truncated as WireArray) as Uint8Array,
    infos: decodeWireValue(r.infos) as Record<string, unknown>[],
    envIds: (r.env_ids as number[] | null) ?? null,
  };
}

function windowObs(delta: unknown, window: WindowDeltaDecoder | null): Float32Array {
  if (window === null)
    throw new Tg4Error('PROTOCOL_ERROR', 'the server sent a window delta to a session that did not ask for one');
  const d = delta as ObsDeltaWire;
  return window.apply({
    seq: d.seq,
    shifted: decodeWireArray(d.shifted) as Uint8Array,
    full: decodeWireArray(d.full) as Float32Array,
    tail: decodeWireArray(d.tail) as Float32Array,
  });
}

/** Encodes a batch of `rows` actions for an action space: Discrete as int64, Box/MultiDiscrete in their dtype. */
export function encodeActions(space: SpaceJSON, actions: unknown, rows: number): unknown {
  switch (space.type) {
    case 'Discrete':
      return encodeTyped(Float64Array.from(actions as ArrayLike<number>), [rows], 'int64');
    case 'Box': {
      const flat = asTyped(space.dtype, actions);
      return encodeTyped(flat, [rows, ...space.shape], space.dtype);
    }
    case 'MultiDiscrete':
      return encodeTyped(asTyped(space.dtype, actions), [rows, space.nvec.length], space.dtype);
    case 'MultiBinary':
      return encodeTyped(Int8Array.from(actions as ArrayLike<number>), [rows, ...space.n], 'int8');
    case 'Dict': {
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(space.spaces))
        out[k] = encodeActions(s, (actions as Record<string, unknown>)[k], rows);
      return out;
    }
    case 'Tuple':
      return space.spaces.map((s, i) => encodeActions(s, (actions as unknown[])[i], rows));
  }
}

/** The actions as the dtype's typed array (core's table), copied only when they are not that array already. */
function asTyped(dtype: string, x: unknown): ArrayBufferView {
  const Typed = isDtype(dtype) ? TYPED_ARRAY[dtype] : Uint8Array;
  return x instanceof Typed ? x : new Typed(x as ArrayLike<number>);
}
