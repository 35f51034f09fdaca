// Typed errors of the execution layer. Codes are the shared literal codes of src/core/errors.ts.
import { InvalidArgumentError, Tg4Error } from '../core/errors.ts';

/** The order is well-formed but cannot be executed now (leverage cap, no equity, no open position, bad stop side). */
export class OrderRejectedError extends Tg4Error {
  constructor(message: string) {
    super('ORDER_REJECTED', message);
  }
}

export { InvalidArgumentError };

/** Throws INVALID_ARGUMENT unless x is a finite number > 0. */
export function requirePositive(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) {
    throw new InvalidArgumentError(`${what} must be a finite number > 0, got ${String(x)}`);
  }
  return x;
}

/** Throws INVALID_ARGUMENT unless x is a finite number ≥ 0. */
export function requireNonNegative(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
    throw new InvalidArgumentError(`${what} must be a finite number ≥ 0, got ${String(x)}`);
  }
  return x;
}

/** Throws INVALID_ARGUMENT unless x is a finite timestamp in ms. */
export function requireTime(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x))
    throw new InvalidArgumentError(`${what} must be a finite time in ms since the epoch, got ${String(x)}`);
  return x;
}
