// The protocol's messages (docs/protocol.md is the normative text). Requests are msgpack maps told apart by `op`;
// every request carries an `id` that its reply echoes; a reply holds either `result` or `error`.
import type { AutoresetMode, SpaceJSON } from '../../core/types.ts';
import type { Tg4ErrorCode } from '../../core/errors.ts';
import { InvalidArgumentError } from '../../core/errors.ts';
import { ProtocolError, UnknownOpError } from '../errors.ts';
import { parseWireArray, typeName, type WireArray, INTEGER_DTYPES, dataView, readElement, product } from './arrays.ts';

export const PROTOCOL_VERSION = 1;
export const OPS = ['hello', 'make', 'reset', 'step', 'close', 'render', 'spaces', 'call'] as const;
export type Op = (typeof OPS)[number];
/** Arguments (and kwargs) of one `call`: an env method takes a handful; more is a client error, not a deep stack. */
export const MAX_CALL_ARGS = 64;

/** 'disabled' (no autoreset: step after the end is RESET_NEEDED) serves single envs, as Gymnasium's AutoresetMode.DISABLED. */
export type WireAutoresetMode = AutoresetMode | 'disabled';
export const AUTORESET_MODES: readonly WireAutoresetMode[] = ['next-step', 'same-step', 'disabled'];

export type RequestId = number | string | null;

interface Base {
  id: RequestId;
  v?: number;
}
export interface HelloRequest extends Base {
  op: 'hello';
  client?: string;
}
export interface MakeRequest extends Base {
  op: 'make';
  env_id: string;
  kwargs: Record<string, unknown>;
  num_envs: number;
  seed: number | null;
  autoreset: WireAutoresetMode;
  /** EnvPool's batch_size: below num_envs the session steps subsets of sub-envs (send/recv); null = whole batches. */
  batch_size: number | null;
  /** 'auto' (default): the spec's batched vector env when it fits, else N single envs; or force one of them. */
  engine: EngineChoice;
  /** The client rebuilds sliding-window observations from window deltas (ObsDeltaWire) when the env offers them. */
  obs_window: boolean;
}
export const ENGINES = ['auto', 'vector', 'sub-env'] as const;
export type EngineChoice = (typeof ENGINES)[number];
/** `seed`: one int (sub-env i gets seed + i) or one int-or-nil per reset sub-env. */
export interface ResetRequest extends Base {
  op: 'reset';
  session: string;
  seed: number | (number | null)[] | null;
  options: Record<string, unknown> | null;
  env_ids: number[] | null;
}
export interface StepRequest extends Base {
  op: 'step';
  session: string;
  actions: unknown;
  env_ids: number[] | null;
  /** The client has received every earlier reply of this connection to this session: its memory may be written over. */
  reuse_reply: boolean;
}
export interface CloseRequest extends Base {
  op: 'close';
  session: string;
}
export interface RenderRequest extends Base {
  op: 'render';
  session: string;
  env_ids: number[] | null;
}
export interface SpacesRequest extends Base {
  op: 'spaces';
  session: string;
}
export interface CallRequest extends Base {
  op: 'call';
  session: string;
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  env_ids: number[] | null;
}
export type Request =
  | HelloRequest
  | MakeRequest
  | ResetRequest
  | StepRequest
  | CloseRequest
  | RenderRequest
  | SpacesRequest
  | CallRequest;

export interface EnvSpecJSON {
  id: string;
  max_episode_steps: number | null;
  reward_threshold: number | null;
  nondeterministic: boolean;
}
export interface HelloResult {
  protocol: number;
  server: string;
  env_ids: string[];
  limits: {
    max_message_bytes: number;
    max_sessions: number;
    max_envs_per_session: number;
    idle_timeout_s: number;
    /** Estimated memory one session may take, and all sessions with the shared market data (bytes). */
    max_session_memory_bytes: number;
    max_server_memory_bytes: number;
  };
  /** Values of `data` that need no file: 'bundled'; plus whether the server offers a data dir for file names. */
  datasets: { named: string[]; data_dir: boolean };
}
export interface MakeResult {
  session: string;
  env_id: string;
  num_envs: number;
  autoreset: WireAutoresetMode;
  observation_space: SpaceJSON;
  action_space: SpaceJSON;
  spec: EnvSpecJSON;
  metadata: { render_modes: (string | null)[]; render_fps: number | null };
  render_mode: string | null;
  /** Names the `call` op accepts for this session's env. */
  callable: { attributes: string[]; methods: string[] };
  /** Which engine serves the session: 'vector' (the spec's batched vector env) or 'sub-env' (N single envs). */
  engine: 'vector' | 'sub-env';
  /** The window layout when step replies carry window deltas (make.obs_window and an env that has one); else null. */
  obs_window: { rows: number; cols: number; stride: number } | null;
}
export interface ResetResultWire {
  obs: WireValue;
  infos: Record<string, unknown>[];
  env_ids: number[] | null;
  /** With window deltas: the number of this observation batch, which the next step's delta builds on. */
  obs_seq?: number;
}
/**
 * A step's observations as changes to the batch the client holds (number seq − 1): sub-env i with shifted[i] drops
 * its window's oldest row and appends its next row of `tail` (the newest window row, then the values after the
 * window); the others take their next row of `full`, a whole observation.
 */
