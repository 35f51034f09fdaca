// Timeframe names ('1m', '15m', '1h', '4h', '1d') ↔ bar length in milliseconds.
import { InvalidArgumentError } from '../src/core/errors.ts';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Bar length of a timeframe such as '1m', '5m', '1h', '4h', '1d'. Throws INVALID_ARGUMENT with the accepted form. */
export function timeframeMs(timeframe: string): number {
  const m = /^([1-9][0-9]*)([mhd])$/.exec(timeframe);
  if (!m) {
    throw new InvalidArgumentError(
      `timeframe '${timeframe}' is not understood: use <number><m|h|d>, e.g. 1m, 5m, 15m, 1h, 4h, 1d`,
    );
  }
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** The canonical name of a bar length: 3_600_000 → '1h', 300_000 → '5m'. */
export function timeframeName(ms: number): string {
  if (ms % UNIT_MS.d! === 0) return `${ms / UNIT_MS.d!}d`;
  if (ms % UNIT_MS.h! === 0) return `${ms / UNIT_MS.h!}h`;
  if (ms % UNIT_MS.m! === 0) return `${ms / UNIT_MS.m!}m`;
  throw new InvalidArgumentError(`bar length ${ms} ms is not a whole number of minutes`);
}

/** Canonical form ('60m' → '1h'), so that the same timeframe is stored under one name. */
export function normalizeTimeframe(timeframe: string): string {
  return timeframeName(timeframeMs(timeframe));
}
