// Pairing fills into round-trip trades: open/close, scaling in, a flip through zero, partial exits, an open trade.
import { describe, expect, it } from 'vitest';
import { tradesFromFills, type Fill } from '../../src/report/trades.ts';

const f = (time: number, qty: number, price: number, fee = 0, reason = 'order'): Fill => ({
  time,
  qty,
  price,
  fee,
  reason,
});

describe('tradesFromFills', () => {
  it('a long from open to close, with fees and return', () => {
    const [t, ...rest] = tradesFromFills([f(1, 2, 100, 0.2), f(5, -2, 110, 0.22, 'stop-loss')]);
    expect(rest).toEqual([]);
    expect(t).toMatchObject({
      side: 'long',
      entryTime: 1,
      entryPrice: 100,
      qty: 2,
      exitTime: 5,
      exitPrice: 110,
      exitReason: 'stop-loss',
    });
    expect(t!.fees).toBeCloseTo(0.42, 12);
    expect(t!.pnl).toBeCloseTo(20 - 0.42, 12);
    expect(t!.returnFraction).toBeCloseTo((20 - 0.42) / 200, 12);
  });

  it('scaling in averages the entry; partial exits average the exit', () => {
    const [t] = tradesFromFills([f(1, 1, 100), f(2, 1, 120), f(3, -1, 130), f(4, -1, 90)]);
    expect(t).toMatchObject({ side: 'long', entryPrice: 110, qty: 2, exitTime: 4, exitPrice: 110 });
    expect(t!.pnl).toBeCloseTo(20 - 20, 12);
  });

  it('a fill through zero closes the long and opens a short at the same price, fees split by quantity', () => {
    const trades = tradesFromFills([f(1, 1, 100, 0.1), f(2, -3, 90, 0.3), f(3, 2, 80, 0.2)]);
    expect(trades).toHaveLength(2);
    expect(trades[0]).toMatchObject({ side: 'long', exitTime: 2, exitPrice: 90 });
    expect(trades[0]!.fees).toBeCloseTo(0.2, 12);
    expect(trades[1]).toMatchObject({
      side: 'short',
      entryTime: 2,
      entryPrice: 90,
      qty: 2,
      exitTime: 3,
      exitPrice: 80,
    });
    expect(trades[1]!.pnl).toBeCloseTo(20 - 0.4, 12);
  });

  it('a position still held at the end is an open trade; zero and non-finite fills are ignored', () => {
    const trades = tradesFromFills([f(1, 0, 100), f(2, Number.NaN, 100), f(3, -1, 50)]);
    expect(trades).toEqual([
      expect.objectContaining({
        side: 'short',
        entryTime: 3,
        exitTime: null,
        exitPrice: null,
        exitReason: null,
        pnl: 0,
      }),
    ]);
  });
});
