// (~575 lines on purpose: the socket loop, session table and memory accounting are state that every request reads.)
// The environment server: one socket (a ZeroMQ ROUTER, or a plain Unix socket: transport/), msgpack requests
// (docs/protocol.md), sessions of N sub-envs. Requests are handled one at a time, in arrival order per connection
// (both transports take turns between connections, so a client flooding the socket delays the others by at most its
// share). A `make` is built in the background, in slices that yield to the event loop, so other clients keep
// stepping meanwhile; the same connection's later requests wait for its make's reply (order per connection holds).
// Before building, a make's memory is estimated and bounded per session and per server, and what it reads comes only
// from the operator's data dir (client-kwargs.ts). No client message can stop the server: every failure becomes an
// error reply.
import { randomBytes } from 'node:crypto';
import { endianness } from 'node:os';
import { InvalidArgumentError, Tg4Error, UnknownEnvError } from '../core/errors.ts';
import type { EnvLike } from '../core/env.ts';
import { parseBindAddress } from './address.ts';
import { LimitExceededError, ProtocolError, UnknownSessionError } from './errors.ts';
import { registryEnvSource, type EnvSource } from './env-source.ts';
import { resolveLimits, type ServerLimits } from './limits.ts';
import { DataAccess, NAMED_DATASETS } from './data-access.ts';
import { MarketStore, type StoreLease } from './market-store.ts';
import { resolveClientKwargs, type ResolvedKwargs } from './client-kwargs.ts';
import { estimateSessionBytes, formatBytes, type EngineKind } from './memory-estimate.ts';
import { decodeMessage, encodeMessage } from './protocol/codec.ts';
import { peekRequestId } from './protocol/peek-id.ts';
import { encodeBatchReply } from './protocol/fast-reply.ts';
import { readStepRequest } from './protocol/fast-step.ts';
import {
  PROTOCOL_VERSION,
  parseRequest,
  requestIdOf,
  type ErrorBody,
  type HelloResult,
  type MakeRequest,
  type MakeResult,
  type Request,
  type RequestId,
  type StepResultWire,
} from './protocol/messages.ts';
import { Session, SubEnvEngine, VectorEngine, type SessionEngine } from './session.ts';
import type { ServerTransport } from './transport/server-transport.ts';
import { UnixServerTransport } from './transport/server-unix.ts';
import { ZmqServerTransport } from './transport/server-zmq.ts';

export const SERVER_NAME = 'tg4-gym/0.1.0';

export interface ServerOptions {
  /** tcp://HOST:PORT (PORT * or 0 picks a free port), ipc://PATH, unix://PATH (a plain Unix socket, the fastest local
   * transport) or inproc://NAME. Default tcp://127.0.0.1:5555. */
  bind?: string;
  limits?: Partial<ServerLimits>;
  /** Folder from `tg4 keys`: turns on CURVE encryption and client authentication. */
  curveKeysDir?: string;
  /** Allow a non-loopback bind without CURVE (anyone who can reach the port can run envs). */
  insecure?: boolean;
  /** The only folder whose files clients may name (`data`, `features`); none by default (named datasets only). */
  dataDir?: string;
  /** Where envs come from; the core registry with the built-in envs by default. */
  source?: EnvSource;
  /** Session events (made, closed, expired), one line each; silent by default. */
  log?: (line: string) => void;
  /** Clock in ms, for tests of the idle timeout. */
  now?: () => number;
}

export interface ServerStats {
  sessions: number;
  requests: number;
  errors: number;
  expired: number;
}

/** Requests one connection may queue while its make builds; beyond, they are answered LIMIT_EXCEEDED at once. */
const MAX_BACKLOG = 1000;
/** Work between two yields to the event loop while a make builds its sub-envs. */
const BUILD_SLICE_MS = 8;

