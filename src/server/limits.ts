// The server's limits, with defaults sized for training on one machine. Every limit is checked per request and
// answered with LIMIT_EXCEEDED naming the limit and the flag that raises it.
import { InvalidArgumentError } from '../core/errors.ts';

export interface ServerLimits {
  /** Largest request accepted with an error reply; libzmq drops connections that send more than 4× this. */
  maxMessageBytes: number;
  maxSessions: number;
  maxEnvsPerSession: number;
  /** A session unused for this long is closed and forgotten (seconds). */
  idleTimeoutS: number;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxMessageBytes: 16 * 1024 * 1024,
  maxSessions: 64,
  maxEnvsPerSession: 4096,
  idleTimeoutS: 300,
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
