// Errors of the live loop. They reuse the flat codes of src/core/errors.ts (the CLI prints them the same way) and add a
// literal `reason` so that callers (and tests) can tell a stale feed from a refused order without reading messages.
import { Tg4Error, type Tg4ErrorCode } from '../core/errors.ts';

export type LiveErrorReason =
  | 'bad_message'
  | 'checksum_mismatch'
  | 'feed_stale'
  | 'connection_lost'
  | 'exchange_status'
  | 'exchange_error'
  | 'auth_failed'
  | 'risk_limit'
  | 'halted'
  | 'reconcile_failed'
  | 'not_live'
  | 'timeout';

const CODE: Record<LiveErrorReason, Tg4ErrorCode> = {
  bad_message: 'PROTOCOL_ERROR',
  checksum_mismatch: 'DATA_ERROR',
  feed_stale: 'DATA_ERROR',
  connection_lost: 'INTERNAL',
  exchange_status: 'ORDER_REJECTED',
  exchange_error: 'ORDER_REJECTED',
  auth_failed: 'INVALID_ARGUMENT',
  risk_limit: 'LIMIT_EXCEEDED',
  halted: 'ORDER_REJECTED',
  reconcile_failed: 'INTERNAL',
  not_live: 'INVALID_ARGUMENT',
  timeout: 'INTERNAL',
};

export class LiveError extends Tg4Error {
  readonly reason: LiveErrorReason;
  constructor(reason: LiveErrorReason, message: string, options?: { cause?: unknown }) {
    super(CODE[reason], message, options);
    this.reason = reason;
  }
}