export class Tg4Server {
  readonly sessions = new Map<string, Session>();
  readonly limits: ServerLimits;
  /** Loaded frames and feature matrices shared by sessions over the same data and spec. */
  readonly store = new MarketStore();
  /** Estimated bytes and store lease of each session. */
  private readonly held = new Map<string, { bytes: number; lease: StoreLease }>();
  /** Estimated bytes of makes being built. */
  private buildingBytes = 0;
  private building = 0;
  /** Connections with a make in progress, and their requests that arrived meanwhile. */
  private readonly backlog = new Map<string, Buffer[][]>();
  private sendChain: Promise<void> = Promise.resolve();
  private access: DataAccess = DataAccess.create(null, 1);
  private readonly stats_: ServerStats = { sessions: 0, requests: 0, errors: 0, expired: 0 };
  private stopping = false;
  private loop: Promise<void> | null = null;
  private sweeper: NodeJS.Timeout | null = null;

  private constructor(
    private readonly transport: ServerTransport,
    readonly address: string,
    private readonly source: EnvSource,
    limits: ServerLimits,
    private readonly log: (line: string) => void,
    private readonly now: () => number,
  ) {
    this.limits = limits;
  }

  static async start(options: ServerOptions = {}): Promise<Tg4Server> {
    if (endianness() !== 'LE')
      throw new Tg4Error('INTERNAL', 'the wire protocol sends little-endian arrays; this machine is big-endian');
    const bind = options.bind ?? 'tcp://127.0.0.1:5555';
    const addr = parseBindAddress(bind);
    if (!addr.loopback && options.curveKeysDir === undefined && options.insecure !== true) {
      throw new InvalidArgumentError(
        `${bind} is reachable from other machines: pass --curve-keys DIR (make one with \`tg4 keys --out DIR\`) to encrypt and authenticate, or --insecure to serve it unprotected`,
      );
    }
    const limits = resolveLimits(options.limits);
    const access = DataAccess.create(options.dataDir, limits.maxDataFileBytes);
    const source = options.source ?? (await registryEnvSource());
    const log = options.log ?? (() => {});
    // Above 4× the message limit a peer is dropped (by libzmq, or by the unix reader before it allocates); below it
    // the server answers LIMIT_EXCEEDED.
    let transport: ServerTransport;
    if (addr.transport === 'unix') {
      if (options.curveKeysDir !== undefined)
        throw new InvalidArgumentError(
          `${bind} is a local socket, which CURVE does not apply to (its file permissions admit clients): drop --curve-keys, or bind tcp:// to serve other machines with CURVE`,
        );
      transport = await UnixServerTransport.listen(bind.slice('unix://'.length), limits.maxMessageBytes * 4, log);
    } else {
      transport = await ZmqServerTransport.bind(bind, limits.maxMessageBytes * 4, options.curveKeysDir);
    }
    const server = new Tg4Server(transport, transport.address, source, limits, log, options.now ?? Date.now);
    server.access = access;
    server.loop = server.serve();
    const every = Math.max(20, Math.min(1000, (limits.idleTimeoutS * 1000) / 4));
    server.sweeper = setInterval(() => server.expireIdle(), every);
    server.sweeper.unref();
    return server;
  }

  stats(): ServerStats {
    return { ...this.stats_, sessions: this.sessions.size };
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.transport.close();
    await this.loop?.catch(() => {});
    for (const s of this.sessions.values()) closeQuietly(s);
    for (const id of this.sessions.keys()) this.forget(id);
    this.sessions.clear();
  }

  /** Estimated memory held: sessions, makes being built, and the shared market data. */
  memoryBytes(): number {
    let n = this.buildingBytes + this.store.totalBytes();
    for (const h of this.held.values()) n += h.bytes;
    return n;
  }

  private forget(id: string): void {
    const h = this.held.get(id);
    this.held.delete(id);
    h?.lease.release();
  }

