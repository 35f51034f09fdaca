// reset({ options: { start } }): a one-episode override of the configured start rule. Accepts 'random', 'first', a bar
// index of the frame, or a time (ISO string or Date: the first bar at or after it).
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { rangeIndex, toMs } from '../../replay/time-range.ts';
import type { MarketData } from './market-data.ts';

export function startFromOptions(
  options: Record<string, unknown>,
  data: MarketData,
): number | 'random' | 'first' | undefined {
  const extra = Object.keys(options).filter((k) => k !== 'start');
  if (extra.length > 0)
    throw new InvalidArgumentError(`reset options: unknown ${extra.map((k) => `'${k}'`).join(', ')}; accepted: start`);
  const s = options.start;
  if (s === undefined) return undefined;
  if (s === 'random' || s === 'first') return s;
  if (typeof s === 'number') return s;
  if (typeof s === 'string' || s instanceof Date)
    return rangeIndex(data.time, toMs(s, 'reset option start'), Infinity)[0];
  throw new InvalidArgumentError(
    `reset option start must be 'random', 'first', a bar index or a time, got ${String(s)}`,
  );
}
