// Typed errors of the feature layer. Codes come from src/core/errors.ts so that the wire protocol can reuse them.
import { Tg4Error } from '../core/errors.ts';

/** A bad feature spec (unknown feature, parameter out of range, missing input column) or a feature that produced NaN/Inf. */
export class FeatureError extends Tg4Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FEATURE_ERROR', message, options);
  }
}

/** Input bars the features cannot use (NaN/Inf, time not ascending, high < low): the message names the bar's time. */
export class FeatureDataError extends Tg4Error {
  readonly time: number;
  constructor(time: number, message: string) {
    super('DATA_ERROR', `${message} (bar at ${formatTime(time)})`);
    this.time = time;
  }
}

/** ISO time for messages; falls back to the raw number when it is not a valid date. */
export function formatTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}