  /** Closes sessions unused for longer than the idle timeout. */
  expireIdle(): void {
    const limit = this.limits.idleTimeoutS * 1000;
    const t = this.now();
    for (const [id, s] of this.sessions) {
      if (t - s.lastUsedMs > limit) {
        this.sessions.delete(id);
        closeQuietly(s);
        this.forget(id);
        this.stats_.expired++;
        this.log(`session ${id} (${s.envId} ×${s.numEnvs}) expired after ${this.limits.idleTimeoutS}s idle`);
      }
    }
  }

  private async serve(): Promise<void> {
    while (!this.stopping) {
      let frames: Buffer[];
      try {
        frames = await this.transport.receive();
      } catch (err) {
        if (this.stopping) return;
        this.log(`receive failed: ${(err as Error).message}`);
        continue;
      }
      if (frames.length < 2) continue;
      const peer = frames[0]!.toString('latin1');
      const queue = this.backlog.get(peer);
      if (queue !== undefined) {
        if (queue.length < MAX_BACKLOG) queue.push(frames);
        else await this.send(this.busyReply(frames));
        continue;
      }
      let reply: Buffer[] | Promise<Buffer[]>;
      try {
        reply = this.handleFrames(frames);
      } catch (err) {
        // handleFrames answers every failure itself; this is the last line, so that the loop never ends.
        this.log(`request handling failed: ${(err as Error).message}`);
        continue;
      }
      if (reply instanceof Promise) {
        this.backlog.set(peer, []);
        void this.finishInBackground(peer, reply);
      } else await this.send(reply);
    }
  }

  /** Sends a make's reply when it is built, then the requests its connection sent meanwhile, in order. */
  private async finishInBackground(peer: string, first: Promise<Buffer[]>): Promise<void> {
    const queue = this.backlog.get(peer)!;
    try {
      await this.send(await first);
      while (queue.length > 0 && !this.stopping) {
        const r = this.handleFrames(queue.shift()!);
        await this.send(r instanceof Promise ? await r : r);
      }
    } catch (err) {
      this.log(`request handling failed: ${(err as Error).message}`);
    } finally {
      this.backlog.delete(peer);
    }
  }

  /** Replies go out one at a time (a socket takes one send at a time); the returned promise settles when this one has. */
  private send(reply: Buffer[]): Promise<void> {
    const sent = this.sendChain.then(async () => {
      try {
        await this.transport.send(reply);
      } catch (err) {
        if (!this.stopping) this.log(`reply to a client failed (it may have gone): ${(err as Error).message}`);
      }
    });
    this.sendChain = sent;
    return sent;
  }

  private busyReply(frames: Buffer[]): Buffer[] {
    this.stats_.requests++;
    this.stats_.errors++;
    const body = frames[frames.length - 1]!;
    const error = new LimitExceededError(
      `${MAX_BACKLOG} requests of this connection already wait for its make to finish: wait for the make's reply before sending more`,
    );
    return [...frames.slice(0, -1), encodeMessage({ id: peekRequestId(body), error: errorBody(error) })];
  }

  /** [identity, ...envelope, body] → [identity, ...envelope, reply]: REQ's empty delimiter comes back as it came. */
  private handleFrames(frames: Buffer[]): Buffer[] | Promise<Buffer[]> {
    const identity = frames[0]!;
    const envelope = frames.slice(1, -1);
    const body = frames[frames.length - 1]!;
    let id: RequestId = null;
    let out: unknown;
    this.stats_.requests++;
    try {
      if (envelope.length > 2)
        throw new ProtocolError(
          `a request is one frame (DEALER) or an empty frame then one frame (REQ); got ${frames.length - 1} frames`,
        );
      if (body.byteLength > this.limits.maxMessageBytes) {
        id = peekRequestId(body);
        throw new LimitExceededError(
          `the message is ${body.byteLength} bytes, over this server's limit of ${this.limits.maxMessageBytes}: step fewer sub-envs per message, or restart the server with a larger --max-message-bytes`,
        );
      }
      let req: Request | null = readStepRequest(body);
      if (req !== null) id = req.id;
      else {
        const raw = decodeMessage(body);
        id = requestIdOf(raw);
        req = parseRequest(raw);
      }
      if (req.op === 'make') return this.makeReply(identity, envelope, id, req);
      const result = this.dispatch(req);
      if (req.op === 'step' || req.op === 'reset') {
        const target =
          req.op === 'step'
            ? { memory: this.session(req.session).replyMemory, peer: identity, reuse: req.reuse_reply }
            : undefined;
        const fast = encodeBatchReply(id, result as StepResultWire, target);
        if (fast !== null) return [identity, ...envelope, fast];
      }
      out = { id, result };
    } catch (err) {
      this.stats_.errors++;
      out = { id, error: errorBody(err) };
    }
    return [identity, ...envelope, encodeReply(id, out)];
  }

