// The entry check the statistics share: a non-finite value is refused with its index, never averaged into NaN.
import { InvalidArgumentError } from '../core/errors.ts';

/** Mean of xs; `item` names an entry and `user` what needs them finite, for the error ("return 3 is NaN: …"). */
export function finiteMean(xs: ArrayLike<number>, item: string, user: string): number {
  const n = xs.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = xs[i]!;
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`${item} ${i} is ${v}: ${user} finite values`);
    sum += v;
  }
  return sum / n;
}
