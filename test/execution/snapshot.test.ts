// snapshot()/restore(): a JSON round trip mid-run, then the same remaining stream, gives the identical state.
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { PaperExecutor, type ExecutorSnapshot } from '../../src/execution/paper-executor.ts';
import * as K from '../../src/execution/kernel.ts';

const H = 3600_000;
const T0 = Date.UTC(2026, 0, 1);

function drive(ex: PaperExecutor, rng: () => number, from: number, to: number, px: { v: number }): void {
  for (let i = from; i < to; i++) {
    const open = px.v * (1 + 0.02 * (rng() - 0.5));
    const close = open * (1 + 0.02 * (rng() - 0.5));
    const bar = {
      time: T0 + i * H,
      open,
      high: Math.max(open, close) * 1.004,
      low: Math.min(open, close) * 0.996,
      close,
    };
    const pf = ex.portfolio('s');
    if (rng() < 0.3) {
      const side = rng() < 0.5 ? ('buy' as const) : ('sell' as const);
      const size = pf.maxOrderSize('X', side, open) * 0.6 * rng() + 1e-6;
      try {
        ex.marketOrder(
          {
            portfolio: 's',
            symbol: 'X',
            side,
            size,
            ...(pf.position('X')
              ? {}
              : { maxHoldMs: 6 * H, ...(side === 'buy' ? { stopLoss: open * 0.99 } : { stopLoss: open * 1.01 }) }),
          },
          open,
          bar.time,
        );
      } catch {
        /* cap */
      }
    }
    if (rng() < 0.1)
      ex.submit({ portfolio: 's', symbol: 'X', side: 'buy', size: 0.01, type: 'limit', limitPrice: open * 0.995 });
    ex.onBar('X', bar);
    px.v = close;
  }
}

describe('snapshot / restore', () => {
  it('the book declares every column the snapshot names, with the right length', () => {
    const b = K.createBook(3, 2, 100) as unknown as Record<string, ArrayLike<number>>;
    for (const c of K.BOOK_ACCOUNT_COLUMNS) expect(b[c]?.length, c).toBe(3);
    for (const c of K.BOOK_SLOT_COLUMNS) expect(b[c]?.length, c).toBe(6);
  });

  it('JSON round trip mid-run, then the same stream → identical state, trades and metrics', () => {
    const mk = () => {
      const ex = new PaperExecutor({ symbols: { X: { rolloverRate: 0.0002 } } });
      ex.createPortfolio('s', 10_000);
      return ex;
    };
    const a = mk();
    const rngA = seedrandom('snap');
    const pxA = { v: 100 };
    drive(a, rngA, 0, 150, pxA);
    const json = JSON.stringify(a.snapshot());
    const b = PaperExecutor.fromSnapshot(JSON.parse(json) as ExecutorSnapshot);
    expect(JSON.stringify(b.snapshot())).toBe(json);
    // continue both with identical random streams
    const rng1 = seedrandom('cont');
    const rng2 = seedrandom('cont');
    const px1 = { v: pxA.v };
    const px2 = { v: pxA.v };
    drive(a, rng1, 150, 300, px1);
    drive(b, rng2, 150, 300, px2);
    expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(a.snapshot()));
    expect(b.portfolio('s').metrics()).toEqual(a.portfolio('s').metrics());
    expect(a.portfolio('s').trades.length).toBeGreaterThan(5);
  });

  it('restore() rewinds an executor in place (env reset to a saved state); reset() returns to flat', () => {
    const ex = new PaperExecutor({ symbols: ['X'] });
    const pf = ex.createPortfolio('s', 1_000);
    ex.marketOrder({ portfolio: 's', symbol: 'X', side: 'buy', size: 5 }, 100, T0);
    const snap = ex.snapshot();
    ex.marketOrder({ portfolio: 's', symbol: 'X', side: 'sell', size: 5 }, 110, T0 + H);
    expect(ex.portfolio('s').trades).toHaveLength(1);
    ex.restore(snap);
    expect(ex.portfolio('s').position('X')).toMatchObject({ size: 5, side: 'long' });
    expect(ex.portfolio('s').trades).toHaveLength(0);
    ex.portfolio('s').reset();
    expect(ex.portfolio('s')).not.toBe(pf); // restore replaced the object
    expect(ex.portfolio('s').equity).toBe(1_000);
    expect(ex.portfolio('s').positions()).toHaveLength(0);
  });
});