export interface ObsDeltaWire {
  seq: number;
  shifted: WireArray;
  full: WireArray;
  tail: WireArray;
}
/** A step's result: observations as `obs`, or as `obs_delta` in a session with window deltas. */
export type StepResultWire = Omit<ResetResultWire, 'obs' | 'obs_seq'> & {
  rewards: WireArray;
  terminated: WireArray;
  truncated: WireArray;
} & ({ obs: WireValue; obs_delta?: undefined } | { obs?: undefined; obs_delta: ObsDeltaWire });
/** An observation batch: one array, or a map/list of them for Dict/Tuple spaces. */
export type WireValue = WireArray | { [k: string]: WireValue } | WireValue[];

export interface ErrorBody {
  code: Tg4ErrorCode;
  message: string;
  [detail: string]: unknown;
}
export type Reply = { id: RequestId; result: unknown } | { id: RequestId; error: ErrorBody };

/** The request id of a decoded message, or null when there is none to echo. */
export function requestIdOf(raw: unknown): RequestId {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const id = (raw as Record<string, unknown>).id;
  if (typeof id === 'string' && id.length <= 128) return id;
  if (typeof id === 'number' && Number.isFinite(id)) return id;
  return null;
}

/** Validates a decoded message and returns the typed request; throws PROTOCOL_ERROR / UNKNOWN_OP / INVALID_ARGUMENT. */
export function parseRequest(raw: unknown): Request {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) {
    throw new ProtocolError(`a request must be a msgpack map {v, id, op, ...} (got ${typeName(raw)})`);
  }
  const m = raw as Record<string, unknown>;
  const id = requestIdOf(m);
  if (m.id !== undefined && m.id !== null && id === null)
    throw new ProtocolError('id must be an integer, a float or a string of at most 128 characters');
  if (m.v !== undefined && m.v !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      `protocol version ${String(m.v)} is not supported: this server speaks version ${PROTOCOL_VERSION} (send v: ${PROTOCOL_VERSION})`,
    );
  }
  const op = m.op;
  if (typeof op !== 'string') throw new ProtocolError(`op must be a string, one of ${OPS.join(', ')}`);
  switch (op) {
    case 'hello':
      return { op, id, client: optString(m, 'client') };
    case 'make': {
      const env_id = reqString(m, 'env_id');
      const kwargs = optMap(m, 'kwargs') ?? {};
      const num_envs = m.num_envs === undefined || m.num_envs === null ? 1 : m.num_envs;
      if (!Number.isSafeInteger(num_envs) || (num_envs as number) < 1)
        throw new InvalidArgumentError(`make.num_envs must be a positive integer (got ${String(num_envs)})`);
      const seed = optSeed(m.seed, 'make.seed');
      const autoreset = m.autoreset === undefined || m.autoreset === null ? 'next-step' : m.autoreset;
      if (!AUTORESET_MODES.includes(autoreset as WireAutoresetMode)) {
        throw new InvalidArgumentError(
          `make.autoreset must be one of ${AUTORESET_MODES.join(', ')} (got ${JSON.stringify(autoreset)})`,
        );
      }
      let batch_size: number | null = null;
      if (m.batch_size !== undefined && m.batch_size !== null) {
        if (
          !Number.isSafeInteger(m.batch_size) ||
          (m.batch_size as number) < 1 ||
          (m.batch_size as number) > (num_envs as number)
        ) {
          throw new InvalidArgumentError(
            `make.batch_size must be an integer in 1..num_envs (got ${String(m.batch_size)})`,
          );
        }
        batch_size = m.batch_size as number;
      }
      const engine = m.engine === undefined || m.engine === null ? 'auto' : m.engine;
      if (!ENGINES.includes(engine as EngineChoice))
        throw new InvalidArgumentError(
          `make.engine must be one of ${ENGINES.join(', ')} (got ${JSON.stringify(engine)})`,
        );
      if (m.obs_window !== undefined && m.obs_window !== null && typeof m.obs_window !== 'boolean')
        throw new ProtocolError(
          `make.obs_window must be true or false (or absent), got ${typeName(m.obs_window)}: send true only if the client rebuilds observations from window deltas`,
        );
      return {
        op,
        id,
        env_id,
        kwargs,
        num_envs: num_envs as number,
        seed,
        autoreset: autoreset as WireAutoresetMode,
        batch_size,
        engine: engine as EngineChoice,
        obs_window: m.obs_window === true,
      };
    }
    case 'reset': {
      let seed: ResetRequest['seed'] = null;
      if (Array.isArray(m.seed)) seed = m.seed.map((s, i) => optSeed(s, `reset.seed[${i}]`));
      else seed = optSeed(m.seed, 'reset.seed');
      return {
        op,
        id,
        session: reqString(m, 'session'),
        seed,
        options: optMap(m, 'options'),
        env_ids: optEnvIds(m.env_ids),
      };
    }
    case 'step':
      if (m.actions === undefined)
        throw new ProtocolError('step needs actions: an array {dtype, shape, data} with one row per stepped sub-env');
      if (m.reuse_reply !== undefined && m.reuse_reply !== null && typeof m.reuse_reply !== 'boolean')
        throw new ProtocolError(
          `step.reuse_reply must be true or false (or absent), got ${typeName(m.reuse_reply)}: send true only when every earlier reply to this session has been received`,
        );
      return {
        op,
        id,
        session: reqString(m, 'session'),
        actions: m.actions,
        env_ids: optEnvIds(m.env_ids),
        reuse_reply: m.reuse_reply === true,
      };
    case 'close':
      return { op, id, session: reqString(m, 'session') };
    case 'render':
      return { op, id, session: reqString(m, 'session'), env_ids: optEnvIds(m.env_ids) };
    case 'spaces':
      return { op, id, session: reqString(m, 'session') };
    case 'call': {
      const args = m.args === undefined || m.args === null ? [] : m.args;
      if (!Array.isArray(args)) throw new ProtocolError('call.args must be a list');
      if (args.length > MAX_CALL_ARGS)
        throw new InvalidArgumentError(
          `call.args holds ${args.length} arguments; a call takes at most ${MAX_CALL_ARGS} (pass a list as one argument)`,
        );
      const kw = optMap(m, 'kwargs') ?? {};
      if (Object.keys(kw).length > MAX_CALL_ARGS)
        throw new InvalidArgumentError(`call.kwargs holds more than ${MAX_CALL_ARGS} keys`);
      return {
        op,
        id,
        session: reqString(m, 'session'),
        name: reqString(m, 'name'),
        args,
        kwargs: kw,
        env_ids: optEnvIds(m.env_ids),
      };
    }
    default:
      throw new UnknownOpError(
        `unknown op ${JSON.stringify(op).slice(0, 64)}: this server (protocol ${PROTOCOL_VERSION}) knows ${OPS.join(', ')}`,
      );
  }
}

