// Portfolio-v0 actions: Box([-1]*S, [1]*S) of target weights (signed exposure per symbol, notional / equity). When
// Σ|w| exceeds maxGrossExposure the vector is scaled down to it, keeping its proportions.
import { Box } from '../../src/core/spaces/box.ts';
import { InvalidActionError } from '../../src/core/errors.ts';

export function portfolioActionSpace(nSymbols: number): Box<Float32Array> {
  return new Box<Float32Array>(-1, 1, [nSymbols], 'float32');
}

/** Writes the S target exposures of sub-env i into out[offset …]; throws on a value outside [-1, 1] or NaN. */
export function portfolioTargets(
  get: (k: number) => unknown,
  S: number,
  maxGross: number,
  out: Float64Array,
  offset: number,
  i: number,
): void {
  let gross = 0;
  for (let k = 0; k < S; k++) {
    const w = get(k);
    if (typeof w !== 'number' || !(w >= -1 && w <= 1)) {
      throw new InvalidActionError(
        `weight ${k} of sub-env ${i} is ${String(w)}: Portfolio-v0 actions are ${S} target weights in [-1, 1] (no NaN): no sub-env was stepped`,
      );
    }
    out[offset + k] = w;
    gross += Math.abs(w);
  }
  if (gross > maxGross) {
    const f = maxGross / gross;
    for (let k = 0; k < S; k++) out[offset + k] = out[offset + k]! * f;
  }
}
