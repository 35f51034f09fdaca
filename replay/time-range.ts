// Time bounds given as ms, Date, or ISO/date strings → ms; and ms → readable UTC text for messages.
import { InvalidArgumentError } from '../src/core/errors.ts';
import { parseTimeMs } from './csv/candle-parser.ts';

export type TimeInput = number | string | Date;

export function toMs(t: TimeInput, what: string): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : parseTimeMs(t);
  if (!Number.isFinite(ms)) {
    throw new InvalidArgumentError(
      `${what} '${String(t)}' is not a time: use ISO-8601 (2020-01-31 or 2020-01-31T12:00Z) or epoch ms`,
    );
  }
  return ms;
}

export function isoUtc(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : String(ms);
}

/** Index range [lo, hi) of an ascending time column within [from, to). */
export function rangeIndex(time: ArrayLike<number>, from: number, to: number): [number, number] {
  const lower = (x: number): number => {
    let a = 0;
    let b = time.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (time[m]! < x) a = m + 1;
      else b = m;
    }
    return a;
  };
  return [lower(from), lower(to)];
}
