// Shared helpers for the server suites: a real server per test file, over each transport.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Socket } from 'node:net';
import * as zmq from 'zeromq';
import { afterAll, beforeAll } from 'vitest';
import { Tg4Server, type ServerOptions } from '../../src/server/server.ts';
import { decodeMessage, encodeMessage } from '../../src/server/protocol/codec.ts';
import { FrameReader, writeFrame } from '../../src/server/transport/framing.ts';

export const TRANSPORTS = ['tcp', 'ipc', 'unix'] as const;
export type Transport = (typeof TRANSPORTS)[number];

let counter = 0;
export function bindAddress(t: Transport): string {
  counter++;
  if (t === 'tcp') return 'tcp://127.0.0.1:0';
  return `${t}://${join(tmpdir(), `tg4-test-${process.pid}-${counter}.sock`)}`;
}

export async function startServer(t: Transport, options: ServerOptions = {}): Promise<Tg4Server> {
  return Tg4Server.start({ bind: bindAddress(t), ...options });
}

/** A bare connection for sending hand-made (and malformed) messages: a DEALER, or a unix:// stream socket. */
export class RawClient {
  private readonly zmq: zmq.Dealer | null = null;
  private readonly unix: Socket | null = null;
  private readonly replies: Buffer[] = [];
  private wake: (() => void) | null = null;

  constructor(address: string) {
    if (address.startsWith('unix://')) {
      const reader = new FrameReader(2 ** 31 - 1);
      this.unix = createConnection({ path: address.slice('unix://'.length) });
      this.unix.on('error', () => {});
      this.unix.on('data', (chunk: Buffer) =>
        reader.push(chunk, (body) => {
          this.replies.push(body);
          this.wake?.();
        }),
      );
    } else {
      this.zmq = new zmq.Dealer({ linger: 0, receiveHighWaterMark: 100_000, sendHighWaterMark: 100_000 });
      this.zmq.connect(address);
    }
  }
  /** The bare stream of a unix:// connection (tests that write bytes outside any frame); null over ZeroMQ. */
  get stream(): Socket | null {
    return this.unix;
  }
  async send(bytes: Uint8Array | string): Promise<void> {
    if (this.zmq !== null) await this.zmq.send(bytes);
    else writeFrame(this.unix!, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  }
  async receive(timeoutMs = 5000): Promise<Record<string, unknown>> {
    return decodeMessage(await this.receiveBody(timeoutMs)) as Record<string, unknown>;
  }
  /** The next reply's bytes, undecoded. */
  async receiveBody(timeoutMs = 5000): Promise<Buffer> {
    const timer = new Promise<never>((_, rej) =>
      setTimeout(() => rej(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs).unref(),
    );
    if (this.zmq !== null) return (await Promise.race([this.zmq.receive(), timer]))[0]!;
    while (this.replies.length === 0) await Promise.race([new Promise<void>((r) => (this.wake = r)), timer]);
    return this.replies.shift()!;
  }
  async request(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.send(encodeMessage(msg));
    return this.receive();
  }
  close(): void {
    this.zmq?.close();
    this.unix?.destroy();
  }
}

export function int64Actions(values: number[]): { dtype: 'int64'; shape: number[]; data: Uint8Array } {
  const data = new Uint8Array(values.length * 8);
  const view = new DataView(data.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { dtype: 'int64', shape: [values.length], data };
}

/**
 * A real server for a describe block, with a client of the kind asked for: the beforeAll/afterAll pair every suite
 * writes. Read `.server` and `.client` inside the tests (they are set once beforeAll has run).
 */
export function serverFixture<C extends { close(): void }>(
  t: Transport,
  connect: (address: string) => C | Promise<C>,
): { server: Tg4Server; client: C } {
  const f = {} as { server: Tg4Server; client: C };
  beforeAll(async () => {
    f.server = await startServer(t);
    f.client = await connect(f.server.address);
  });
  afterAll(async () => {
    f.client.close();
    await f.server.stop();
  });
  return f;
}
