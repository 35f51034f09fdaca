// Bad input → a typed error with a message that says what to do, and the portfolio unchanged.
import { describe, expect, it } from 'vitest';
import { PaperExecutor } from '../../src/execution/paper-executor.ts';
import { Tg4Error } from '../../src/core/errors.ts';
import type { OrderRequest } from '../../src/execution/types.ts';

const T0 = Date.UTC(2026, 0, 1);

function setup() {
  const ex = new PaperExecutor({ symbols: ['BTC/USD'] });
  const pf = ex.createPortfolio('p', 10_000);
  ex.marketOrder({ portfolio: 'p', symbol: 'BTC/USD', side: 'buy', size: 0.1 }, 20_000, T0);
  return { ex, pf };
}

function expectCode(fn: () => unknown, code: string, msg?: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a throw').toBeInstanceOf(Tg4Error);
  expect((err as Tg4Error).code).toBe(code);
  if (msg) expect((err as Error).message).toMatch(msg);
}

describe('bad input', () => {
  const base: OrderRequest = { portfolio: 'p', symbol: 'BTC/USD', side: 'buy', size: 0.01 };
  const cases: [string, Partial<OrderRequest> | Record<string, unknown>, number, string, RegExp][] = [
    ['NaN size', { size: NaN }, 20_000, 'INVALID_ARGUMENT', /order size must be a finite number > 0, got NaN/],
    ['negative size', { size: -1 }, 20_000, 'INVALID_ARGUMENT', /order size/],
    ['zero size', { size: 0 }, 20_000, 'INVALID_ARGUMENT', /order size/],
    ['infinite size', { size: Infinity }, 20_000, 'INVALID_ARGUMENT', /order size/],
    ['NaN price', {}, NaN, 'INVALID_ARGUMENT', /price for BTC\/USD must be a finite number > 0/],
    ['negative price', {}, -5, 'INVALID_ARGUMENT', /price/],
    ['unknown symbol', { symbol: 'DOGE/USD' }, 20_000, 'INVALID_ARGUMENT', /unknown symbol 'DOGE\/USD'.*'BTC\/USD'/],
    ['unknown portfolio', { portfolio: 'nope' }, 20_000, 'INVALID_ARGUMENT', /unknown portfolio 'nope'/],
    ['bad side', { side: 'hold' }, 20_000, 'INVALID_ARGUMENT', /side must be 'buy' or 'sell'/],
    ['NaN stop', { stopLoss: NaN }, 20_000, 'INVALID_ARGUMENT', /stopLoss/],
    ['stop above price on a long', { stopLoss: 21_000 }, 20_000, 'ORDER_REJECTED', /stopLoss 21000 must be below/],
    [
      'target below price on a long',
      { takeProfit: 19_000 },
      20_000,
      'ORDER_REJECTED',
      /takeProfit 19000 must be above/,
    ],
    ['limit price on a market order', { limitPrice: 19_000 }, 20_000, 'INVALID_ARGUMENT', /only for limit orders/],
    [
      'reduce-only that would flip',
      { side: 'sell', size: 0.5, reduceOnly: true },
      20_000,
      'ORDER_REJECTED',
      /reduce-only but would flip/,
    ],
    [
      'exits on a reducing order',
      { side: 'sell', size: 0.05, stopLoss: 21_000 },
      20_000,
      'INVALID_ARGUMENT',
      /use setExits/,
    ],
  ];
  for (const [name, patch, price, code, msg] of cases) {
    it(`${name} → ${code}, portfolio unchanged`, () => {
      const { ex, pf } = setup();
      const before = JSON.stringify(pf.snapshot());
      expectCode(() => ex.marketOrder({ ...base, ...patch } as OrderRequest, price, T0 + 1), code, msg);
      expect(JSON.stringify(pf.snapshot())).toBe(before);
    });
  }

  it('orders on a closed position are rejected (close, reduce-only, exits), nothing changes', () => {
    const { ex, pf } = setup();
    ex.closePosition('p', 'BTC/USD', 20_000, T0 + 1);
    const before = JSON.stringify(pf.snapshot());
    expectCode(
      () => ex.closePosition('p', 'BTC/USD', 20_000, T0 + 2),
      'ORDER_REJECTED',
      /no open BTC\/USD position to close/,
    );
    expectCode(
      () => ex.marketOrder({ ...base, side: 'sell', reduceOnly: true }, 20_000, T0 + 2),
      'ORDER_REJECTED',
      /nothing to reduce/,
    );
    expectCode(() => ex.setExits('p', 'BTC/USD', { stopLoss: 19_000 }), 'ORDER_REJECTED', /no open BTC\/USD position/);
    expect(JSON.stringify(pf.snapshot())).toBe(before);
  });

  it('a position closed by its stop cannot be closed again', () => {
    const { ex, pf } = setup();
    ex.setExits('p', 'BTC/USD', { stopLoss: 19_500 });
    ex.onBar('BTC/USD', { time: T0 + 3600_000, open: 19_900, high: 19_950, low: 19_400, close: 19_450 });
    expect(pf.position('BTC/USD')).toBeNull();
    expectCode(() => ex.closePosition('p', 'BTC/USD', 19_450, T0 + 7200_000), 'ORDER_REJECTED');
  });

  it('bad close fraction, bad bars, bad config, bad submit', () => {
    const { ex, pf } = setup();
    const before = JSON.stringify(pf.snapshot());
    expectCode(() => ex.closePosition('p', 'BTC/USD', 20_000, T0, 1.5), 'INVALID_ARGUMENT', /fraction/);
    expectCode(
      () => ex.onBar('BTC/USD', { time: T0, open: 100, high: 90, low: 95, close: 96 }),
      'INVALID_ARGUMENT',
      /inconsistent/,
    );
    expectCode(
      () => ex.onBar('BTC/USD', { time: NaN, open: 100, high: 100, low: 100, close: 100 }),
      'INVALID_ARGUMENT',
      /bar.time/,
    );
    expectCode(
      () => ex.onBar('XRP/USD', { time: T0, open: 1, high: 1, low: 1, close: 1 }),
      'INVALID_ARGUMENT',
      /unknown symbol/,
    );
    expectCode(() => ex.submit({ ...base, type: 'limit' }), 'INVALID_ARGUMENT', /limitPrice of a limit order/);
    expect(ex.pendingOrders()).toHaveLength(0);
    expect(JSON.stringify(pf.snapshot())).toBe(before);
    expectCode(
      () => new PaperExecutor({ symbols: { X: { feeRate: -0.1 } } }),
      'INVALID_ARGUMENT',
      /symbols\['X'\]\.feeRate must be a fraction/,
    );
    expectCode(
      () => new PaperExecutor({ symbols: { X: { fee: 0.1 } as never } }),
      'INVALID_ARGUMENT',
      /not a symbol parameter/,
    );
    expectCode(() => new PaperExecutor({ symbols: [] }), 'INVALID_ARGUMENT', /at least one symbol/);
    expectCode(() => ex.createPortfolio('p', 5), 'INVALID_ARGUMENT', /already exists/);
    expectCode(() => ex.createPortfolio('q', NaN), 'INVALID_ARGUMENT', /initial capital/);
  });

  it('a corrupt snapshot is refused and the executor keeps its state', () => {
    const { ex, pf } = setup();
    const snap = JSON.parse(JSON.stringify(ex.snapshot()));
    snap.portfolios[0].book.slots.size = ['oops'];
    const before = JSON.stringify(ex.snapshot());
    expectCode(() => ex.restore(snap), 'INVALID_ARGUMENT', /slots\.size/);
    expect(JSON.stringify(ex.snapshot())).toBe(before);
    expect(pf.position('BTC/USD')!.size).toBe(0.1);
  });
});
