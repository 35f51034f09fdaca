// Flag parsing the commands share, each bad value an INVALID_ARGUMENT that names the flag and what to pass instead.
import { InvalidArgumentError } from '../core/errors.ts';

/** A flag holding a JSON object (--kwargs). */
export function jsonObjectFlag(flag: string, text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(
      `--${flag} is not valid JSON (${(e as Error).message}): pass an object such as '{"key": 1}'`,
    );
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new InvalidArgumentError(`--${flag} must be a JSON object (got ${text.slice(0, 80)})`);
  return v as Record<string, unknown>;
}

/** A repeatable flag whose values may also be comma-separated (--policy a,b --policy c → [a, b, c]). */
export function listFlag(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}