function reqString(m: Record<string, unknown>, key: string): string {
  const v = m[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > 256) {
    throw new ProtocolError(
      `${String(m.op)}.${key} must be a non-empty string of at most 256 characters (got ${typeName(v)})`,
    );
  }
  return v;
}
function optString(m: Record<string, unknown>, key: string): string | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ProtocolError(`${String(m.op)}.${key} must be a string`);
  return v;
}
function optMap(m: Record<string, unknown>, key: string): Record<string, unknown> | null {
  const v = m[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
    throw new ProtocolError(`${String(m.op)}.${key} must be a map (got ${typeName(v)})`);
  }
  return v as Record<string, unknown>;
}
function optSeed(v: unknown, what: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new InvalidArgumentError(`${what} must be a non-negative integer or nil (got ${String(v)})`);
  return v;
}
/** env_ids: a list of ints or an integer wire array; range and duplicates are checked against the session later. */
function optEnvIds(v: unknown): number[] | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) {
    if (!v.every((x) => Number.isSafeInteger(x))) throw new ProtocolError('env_ids must be a list of integers');
    return v as number[];
  }
  const w = parseWireArray(v, 'env_ids');
  if (!INTEGER_DTYPES.has(w.dtype) || w.shape.length !== 1)
    throw new ProtocolError('env_ids as an array must be 1-D with an integer dtype');
  const view = dataView(w);
  const out = new Array<number>(product(w.shape));
  for (let i = 0; i < out.length; i++) out[i] = readElement(view, w.dtype, i);
  return out;
}
