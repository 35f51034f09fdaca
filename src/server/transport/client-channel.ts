// A client's connection to the server, whichever transport: bodies out, reply bodies in (in the order the server
// sent them). ZeroMQ DEALER for tcp/ipc/inproc (CURVE optional), a plain stream socket for unix://.
import { createConnection, type Socket } from 'node:net';
import * as zmq from 'zeromq';
import { Tg4Error } from '../../core/errors.ts';
import type { ClientKeys } from '../curve.ts';
import { FrameReader, writeFrame } from './framing.ts';

export interface ClientChannel {
  send(body: Uint8Array): Promise<void>;
  /**
   * Starts delivering reply bodies to `onReply`; `onLost` when the server ended the connection (unix; a ZeroMQ
   * channel reconnects by itself and never reports it).
   */
  start(onReply: (body: Buffer) => void, onLost: (why: string) => void): void;
  close(): void;
}

/** The channel for `address`: unix:// gets a stream socket (connected before this resolves), the rest ZeroMQ. */
export async function openChannel(address: string, curve?: ClientKeys): Promise<ClientChannel> {
  if (address.startsWith('unix://')) {
    if (curve !== undefined)
      throw new Tg4Error(
        'INVALID_ARGUMENT',
        `${address} is a local socket, which CURVE does not apply to: connect without keys (or to the server's tcp:// address)`,
      );
    return UnixChannel.connect(address.slice('unix://'.length));
  }
  return new ZmqChannel(address, curve);
}

class ZmqChannel implements ClientChannel {
  private readonly socket = new zmq.Dealer({ linger: 0, sendHighWaterMark: 100_000, receiveHighWaterMark: 100_000 });

  constructor(address: string, curve?: ClientKeys) {
    if (curve !== undefined) {
      this.socket.curveServerKey = curve.serverPublicKey;
      this.socket.curvePublicKey = curve.publicKey;
      this.socket.curveSecretKey = curve.secretKey;
    }
    this.socket.connect(address);
  }

  send(body: Uint8Array): Promise<void> {
    return this.socket.send(body);
  }

  start(onReply: (body: Buffer) => void): void {
    void (async () => {
      try {
        for await (const frames of this.socket) {
          const body = frames[frames.length - 1];
          if (body !== undefined) onReply(body);
        }
      } catch {
        // socket closed
      }
    })();
  }

  close(): void {
    this.socket.close();
  }
}

/** Replies above this are refused by the client (the server's own replies stay far below: a 4× message limit). */
const MAX_REPLY_BYTES = 2 ** 31 - 1;

class UnixChannel implements ClientChannel {
  private readonly reader = new FrameReader(MAX_REPLY_BYTES);

  private constructor(private readonly socket: Socket) {}

  static connect(path: string): Promise<UnixChannel> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        socket.on('error', () => {}); // 'close' follows, and start()'s onLost fails the pending requests
        resolve(new UnixChannel(socket));
      });
      socket.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new Tg4Error(
            'INVALID_ARGUMENT',
            `cannot connect to unix://${path}: ${err.code ?? err.message} (start a server there with \`npx tg4 serve --bind unix://${path}\`)`,
          ),
        ),
      );
    });
  }

  send(body: Uint8Array): Promise<void> {
    writeFrame(this.socket, body);
    return Promise.resolve();
  }

  start(onReply: (body: Buffer) => void, onLost: (why: string) => void): void {
    this.socket.on('data', (chunk: Buffer) => {
      try {
        this.reader.push(chunk, onReply);
      } catch {
        this.socket.destroy(); // a reply header beyond any reply: not a tg4 server
      }
    });
    this.socket.on('close', () =>
      onLost('the server closed the connection (it stopped, or dropped an oversized message)'),
    );
  }

  close(): void {
    this.socket.destroy();
  }
}
