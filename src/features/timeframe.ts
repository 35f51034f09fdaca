// Timeframe names ('1m', '5m', '1h', '1d') ↔ milliseconds, and the aggregation of base bars into closed
// higher-timeframe bars that multi-timeframe features read.
import { timeframeMs, timeframeName } from '../../replay/timeframe.ts';
import { FeatureError } from './errors.ts';
import { InputBar } from './input.ts';

/** The replay layer's timeframe parser, with the error a feature spec reports (naming the spec field). */
export function parseTimeframe(tf: string, field = 'timeframe'): number {
  try {
    return timeframeMs(tf);
  } catch {
    throw new FeatureError(`${field}: '${tf}' is not a timeframe: use <number><m|h|d>, e.g. 1m, 5m, 1h, 1d`);
  }
}

/** The replay layer's canonical name ('1h'), or `<n>ms` for a bar length that is not whole minutes. */
export function timeframeLabel(ms: number): string {
  return ms % 60_000 === 0 ? timeframeName(ms) : `${ms}ms`;
}

/** How an extra column aggregates into a higher-timeframe bar: volumes add up, everything else keeps the last value. */
export function isSummedColumn(name: string): boolean {
  return name.endsWith('volume');
}

/**
 * Builds higher-timeframe bars (UTC-aligned buckets of `ms`) from base bars. A bucket is emitted as soon as it is
 * known to be closed: when a base bar ends exactly at the bucket end, or when the first bar of a later bucket
 * arrives (gaps). So a row only ever sees HTF bars whose every minute lies at or before that row's close.
 */
export class HigherTimeframeAggregator {
  readonly bar: InputBar;
  private readonly summed: Uint8Array;
  private bucket = NaN;
  private open = false;

  constructor(
    readonly ms: number,
    extraNames: readonly string[],
  ) {
    this.bar = new InputBar(extraNames.length);
    this.bar.durationMs = ms;
    this.summed = Uint8Array.from(extraNames, (n) => (isSummedColumn(n) ? 1 : 0));
  }

  /**
   * Adds a base bar; calls `emit` (0, 1 or 2 times) with each HTF bar that closed. `this.bar` is valid inside emit.
   */
  push(b: InputBar, emit: (bar: InputBar) => void): void {
    const ms = this.ms;
    const bucket = Math.floor(b.time / ms) * ms;
    const h = this.bar;
    if (this.open && bucket !== this.bucket) {
      this.open = false;
      h.seq++;
      emit(h);
    }
    if (!this.open) {
      this.open = true;
      this.bucket = bucket;
      h.set(bucket, b.open, b.high, b.low, b.close, b.volume, b.trades);
      h.x.set(b.x);
    } else {
      if (b.high > h.high) h.high = b.high;
      if (b.low < h.low) h.low = b.low;
      h.close = b.close;
      h.volume += b.volume;
      h.trades += b.trades;
      for (let i = 0; i < h.x.length; i++) h.x[i] = this.summed[i] ? h.x[i]! + b.x[i]! : b.x[i]!;
    }
    if (b.time + b.durationMs >= bucket + ms) {
      this.open = false;
      h.seq++;
      emit(h);
    }
  }
}
