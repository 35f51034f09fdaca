// The ZeroMQ transport of the server: one ROUTER socket on tcp://, ipc:// or inproc://, with CURVE when a keys folder
// is given. libzmq queues and fair-queues between connections and sends our reply bytes without copying them.
import * as zmq from 'zeromq';
import { InvalidArgumentError } from '../../core/errors.ts';
import { loadServerKeys, startZapHandler } from '../curve.ts';
import type { ServerTransport } from './server-transport.ts';

export class ZmqServerTransport implements ServerTransport {
  private constructor(
    private readonly router: zmq.Router,
    readonly address: string,
    private readonly stopZap: (() => void) | null,
  ) {}

  /** Binds `bind`; a peer whose message exceeds `dropAboveBytes` is disconnected by libzmq itself. */
  static async bind(bind: string, dropAboveBytes: number, curveKeysDir?: string): Promise<ZmqServerTransport> {
    // A context per server: its own ZAP endpoint, and nothing shared with other servers in the process.
    const context = new zmq.Context({ blocky: false });
    const router = new zmq.Router({
      context,
      linger: 0,
      maxMessageSize: dropAboveBytes,
      sendHighWaterMark: 10_000,
      receiveHighWaterMark: 10_000,
    });
    let stopZap: (() => void) | null = null;
    if (curveKeysDir !== undefined) {
      const keys = loadServerKeys(curveKeysDir);
      stopZap = await startZapHandler(context, keys.authorizedClients);
      router.curveServer = true;
      router.curveSecretKey = keys.secretKey;
      router.zapDomain = 'tg4';
    }
    try {
      await router.bind(bind.replace(/:0$/, ':*'));
    } catch (err) {
      router.close();
      stopZap?.();
      throw new InvalidArgumentError(
        `cannot bind ${bind}: ${(err as Error).message} (is another server on it? pick another address)`,
      );
    }
    return new ZmqServerTransport(router, router.lastEndpoint ?? bind, stopZap);
  }

  receive(): Promise<Buffer[]> {
    return this.router.receive();
  }

  async send(frames: Buffer[]): Promise<void> {
    await this.router.send(frames);
  }

  close(): void {
    this.router.close();
    this.stopZap?.();
  }
}
