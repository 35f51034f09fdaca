// Shared helpers for the server suites: a real server per test file, over each transport.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zmq from 'zeromq';
import { afterAll, beforeAll } from 'vitest';
import { Tg4Server, type ServerOptions } from '../../src/server/server.ts';
import { decodeMessage, encodeMessage } from '../../src/server/protocol/codec.ts';

export const TRANSPORTS = ['tcp', 'ipc'] as const;
export type Transport = (typeof TRANSPORTS)[number];

let counter = 0;
export function bindAddress(t: Transport): string {
  counter++;
  return t === 'tcp' ? 'tcp://127.0.0.1:0' : `ipc://${join(tmpdir(), `tg4-test-${process.pid}-${counter}.sock`)}`;
}

export async function startServer(t: Transport, options: ServerOptions = {}): Promise<Tg4Server> {
  return Tg4Server.start({ bind: bindAddress(t), ...options });
}

/** A bare DEALER for sending hand-made (and malformed) frames. */
export class RawClient {
  readonly socket = new zmq.Dealer({ linger: 0, receiveHighWaterMark: 100_000, sendHighWaterMark: 100_000 });
  constructor(address: string) {
    this.socket.connect(address);
  }
  async send(bytes: Uint8Array | string): Promise<void> {
    await this.socket.send(bytes);
  }
  async receive(timeoutMs = 5000): Promise<Record<string, unknown>> {
    const timer = new Promise<never>((_, rej) =>
      setTimeout(() => rej(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs).unref(),
    );
    const [body] = await Promise.race([this.socket.receive(), timer]);
    return decodeMessage(body!) as Record<string, unknown>;
  }
  async request(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.send(encodeMessage(msg));
    return this.receive();
  }
  close(): void {
    this.socket.close();
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
