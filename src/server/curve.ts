// CURVE keys on disk and the ZAP handler that admits only listed clients. Layout of a keys folder (made by `tg4 keys`):
//   server.public, server.secret   the server's keypair (Z85 text; the secret file is mode 0600)
//   client.public, client.secret   one client keypair, handed to the training machine
//   authorized_clients             Z85 client public keys, one per line (# comments allowed)
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import * as zmq from 'zeromq';
import { InvalidArgumentError } from '../core/errors.ts';
import { isZ85Key, z85Encode } from './z85.ts';

export interface ServerKeys {
  publicKey: string;
  secretKey: string;
  /** Client public keys admitted; empty set = every client that knows the server's public key. */
  authorizedClients: Set<string>;
}
export interface ClientKeys {
  serverPublicKey: string;
  publicKey: string;
  secretKey: string;
}

function readKey(dir: string, name: string): string {
  const p = join(dir, name);
  if (!existsSync(p))
    throw new InvalidArgumentError(`CURVE key file ${p} is missing: make a keys folder with \`tg4 keys --out ${dir}\``);
  const k = readFileSync(p, 'utf8').trim();
  if (!isZ85Key(k)) throw new InvalidArgumentError(`${p} is not a 40-character Z85 CURVE key`);
  return k;
}

export function loadServerKeys(dir: string): ServerKeys {
  const authorized = new Set<string>();
  const listPath = join(dir, 'authorized_clients');
  if (existsSync(listPath)) {
    for (const [n, raw] of readFileSync(listPath, 'utf8').split('\n').entries()) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (!isZ85Key(line))
        throw new InvalidArgumentError(`${listPath} line ${n + 1} is not a 40-character Z85 public key`);
      authorized.add(line);
    }
    // An empty list must not read as "no list": that would admit every client holding server.public.
    if (authorized.size === 0)
      throw new InvalidArgumentError(
        `${listPath} lists no client key, so it would admit no one: add client public keys (Z85, one per line, e.g. from \`tg4 keys\`), or delete the file to admit every client that holds server.public`,
      );
  }
  return {
    publicKey: readKey(dir, 'server.public'),
    secretKey: readKey(dir, 'server.secret'),
    authorizedClients: authorized,
  };
}

export function loadClientKeys(dir: string): ClientKeys {
  return {
    serverPublicKey: readKey(dir, 'server.public'),
    publicKey: readKey(dir, 'client.public'),
    secretKey: readKey(dir, 'client.secret'),
  };
}

/** Writes a server keypair, a client keypair and authorized_clients listing that client; refuses to overwrite. */
export function generateKeys(dir: string, force = false): { server: string; client: string } {
  mkdirSync(dir, { recursive: true });
  const files = ['server.public', 'server.secret', 'client.public', 'client.secret', 'authorized_clients'];
  const present = files.filter((f) => existsSync(join(dir, f)));
  if (present.length > 0 && !force) {
    throw new InvalidArgumentError(
      `${dir} already holds ${present.join(', ')}: pick another folder or pass --force to replace them`,
    );
  }
  const server = zmq.curveKeyPair();
  const client = zmq.curveKeyPair();
  const write = (name: string, text: string, secret: boolean): void => {
    const p = join(dir, name);
    writeFileSync(p, `${text}\n`, { mode: secret ? 0o600 : 0o644 });
    chmodSync(p, secret ? 0o600 : 0o644);
  };
  write('server.public', server.publicKey, false);
  write('server.secret', server.secretKey, true);
  write('client.public', client.publicKey, false);
  write('client.secret', client.secretKey, true);
  write(
    'authorized_clients',
    `# client public keys admitted by \`tg4 serve --curve-keys ${dir}\`, one per line\n${client.publicKey}`,
    false,
  );
  return { server: server.publicKey, client: client.publicKey };
}

/**
 * ZAP (ZeroMQ RFC 27) handler for one context: answers each CURVE handshake with 200 when the client's key is listed
 * (or when no list is kept) and 400 otherwise. Returns a stop function.
 */
export async function startZapHandler(context: zmq.Context, authorized: Set<string>): Promise<() => void> {
  const zap = new zmq.Reply({ context, linger: 0 });
  await zap.bind('inproc://zeromq.zap.01');
  let stopped = false;
  void (async () => {
    try {
      for await (const frames of zap) {
        const [version, requestId, , , , mechanism, credentials] = frames;
        const key = credentials !== undefined && credentials.length === 32 ? z85Encode(credentials) : '';
        const ok = mechanism?.toString() === 'CURVE' && (authorized.size === 0 || authorized.has(key));
        await zap.send([
          version ?? '1.0',
          requestId ?? '',
          ok ? '200' : '400',
          ok ? 'OK' : 'client key not in authorized_clients',
          ok ? key : '',
          '',
        ]);
      }
    } catch (err) {
      if (!stopped) process.stderr.write(`tg4 serve: ZAP handler stopped: ${(err as Error).message}\n`);
    }
  })();
  return () => {
    stopped = true;
    zap.close();
  };
}