  private async makeReply(identity: Buffer, envelope: Buffer[], id: RequestId, req: MakeRequest): Promise<Buffer[]> {
    let out: unknown;
    try {
      out = { id, result: await this.make(req) };
    } catch (err) {
      this.stats_.errors++;
      out = { id, error: errorBody(err) };
    }
    return [identity, ...envelope, encodeReply(id, out)];
  }

  private dispatch(req: Request): unknown {
    switch (req.op) {
      case 'hello': {
        const r: HelloResult = {
          protocol: PROTOCOL_VERSION,
          server: SERVER_NAME,
          env_ids: this.source.ids(),
          limits: {
            max_message_bytes: this.limits.maxMessageBytes,
            max_sessions: this.limits.maxSessions,
            max_envs_per_session: this.limits.maxEnvsPerSession,
            idle_timeout_s: this.limits.idleTimeoutS,
            max_session_memory_bytes: this.limits.maxSessionMemoryBytes,
            max_server_memory_bytes: this.limits.maxServerMemoryBytes,
          },
          datasets: { named: [...NAMED_DATASETS], data_dir: this.access.root !== null },
        };
        return r;
      }
      case 'make':
        throw new Tg4Error('INTERNAL', 'make is handled by makeReply');
      case 'close': {
        const s = this.session(req.session);
        this.sessions.delete(s.id);
        this.forget(s.id);
        s.engine.close();
        this.log(`session ${s.id} closed`);
        return { closed: true };
      }
      case 'reset':
        return this.session(req.session).reset(req.seed, req.options, req.env_ids);
      case 'step':
        return this.session(req.session).engine.step(req.actions, req.env_ids);
      case 'render':
        return { frames: this.session(req.session).engine.render(req.env_ids) };
      case 'spaces': {
        const s = this.session(req.session);
        return {
          observation_space: s.engine.observationSpace.toJSON(),
          action_space: s.engine.actionSpace.toJSON(),
          num_envs: s.numEnvs,
        };
      }
      case 'call':
        return { values: this.session(req.session).engine.call(req.name, req.args, req.kwargs, req.env_ids) };
    }
  }

  private session(id: string): Session {
    const s = this.sessions.get(id);
    if (s === undefined) {
      throw new UnknownSessionError(
        `no session ${JSON.stringify(id).slice(0, 80)} on this server: it was closed, expired after ${this.limits.idleTimeoutS}s idle, or never made; send make for a new one`,
      );
    }
    s.lastUsedMs = this.now();
    return s;
  }

