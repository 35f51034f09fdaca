// Async preparation of kwargs whose data cannot be read synchronously (a PostgreSQL URL): loads the frame(s) and returns
// kwargs that carry them, so that make() (synchronous, as in Gymnasium) gets an already loaded frame.
import { InvalidArgumentError } from '../../src/core/errors.ts';

export async function prepareTradingKwargs(kwargs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const data = kwargs.data;
  if (typeof data !== 'string' || !/^postgres(ql)?:\/\//i.test(data)) return kwargs;
  throw new InvalidArgumentError('data: reading bars from PostgreSQL needs the replay reader (replay/db), which is not available yet: export the bars to CSV (tg4 data export) and pass the CSV path');
}
