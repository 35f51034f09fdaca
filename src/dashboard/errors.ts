// Why the dashboard refused a request, with the HTTP status it answers: the message says what was wrong and never
// names a file outside the project's folders.
import { Tg4Error, type Tg4ErrorCode } from '../core/errors.ts';

export class DashboardError extends Tg4Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413,
    message: string,
    code: Tg4ErrorCode = status === 413 ? 'LIMIT_EXCEEDED' : 'INVALID_ARGUMENT',
  ) {
    super(code, message);
  }
}
