// The plain Unix-socket transport of the server (unix://PATH): length-prefixed frames (framing.ts) on a stream socket
// served by Node's own event loop. For a client on the same machine it costs a fraction of ZeroMQ's round trip (an
// echo: 19 µs against 54–85 µs, docs/server.md "Performance"), because no I/O thread and no promise-per-message
// bridge sit between the socket and the loop. Only processes that may open PATH connect: the socket is made mode 0600
// (its folder's permissions are the real guard, as for any Unix socket); CURVE does not apply.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { InvalidArgumentError } from '../../core/errors.ts';
import { FrameReader, FrameTooLargeError, writeFrame } from './framing.ts';
import type { ServerTransport } from './server-transport.ts';

/** Longest socket path Linux accepts (sun_path is 108 bytes with its terminating NUL). */
export const MAX_UNIX_PATH_BYTES = 107;
/** Requests one connection may have waiting for the server loop before it stops reading from that connection. */
const QUEUED_PER_CONNECTION = 4;
/** Connections open at once; more are closed on arrival (each may hold a partial frame of up to 4× the message limit). */
export const MAX_UNIX_CONNECTIONS = 256;

interface Connection {
  readonly identity: Buffer;
  readonly socket: Socket;
  readonly reader: FrameReader;
  /** Its requests read but not yet handed to the server loop (one read may hold many). */
  readonly requests: Buffer[];
  /** In `turns`: it has requests waiting. */
  waiting: boolean;
  paused: boolean;
}

export class UnixServerTransport implements ServerTransport {
  private readonly connections = new Map<string, Connection>();
  /**
   * Connections with requests waiting, in turn order: receive() takes one request from the first whose unsent replies
   * have drained and moves it to the back, so a flood delays the others by its share and a client that does not read
   * its replies gets no more of its requests served (its unsent replies stay at about one).
   */
  private readonly turns: Connection[] = [];
  private waiter: { resolve: (f: Buffer[]) => void; reject: (e: Error) => void } | null = null;
  private closed = false;
  private nextId = 0;

  private constructor(
    private readonly server: Server,
    readonly path: string,
    private readonly maxFrameBytes: number,
    private readonly log: (line: string) => void,
  ) {
    server.on('connection', (s) => this.accept(s));
  }

  get address(): string {
    return `unix://${this.path}`;
  }

  /**
   * Listens on `path`. A stale socket left by a server that died is replaced; anything else at the path (a live
   * server, a file, a folder) is refused and left as it is. A frame announcing more than `maxFrameBytes` drops its
   * connection before anything is allocated for it.
   */
  static async listen(path: string, maxFrameBytes: number, log: (line: string) => void): Promise<UnixServerTransport> {
    const bytes = Buffer.byteLength(path);
    if (path.length === 0 || bytes > MAX_UNIX_PATH_BYTES)
      throw new InvalidArgumentError(
        `unix socket path ${JSON.stringify(path)} is ${bytes} bytes; the OS allows 1 to ${MAX_UNIX_PATH_BYTES}: use a shorter path (e.g. under /tmp)`,
      );
    await clearStaleSocket(path);
    const server = createServer({ pauseOnConnect: false });
    server.maxConnections = MAX_UNIX_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new InvalidArgumentError(
            `cannot listen on unix://${path}: ${err.code ?? err.message} (does its folder exist and may this user write there?)`,
          ),
        ),
      );
      server.listen({ path, readableAll: false, writableAll: false }, () => resolve());
    });
    chmodSync(path, 0o600);
    server.on('error', (err) => log(`unix socket error: ${err.message}`));
    return new UnixServerTransport(server, path, maxFrameBytes, log);
  }

  receive(): Promise<Buffer[]> {
    if (this.closed) return Promise.reject(new Error('transport closed'));
    const frames = this.take();
    if (frames === null) return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
    return Promise.resolve(frames);
  }

  send(frames: Buffer[]): Promise<void> {
    const conn = this.connections.get(frames[0]!.toString('latin1'));
    if (conn === undefined || conn.socket.destroyed) return Promise.resolve();
    writeFrame(conn.socket, frames[frames.length - 1]!);
    // A client that does not read its replies stops being read (flow): its unsent replies stay bounded.
    this.flow(conn);
    return Promise.resolve();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.close();
    for (const c of this.connections.values()) c.socket.destroy();
    this.connections.clear();
    this.waiter?.reject(new Error('transport closed'));
    this.waiter = null;
    try {
      if (lstatSync(this.path).isSocket()) unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const identity = Buffer.from(`unix:${this.nextId++}`, 'latin1');
    const conn: Connection = {
      identity,
      socket,
      reader: new FrameReader(this.maxFrameBytes),
      requests: [],
      waiting: false,
      paused: false,
    };
    const key = identity.toString('latin1');
    this.connections.set(key, conn);
    socket.on('data', (chunk: Buffer) => {
      try {
        conn.reader.push(chunk, (body) => this.deliver(conn, body));
      } catch (err) {
        // As libzmq does above maxMessageSize: the stream cannot be resynchronised, so the connection goes.
        const why = err instanceof FrameTooLargeError ? err.message : `unreadable stream (${(err as Error).message})`;
        this.log(`dropped a unix connection: ${why}`);
        socket.destroy();
      }
    });
    socket.on('drain', () => {
      this.flow(conn);
      this.wake();
    });
    socket.on('error', () => {}); // a client that vanished mid-write; 'close' follows
    // Requests it sent before it went are still served (a close of its session, say); their replies are dropped.
    socket.on('close', () => {
      this.connections.delete(key);
      this.wake();
    });
  }

  private deliver(conn: Connection, body: Buffer): void {
    conn.requests.push(body);
    if (!conn.waiting) {
      conn.waiting = true;
      this.turns.push(conn);
    }
    this.flow(conn);
    this.wake();
  }

  /** Hands a request to a waiting receive(), if one waits and a connection may be served. */
  private wake(): void {
    if (this.waiter === null) return;
    const frames = this.take();
    if (frames === null) return;
    const w = this.waiter;
    this.waiter = null;
    w.resolve(frames);
  }

  /** The next request in turn from a connection whose replies have drained (or that has gone), or null. */
  private take(): Buffer[] | null {
    for (let k = 0; k < this.turns.length; k++) {
      const conn = this.turns[k]!;
      if (conn.socket.writableNeedDrain && !conn.socket.destroyed) continue;
      const body = conn.requests.shift()!;
      this.turns.splice(k, 1);
      if (conn.requests.length > 0) this.turns.push(conn);
      else conn.waiting = false;
      this.flow(conn);
      return [conn.identity, body];
    }
    return null;
  }

  /** Reads from a connection only while its queue of requests and of unsent replies is short. */
  private flow(conn: Connection): void {
    const hold = conn.requests.length >= QUEUED_PER_CONNECTION || conn.socket.writableNeedDrain;
    if (hold && !conn.paused) {
      conn.paused = true;
      conn.socket.pause();
    } else if (!hold && conn.paused) {
      conn.paused = false;
      conn.socket.resume();
    }
  }
}

/** Removes a socket file nobody listens on (a server that died); refuses a live one and anything that is not a socket. */
async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket)
    throw new InvalidArgumentError(
      `unix://${path}: ${path} exists and is not a socket; it is left alone: pick another path`,
    );
  const live = await new Promise<boolean>((resolve) => {
    const probe = createConnection({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live)
    throw new InvalidArgumentError(`unix://${path}: another server is listening there: stop it or pick another path`);
  unlinkSync(path);
}
