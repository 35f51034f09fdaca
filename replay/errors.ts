// Typed errors of the replay layer. Codes come from src/core/errors.ts so that the wire protocol can reuse them.
import { Tg4Error } from '../src/core/errors.ts';

/** Bad or missing market data: a corrupt row (with file and line), an unknown symbol, an empty range. */
export class DataError extends Tg4Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATA_ERROR', message, options);
  }
}

/** The database cannot be reached, is not migrated, or refused a statement; the message says what to do. */
export class DbError extends Tg4Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DB_ERROR', message, options);
  }
}
