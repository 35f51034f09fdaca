// Random policy: a seeded uniform draw of the desired position each step, from {−1, 0, 1} (or [-1, 1] when
// `continuous`). The floor that any learning agent must clear.
import { Rng } from '../../src/core/rng.ts';
import type { BaselinePolicy } from './policy.ts';

export function randomPolicy(seed = 0, continuous = false): BaselinePolicy {
  let rng = new Rng(seed);
  return {
    name: 'random',
    prepare(): void {
      rng = new Rng(seed);
    },
    position: () => (continuous ? rng.uniform(-1, 1) : rng.integer(3) - 1),
  };
}
