// Discrete: one integer in {start, …, start + n - 1} (Gymnasium's spaces.Discrete). A sample is a plain number.
import type { SpaceJSON } from '../types.ts';
import { InvalidSpaceError } from '../errors.ts';
import { BaseSpace } from './space.ts';

export class Discrete extends BaseSpace<number> {
  readonly shape: readonly number[] = Object.freeze([]);
  readonly dtype = 'int64' as const;
  readonly n: number;
  readonly start: number;

  constructor(n: number, start = 0) {
    super();
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new InvalidSpaceError(`Discrete n must be a positive integer (got ${String(n)})`);
    if (!Number.isSafeInteger(start))
      throw new InvalidSpaceError(`Discrete start must be an integer (got ${String(start)})`);
    this.n = n;
    this.start = start;
  }

  sample(): number {
    return this.start + this.npRandom.integer(this.n);
  }

  /** Only a plain integer number in range (a boolean, a string, 1.5, NaN, or an array are rejected). */
  contains(x: unknown): boolean {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  toJSON(): SpaceJSON {
    return { type: 'Discrete', n: this.n, start: this.start };
  }

  override toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}
