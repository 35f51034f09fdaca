// The server's limits, with defaults sized for training on one machine. Every limit is checked per request and
// answered with LIMIT_EXCEEDED naming the limit and the flag that raises it.
import { totalmem } from 'node:os';
import { InvalidArgumentError } from '../core/errors.ts';

export interface ServerLimits {
  /** Largest request accepted with an error reply; libzmq drops connections that send more than 4× this. */
  maxMessageBytes: number;
  maxSessions: number;
  maxEnvsPerSession: number;
  /** A session unused for this long is closed and forgotten (seconds). */
  idleTimeoutS: number;
  /** Estimated memory one session may use (memory-estimate.ts), bytes. */
  maxSessionMemoryBytes: number;
  /** Estimated memory of all sessions and the shared market data together, bytes. */
  maxServerMemoryBytes: number;
  /** Largest data or feature-spec file a client may name (gunzipped size), bytes. */
  maxDataFileBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxMessageBytes: 16 * 1024 * 1024,
  maxSessions: 64,
  maxEnvsPerSession: 4096,
  idleTimeoutS: 300,
  maxSessionMemoryBytes: 1024 * MiB,
  // Half of the machine, at most 8 GiB: a server shares its machine with the learner.
  maxServerMemoryBytes: Math.min(8192 * MiB, Math.floor(totalmem() / 2 / MiB) * MiB),
  maxDataFileBytes: 256 * MiB,
});

export function resolveLimits(partial: Partial<ServerLimits> = {}): ServerLimits {
  const l = { ...DEFAULT_LIMITS, ...dropUndefined(partial) };
  const positiveInt = (name: keyof ServerLimits, flag: string): void => {
    if (!Number.isSafeInteger(l[name]) || l[name] <= 0)
      throw new InvalidArgumentError(`${flag} must be a positive integer (got ${String(l[name])})`);
  };
  positiveInt('maxMessageBytes', '--max-message-bytes');
  positiveInt('maxSessions', '--max-sessions');
  positiveInt('maxEnvsPerSession', '--max-envs-per-session');
  positiveInt('maxSessionMemoryBytes', '--max-session-mb');
  positiveInt('maxServerMemoryBytes', '--max-server-mb');
  positiveInt('maxDataFileBytes', '--max-data-file-mb');
  if (!(typeof l.idleTimeoutS === 'number' && l.idleTimeoutS > 0 && Number.isFinite(l.idleTimeoutS))) {
    throw new InvalidArgumentError(
      `--idle-timeout must be a positive number of seconds (got ${String(l.idleTimeoutS)})`,
    );
  }
  return l;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
