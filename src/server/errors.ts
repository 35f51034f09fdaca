// Errors the server and its clients raise. Each reuses a literal code of src/core/errors.ts, which the wire protocol
// sends verbatim in `{error: {code, message}}`.
import { Tg4Error, type Tg4ErrorCode } from '../core/errors.ts';

/** A message that is not a valid protocol message (not msgpack, not a map, a field of the wrong type, wrong version). */
export class ProtocolError extends Tg4Error {
  constructor(message: string) {
    super('PROTOCOL_ERROR', message);
  }
}
/** A request whose `op` the server does not know. */
export class UnknownOpError extends Tg4Error {
  constructor(message: string) {
    super('UNKNOWN_OP', message);
  }
}
/** A request naming a session that does not exist (never made, closed, or expired after the idle timeout). */
export class UnknownSessionError extends Tg4Error {
  constructor(message: string) {
    super('UNKNOWN_SESSION', message);
  }
}
/** A request beyond one of the server's limits (message size, sessions, envs per session). */
export class LimitExceededError extends Tg4Error {
  constructor(message: string) {
    super('LIMIT_EXCEEDED', message);
  }
}

/** An error reply received by a client, raised as a Tg4Error with the server's code and message. */
export class RemoteError extends Tg4Error {
  /** Extra fields of the error reply (e.g. `attribute` for a `call` on a name the env lacks). */
  readonly details: Record<string, unknown>;
  constructor(code: Tg4ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message);
    this.details = details;
  }
}