  private async make(req: MakeRequest): Promise<MakeResult> {
    if (this.sessions.size + this.building >= this.limits.maxSessions) {
      throw new LimitExceededError(
        `this server already holds ${this.sessions.size} sessions${this.building > 0 ? ` and builds ${this.building}` : ''}, its limit: close sessions you no longer use, or restart it with a larger --max-sessions`,
      );
    }
    if (req.num_envs > this.limits.maxEnvsPerSession) {
      throw new LimitExceededError(
        `num_envs ${req.num_envs} is over this server's limit of ${this.limits.maxEnvsPerSession} sub-envs per session (--max-envs-per-session)`,
      );
    }
    if (!this.source.ids().includes(req.env_id)) {
      throw new UnknownEnvError(
        `no env is registered under ${JSON.stringify(req.env_id)} on this server: known ids are ${this.source.ids().join(', ')}`,
      );
    }
    const spec = this.source.spec(req.env_id);
    this.building++;
    let resolved: ResolvedKwargs | null = null;
    const hold = { bytes: 0 };
    try {
      resolved = await resolveClientKwargs(req.env_id, req.kwargs, {
        access: this.access,
        store: this.store,
        reserve: (bytes, what) => this.checkServerMemory(bytes, what),
        log: this.log,
      });
      const r = resolved;
      const built = await this.buildEngine(req, r, hold);
      const engine = built.engine;
      if (this.stopping) {
        engine.close(); // stop() has already closed the sessions it knew of
        throw new Tg4Error('INTERNAL', 'the server stopped while this make was being built');
      }
      const id = randomBytes(16).toString('hex');
      const session = new Session(id, req.env_id, req.num_envs, req.autoreset, spec, engine, req.seed, this.now());
      this.sessions.set(id, session);
      this.held.set(id, { bytes: built.bytes, lease: r.lease });
      resolved = null; // the session owns the lease now
      this.log(
        `session ${id} made: ${req.env_id} ×${req.num_envs} (${req.autoreset}), about ${formatBytes(built.bytes)} estimated`,
      );
      const probe = engine instanceof SubEnvEngine ? engine.envs[0]! : (engine as VectorEngine).probe;
      const meta = probe.metadata;
      return {
        session: id,
        env_id: req.env_id,
        num_envs: req.num_envs,
        autoreset: req.autoreset,
        observation_space: engine.observationSpace.toJSON(),
        action_space: engine.actionSpace.toJSON(),
        spec: session.specJSON(),
        metadata: { render_modes: [...meta.renderModes], render_fps: meta.renderFps ?? null },
        render_mode: probe.renderMode,
        callable: engine.callable,
        engine: engine instanceof VectorEngine ? 'vector' : 'sub-env',
        obs_window: engine instanceof VectorEngine ? engine.obsWindow : null,
      };
    } finally {
      this.building--;
      this.buildingBytes -= hold.bytes;
      resolved?.lease.release();
    }
  }

  /** LIMIT_EXCEEDED when `bytes` more would take the server past its memory limit. */
  private checkServerMemory(bytes: number, what: string): void {
    const used = this.memoryBytes();
    if (used + bytes > this.limits.maxServerMemoryBytes) {
      throw new LimitExceededError(
        `${what} would need about ${formatBytes(bytes)}; this server holds about ${formatBytes(used)} of its ${formatBytes(this.limits.maxServerMemoryBytes)} limit: close sessions, make fewer or smaller ones, or restart it with a larger --max-server-mb`,
      );
    }
  }

