// What an agent needs to know about an env's spaces: a flat observation size, and a discrete or box action description.
import type { Space, SpaceJSON } from '../../src/core/types.ts';
import { Tg4Error } from '../../src/core/errors.ts';

export type ActionSpec =
  | { kind: 'discrete'; n: number; start: number }
  | { kind: 'box'; dim: number; shape: number[]; low: Float32Array; high: Float32Array };

/** Number of floats the agent reads per observation; only Box observations are accepted (flattened). */
export function observationSize(space: Space | SpaceJSON): number {
  const json = 'toJSON' in space ? space.toJSON() : space;
  if (json.type !== 'Box') {
    throw new Tg4Error(
      'INVALID_SPACE',
      `the agents read Box observations only (got ${json.type}): flatten the observation space with a wrapper first`,
    );
  }
  return json.shape.reduce((a, b) => a * b, 1);
}

export function actionSpecOf(space: Space | SpaceJSON): ActionSpec {
  const json = 'toJSON' in space ? space.toJSON() : space;
  if (json.type === 'Discrete') return { kind: 'discrete', n: json.n, start: json.start };
  if (json.type === 'Box') {
    const dim = json.shape.reduce((a, b) => a * b, 1);
    const low = Float32Array.from(json.low, (v) => (v === null ? -Infinity : v));
    const high = Float32Array.from(json.high, (v) => (v === null ? Infinity : v));
    return { kind: 'box', dim, shape: [...json.shape], low, high };
  }
  throw new Tg4Error('INVALID_SPACE', `the built-in agents support Discrete and Box action spaces (got ${json.type})`);
}

/** Floats stored per action in buffers (1 for a discrete index). */
export function actionWidth(spec: ActionSpec): number {
  return spec.kind === 'discrete' ? 1 : spec.dim;
}

/** Outputs of the policy head: logits for discrete, means for box. */
export function policyOutputs(spec: ActionSpec): number {
  return spec.kind === 'discrete' ? spec.n : spec.dim;
}
