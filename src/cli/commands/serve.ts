// `tg4 serve`: the ZeroMQ environment server (docs/server.md). Prints `listening on <address>` once it accepts requests.
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.ts';
import { Tg4Server } from '../../server/server.ts';
import { DEFAULT_LIMITS } from '../../server/limits.ts';
import { closeOnStopSignal } from '../interrupt.ts';

const MiB = 1024 * 1024;

function num(flag: string, integer: boolean): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isSafeInteger(n))) {
      throw new InvalidArgumentError(
        `${flag} must be a positive ${integer ? 'integer' : 'number'} (got ${JSON.stringify(v)})`,
      );
    }
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'serve every registered env over ZeroMQ + msgpack (protocol: docs/protocol.md; Python client: agents/python/tg4gym)',
    )
    .option(
      '--bind <address>',
      'tcp://HOST:PORT, ipc://PATH, unix://PATH (plain Unix socket, fastest locally) or inproc://NAME',
      'tcp://127.0.0.1:5555',
    )
    .option('--max-sessions <n>', 'sessions held at once', num('--max-sessions', true), DEFAULT_LIMITS.maxSessions)
    .option(
      '--max-envs-per-session <n>',
      'sub-envs per session',
      num('--max-envs-per-session', true),
      DEFAULT_LIMITS.maxEnvsPerSession,
    )
    .option(
      '--max-message-bytes <n>',
      'largest request answered (4x this drops the connection)',
      num('--max-message-bytes', true),
      DEFAULT_LIMITS.maxMessageBytes,
    )
    .option(
      '--idle-timeout <seconds>',
      'close sessions unused this long',
      num('--idle-timeout', false),
      DEFAULT_LIMITS.idleTimeoutS,
    )
    .option(
      '--data-dir <dir>',
      "the only folder whose files clients may name as 'data' or 'features' (relative names; default: none, only 'bundled')",
    )
    .option(
      '--max-session-mb <n>',
      'estimated memory one session may use, MiB',
      num('--max-session-mb', true),
      DEFAULT_LIMITS.maxSessionMemoryBytes / MiB,
    )
    .option(
      '--max-server-mb <n>',
      'estimated memory of all sessions and shared market data, MiB (default: half the RAM, at most 8192)',
      num('--max-server-mb', true),
      DEFAULT_LIMITS.maxServerMemoryBytes / MiB,
    )
    .option(
      '--max-data-file-mb <n>',
      'largest data or feature-spec file a client may name (gunzipped), MiB',
      num('--max-data-file-mb', true),
      DEFAULT_LIMITS.maxDataFileBytes / MiB,
    )
    .option('--curve-keys <dir>', 'CURVE keys folder from `tg4 keys`: encrypt and admit only authorized clients')
    .option('--insecure', 'allow binding beyond loopback without CURVE keys', false)
    .option('--verbose', 'log sessions made, closed and expired to stderr', false)
    .action(
      async (opts: {
        bind: string;
        maxSessions: number;
        maxEnvsPerSession: number;
        maxMessageBytes: number;
        idleTimeout: number;
        dataDir?: string;
        maxSessionMb: number;
        maxServerMb: number;
        maxDataFileMb: number;
        curveKeys?: string;
        insecure: boolean;
        verbose: boolean;
      }) => {
        const server = await Tg4Server.start({
          bind: opts.bind,
          limits: {
            maxSessions: opts.maxSessions,
            maxEnvsPerSession: opts.maxEnvsPerSession,
            maxMessageBytes: opts.maxMessageBytes,
            idleTimeoutS: opts.idleTimeout,
            maxSessionMemoryBytes: opts.maxSessionMb * MiB,
            maxServerMemoryBytes: opts.maxServerMb * MiB,
            maxDataFileBytes: opts.maxDataFileMb * MiB,
          },
          ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
          curveKeysDir: opts.curveKeys,
          insecure: opts.insecure,
          log: opts.verbose ? (line) => process.stderr.write(`tg4 serve: ${line}\n`) : undefined,
        });
        process.stdout.write(`listening on ${server.address}${opts.curveKeys ? ' (CURVE)' : ''}\n`);
        await closeOnStopSignal(() => server.stop());
      },
    );
}