  /** Estimates the session (LIMIT_EXCEEDED over a limit), reserves it, then builds it in slices that yield. */
  private async buildEngine(
    req: MakeRequest,
    r: ResolvedKwargs,
    hold: { bytes: number },
  ): Promise<{ engine: SessionEngine; bytes: number }> {
    const batchSize = req.batch_size ?? req.num_envs;
    const estimate = (engine: EngineKind, numEnvs: number, obsElements: number): number => {
      const bytes = estimateSessionBytes({
        engine,
        numEnvs,
        obsElements,
        obsWindow: req.obs_window,
        bars: r.bars,
        symbols: r.symbols,
        features: r.features,
      });
      const what = `make ${req.env_id} ×${numEnvs} (${engine} engine, observations of ${obsElements} floats${r.bars > 0 ? `, ${r.bars} bars × ${r.features} feature columns` : ''})`;
      if (bytes > this.limits.maxSessionMemoryBytes) {
        throw new LimitExceededError(
          `${what} would need about ${formatBytes(bytes)}, over this server's limit of ${formatBytes(this.limits.maxSessionMemoryBytes)} per session: use fewer sub-envs or a smaller windowSize, or restart the server with a larger --max-session-mb`,
        );
      }
      this.checkServerMemory(bytes - hold.bytes, what);
      this.buildingBytes += bytes - hold.bytes;
      hold.bytes = bytes;
      return bytes;
    };
    const envs: EnvLike[] = [];
    try {
      // The probe: one sub-env, estimated first when the observation size is known before building.
      if (r.obsElements !== null) estimate('sub-env', 1, r.obsElements);
      const first = this.source.make(req.env_id, r.kwargs);
      envs.push(first);
      const obsElements = r.obsElements ?? observationElements(first);
      const fits =
        req.autoreset !== 'disabled' &&
        batchSize >= req.num_envs &&
        first.renderMode === null &&
        VectorEngine.fits(first.observationSpace.toJSON(), first.actionSpace.toJSON());
      if (fits && req.engine !== 'sub-env' && this.source.spec(req.env_id).vectorEntryPoint !== undefined) {
        const bytes = estimate('vector', req.num_envs, obsElements);
        const venv = this.source.makeVec(
          req.env_id,
          req.num_envs,
          req.autoreset as 'next-step' | 'same-step',
          r.kwargs,
        );
        if (venv !== null) return { engine: new VectorEngine(venv, first, req.obs_window), bytes };
      }
      if (req.engine === 'vector') {
        throw new InvalidArgumentError(
          `engine 'vector' is not available for this session: it needs a spec with a vectorEntryPoint, Box float32 observations, Discrete or Box float32 actions, autoreset next-step or same-step, no render_mode and no batch_size below num_envs`,
        );
      }
      const bytes = estimate('sub-env', req.num_envs, obsElements);
      let slice = performance.now();
      for (let i = 1; i < req.num_envs; i++) {
        if (performance.now() - slice > BUILD_SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.stopping) throw new Tg4Error('INTERNAL', 'the server is stopping');
          slice = performance.now();
        }
        envs.push(this.source.make(req.env_id, r.kwargs));
      }
      return { engine: new SubEnvEngine(envs, req.autoreset), bytes };
    } catch (err) {
      for (const e of envs) closeEnvQuietly(e);
      if (err instanceof Tg4Error) throw err;
      throw new InvalidArgumentError(
        `make ${req.env_id} with kwargs ${JSON.stringify(req.kwargs).slice(0, 200)} failed: ${(err as Error).message}`,
      );
    }
  }
}

/** Float32 elements of one observation: the Box's size, else a generous bound for composite spaces. */
function observationElements(env: EnvLike): number {
  const shape = env.observationSpace.shape;
  if (shape === null || shape === undefined) return 4096;
  return shape.reduce((a, b) => a * b, 1);
}

function closeEnvQuietly(e: EnvLike): void {
  try {
    e.close();
  } catch {
    // Already failing: the first error is the one to report.
  }
}

function encodeReply(id: RequestId, out: unknown): Buffer {
  try {
    return encodeMessage(out);
  } catch (err) {
    return encodeMessage({
      id,
      error: { code: 'INTERNAL', message: `the reply could not be encoded: ${(err as Error).message}` },
    });
  }
}

/** Closing runs outside any request (timer, shutdown): an env that throws on close must not take the server down. */
function closeQuietly(s: Session): void {
  try {
    s.engine.close();
  } catch {
    // The session is forgotten either way.
  }
}

export function errorBody(err: unknown): ErrorBody {
  if (err instanceof Tg4Error) {
    const body: ErrorBody = { code: err.code, message: err.message };
    const attribute = (err as { attribute?: unknown }).attribute;
    if (typeof attribute === 'string') body.attribute = attribute;
    return body;
  }
  return {
    code: 'INTERNAL',
    message: `internal server error: ${(err as Error)?.message ?? String(err)} (the server keeps serving)`,
  };
}
