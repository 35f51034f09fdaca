// One flat hierarchy of typed errors (as Gymnasium's error.py). Every error carries a literal `code` that the wire
// protocol reuses verbatim, and a message that says what was wrong and what to do about it.

export type Tg4ErrorCode =
  | 'INVALID_ACTION'
  | 'RESET_NEEDED'
  | 'UNKNOWN_ENV'
  | 'INVALID_ARGUMENT'
  | 'CLOSED_ENV'
  | 'INVALID_SPACE'
  | 'ENV_CHECK_FAILED'
  | 'DATA_ERROR'
  | 'DB_ERROR'
  | 'FEATURE_ERROR'
  | 'ORDER_REJECTED'
  | 'PROTOCOL_ERROR'
  | 'UNKNOWN_OP'
  | 'UNKNOWN_SESSION'
  | 'LIMIT_EXCEEDED'
  | 'MODEL_MISMATCH'
  | 'MODEL_CORRUPT'
  | 'BACKEND_UNAVAILABLE'
  | 'REGISTRY_ERROR'
  | 'PROMOTION_REFUSED'
  | 'INTERNAL';

export class Tg4Error extends Error {
  readonly code: Tg4ErrorCode;
  constructor(code: Tg4ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The action is not in the env's action space (wrong shape, dtype, range, NaN). */
export class InvalidActionError extends Tg4Error {
  constructor(message: string) {
    super('INVALID_ACTION', message);
  }
}
/** step() after the episode ended, or before the first reset(). */
export class ResetNeededError extends Tg4Error {
  constructor(message = 'the episode has ended (terminated or truncated): call reset() before step()') {
    super('RESET_NEEDED', message);
  }
}
/** make() with an id that is not registered. */
export class UnknownEnvError extends Tg4Error {
  constructor(message: string) {
    super('UNKNOWN_ENV', message);
  }
}
/** A bad argument or option: the message names the field and the accepted values. */
export class InvalidArgumentError extends Tg4Error {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}
/** Any use of an env after close(). */
export class ClosedEnvError extends Tg4Error {
  constructor(message = 'the environment is closed: make a new one') {
    super('CLOSED_ENV', message);
  }
}
/** A space built with bad parameters (low > high, non-positive n, unknown dtype, malformed JSON description). */
export class InvalidSpaceError extends Tg4Error {
  constructor(message: string) {
    super('INVALID_SPACE', message);
  }
}
/** checkEnv found a breach of the env contract; `failures` names each failed check. */
export class EnvCheckError extends Tg4Error {
  readonly failures: readonly { check: string; message: string }[];
  constructor(failures: readonly { check: string; message: string }[]) {
    super('ENV_CHECK_FAILED', `env check failed: ${failures.map((f) => `[${f.check}] ${f.message}`).join('; ')}`);
    this.failures = failures;
  }
}
