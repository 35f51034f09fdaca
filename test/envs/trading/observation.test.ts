// The observation layout helpers and the window copy (shared views, and the subarray path for very long matrices).
import { describe, expect, it } from 'vitest';
import { WindowCopier, observationDim, observationNames, observationSpace } from '../../../envs/trading/observation.ts';

describe('observation layout', () => {
  it('dimension, space and names', () => {
    expect(observationDim(3, 2)).toBe(10);
    expect(observationSpace(3, 2).shape).toEqual([10]);
    expect(observationNames(2, ['a', 'b'])).toEqual([
      'a[t-1]',
      'b[t-1]',
      'a[t]',
      'b[t]',
      'exposure',
      'unrealized_pnl',
      'time_in_trade',
      'drawdown',
    ]);
  });
  for (const rows of [1000, 400_001]) {
    it(`the window ending at row t is rows t−W+1 … t (${rows} rows: ${rows > 400_000 ? 'subarray path' : 'shared views'})`, () => {
      const F = 2;
      const m = Float32Array.from({ length: rows * F }, (_, k) => k);
      const c = new WindowCopier(m, F, 3);
      const out = new Float32Array(10).fill(-1);
      c.copy(rows - 1, out, 2);
      const t = rows - 1;
      expect(Array.from(out)).toEqual([-1, -1, ...[t - 2, t - 1, t].flatMap((r) => [r * F, r * F + 1]), -1, -1]);
      c.copy(2, out, 0);
      expect(Array.from(out.subarray(0, 6))).toEqual([0, 1, 2, 3, 4, 5]);
    });
  }
});
