// Hyperparameter schedules as in SB3: a function of `progressRemaining`, which goes from 1 (start) to 0 (end of training).
// Specs are plain JSON so that they are saved in the model manifest.
import { InvalidArgumentError } from '../../src/core/errors.ts';

export type ScheduleSpec = number | { type: 'linear'; start: number; end?: number };
export type Schedule = (progressRemaining: number) => number;

export function makeSchedule(spec: ScheduleSpec, what = 'schedule'): Schedule {
  if (typeof spec === 'number') {
    if (!Number.isFinite(spec)) throw new InvalidArgumentError(`${what} must be a finite number (got ${spec})`);
    return () => spec;
  }
  if (spec && spec.type === 'linear' && Number.isFinite(spec.start) && Number.isFinite(spec.end ?? 0)) {
    const end = spec.end ?? 0;
    return (p) => end + (spec.start - end) * Math.min(1, Math.max(0, p));
  }
  throw new InvalidArgumentError(
    `${what}: expected a number or { type: 'linear', start, end? } (got ${JSON.stringify(spec)})`,
  );
}

/** Parses rl-zoo's string form ("lin_0.001") or a number. */
export function parseSchedule(text: string, what = 'schedule'): ScheduleSpec {
  const m = /^lin_([0-9.eE+-]+)$/.exec(text.trim());
  if (m) return { type: 'linear', start: Number(m[1]) };
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v))
    throw new InvalidArgumentError(`${what}: '${text}' is neither a number nor lin_<start>`);
  return v;
}

/** SB3's linear ε schedule for DQN: from `start` to `end` over the first `fraction` of training, then flat. */
export function linearFraction(start: number, end: number, fraction: number): Schedule {
  return (p) => {
    const done = 1 - p;
    return done > fraction ? end : start + (done * (end - start)) / fraction;
  };
}
