// Hand-computed scenarios (every expected number is worked out in the comments, with the bot's defaults:
// fee 0.1% per side on fill notional, slippage 0.05% against the trader, caps 1.5x long / 2.0x short, maintenance 20%).
import { describe, expect, it } from 'vitest';
import { PaperExecutor } from '../../src/execution/paper-executor.ts';
import type { ExecutionEvent, Trade } from '../../src/execution/types.ts';
import { Tg4Error } from '../../src/core/errors.ts';

const H = 3600_000;
const T0 = Date.UTC(2026, 0, 1);
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-6); // far inside a cent

function setup(capital = 10_000, extra: Record<string, unknown> = {}) {
  const ex = new PaperExecutor({ symbols: { 'BTC/USD': extra } });
  const pf = ex.createPortfolio('ema9', capital);
  const events: ExecutionEvent[] = [];
  ex.onEvent((e) => events.push(e));
  const trades = () =>
    events.filter((e): e is { type: 'trade'; trade: Trade } => e.type === 'trade').map((e) => e.trade);
  return { ex, pf, events, trades };
}
const bar = (i: number, open: number, high: number, low: number, close: number) => ({
  time: T0 + i * H,
  open,
  high,
  low,
  close,
});

describe('hand-computed scenarios', () => {
  it('long round trip with fees and slippage', () => {
    const { ex, pf, trades } = setup();
    // buy 0.25 at 20000 → fill 20000 × 1.0005 = 20010, fee 0.25 × 20010 × 0.001 = 5.0025
    const f1 = ex.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.25 }, 20_000, T0);
    close(f1.price, 20_010);
    close(f1.fee, 5.0025);
    close(pf.cash, 9_994.9975);
    close(pf.equity, 10_000 - 5.0025 + 0.25 * (20_000 - 20_010)); // marked at the market price: slippage shows at once
    // sell 0.25 at 21000 → fill 20989.5, fee 5.247375, gross 0.25 × (20989.5 − 20010) = 244.875
    const f2 = ex.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'sell', size: 0.25 }, 21_000, T0 + H);
    close(f2.price, 20_989.5);
    close(f2.fee, 5.247375);
    close(f2.realizedPnl, 244.875);
    close(pf.cash, 10_234.625125); // 10000 + 244.875 − 5.0025 − 5.247375
    close(pf.equity, pf.cash);
    expect(Math.round(pf.equity * 100) / 100).toBe(10_234.63);
    const [t] = trades();
    expect(t).toMatchObject({ side: 'long', size: 0.25, entryPrice: 20_010, exitPrice: 20_989.5, exitReason: 'order' });
    close(t!.netPnl, 234.625125);
    close(t!.fees, 10.249875);
    expect(pf.position('BTC/USD')).toBeNull();
  });

  it('short round trip with fees and slippage', () => {
    const { ex, pf, trades } = setup();
    // sell 0.5 at 20000 → fill 19990, fee 9.995; buy 0.5 at 19000 → fill 19009.5, fee 9.50475; gross 0.5 × 980.5 = 490.25
    ex.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'sell', size: 0.5 }, 20_000, T0);
    expect(pf.position('BTC/USD')).toMatchObject({ side: 'short', size: 0.5, entryPrice: 19_990 });
    ex.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.5 }, 19_000, T0 + H);
    close(pf.cash, 10_470.75025);
    close(trades()[0]!.netPnl, 470.75025);
    expect(pf.metrics()).toMatchObject({ totalTrades: 1, winningTrades: 1, losingTrades: 0 });
  });

  it('flip long → short in one order', () => {
    const { ex, pf, trades } = setup();
    ex.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.25 }, 20_000, T0); // fill 20010, fee 5.0025
    // sell 0.75 at 20400 → fill 20389.8, fee 15.29235 (0.25/0.75 = 5.09745 to the closing part, 10.1949 to the new short)
    const f = ex.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'sell', size: 0.75 }, 20_400, T0 + H);
    close(f.fee, 15.29235);
    close(f.realizedPnl, 94.95); // 0.25 × (20389.8 − 20010)
    expect(f.positionAfter).toBeCloseTo(-0.5, 12);
    close(trades()[0]!.netPnl, 84.85005); // 94.95 − 5.0025 − 5.09745
    expect(pf.position('BTC/USD')!.side).toBe('short');
    close(pf.position('BTC/USD')!.entryPrice, 20_389.8);
    close(pf.cash, 10_074.65515); // 10000 − 5.0025 − 15.29235 + 94.95
    close(pf.equity, 10_069.55515); // cash − 0.5 × (20400 − 20389.8)
    // closing the short later charges the new trade its 10.1949 entry share
    ex.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.5 }, 20_000, T0 + 2 * H); // fill 20010, fee 10.005
    close(trades()[1]!.fees, 10.1949 + 10.005);
    close(trades()[1]!.netPnl, 0.5 * (20_389.8 - 20_010) - 10.1949 - 10.005);
  });

  it('partial close, then close the rest: one round trip', () => {
    const { ex, pf, trades } = setup();
    ex.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.3 }, 20_000, T0); // fill 20010, fee 6.003
    // close a third at 20500 → fill 20489.75, fee 2.048975, gross 0.1 × 479.75 = 47.975
    const f = ex.closePosition('ema9', 'BTC/USD', 20_500, T0 + H, 1 / 3);
    close(f.size, 0.1);
    close(f.realizedPnl, 47.975);
    expect(pf.position('BTC/USD')!.size).toBeCloseTo(0.2, 12);
    expect(pf.position('BTC/USD')!.entryPrice).toBe(20_010);
    close(pf.cash, 10_039.923025);
    expect(trades()).toHaveLength(0); // still open
    // the rest at 19800 → fill 19790.1, fee 3.95802, gross 0.2 × (19790.1 − 20010) = −43.98
    ex.closePosition('ema9', 'BTC/USD', 19_800, T0 + 2 * H);
    close(pf.cash, 9_991.985005);
    expect(trades()).toHaveLength(1);
    close(trades()[0]!.netPnl, -8.014995); // 47.975 − 43.98 − 6.003 − 2.048975 − 3.95802
    close(trades()[0]!.exitPrice, (0.1 * 20_489.75 + 0.2 * 19_790.1) / 0.3);
    expect(pf.metrics()).toMatchObject({ totalTrades: 1, winningTrades: 0, losingTrades: 1 });
  });

  it('stop and target touched in the same bar: the stop wins (pessimistic)', () => {
    const { ex, pf, trades, events } = setup();
    ex.submit({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.25, stopLoss: 19_500, takeProfit: 20_500 });
    // filled at this bar's open (20010, fee 5.0025); the same bar reaches 19400 and 20600 → stop at 19500 × 0.9995
    ex.onBar('BTC/USD', bar(0, 20_000, 20_600, 19_400, 20_100));
    const t = trades()[0]!;
    expect(t.exitReason).toBe('stop_loss');
    close(t.exitPrice, 19_490.25);
    close(t.netPnl, -139.8125625); // 0.25 × (19490.25 − 20010) − 5.0025 − 4.8725625
    close(pf.cash, 9_860.1874375);
    const exitFill = events
      .filter((e) => e.type === 'fill')
      .map((e) => (e as Extract<ExecutionEvent, { type: 'fill' }>).fill)[1]!;
    expect(exitFill).toMatchObject({
      reason: 'stop_loss',
      refPrice: 19_500,
      side: 'sell',
      size: 0.25,
      positionAfter: 0,
      time: T0,
    });
  });

  it('take-profit inside a bar fills at the target, no slippage', () => {
    const { ex, trades } = setup();
    ex.submit({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.25, stopLoss: 19_500, takeProfit: 20_500 });
    ex.onBar('BTC/USD', bar(0, 20_000, 20_300, 19_900, 20_200));
    expect(trades()).toHaveLength(0);
    ex.onBar('BTC/USD', bar(1, 20_200, 20_500, 20_100, 20_450)); // touches the target only: a limit does not fill
    expect(trades()).toHaveLength(0);
    ex.onBar('BTC/USD', bar(2, 20_200, 20_700, 20_100, 20_600));
    close(trades()[0]!.exitPrice, 20_500);
    close(trades()[0]!.netPnl, 0.25 * 490 - 5.0025 - 0.25 * 20_500 * 0.001);
    expect(trades()[0]!.exitReason).toBe('take_profit');
  });

  it('a gap through the stop fills at the open (with slippage), not at the stop', () => {
    const { ex, pf, trades } = setup();
    ex.submit({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.25, stopLoss: 19_500 });
    ex.onBar('BTC/USD', bar(0, 20_000, 20_100, 19_900, 20_050));
    ex.onBar('BTC/USD', bar(1, 19_000, 19_200, 18_800, 19_100));
    const t = trades()[0]!;
    close(t.exitPrice, 18_990.5); // 19000 × 0.9995
    close(t.netPnl, -264.625125); // 0.25 × (18990.5 − 20010) − 5.0025 − 4.747625
    close(pf.cash, 10_000 - 264.625125);
  });

  it('short: a gap up through the stop fills at the open', () => {
    const { ex, trades } = setup();
    ex.submit({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'sell', size: 0.25, stopLoss: 20_500 });
    ex.onBar('BTC/USD', bar(0, 20_000, 20_100, 19_900, 20_050)); // fill 19990, fee 4.9975
    ex.onBar('BTC/USD', bar(1, 21_000, 21_200, 20_900, 21_100)); // exit 21000 × 1.0005 = 21010.5, fee 5.252625
    close(trades()[0]!.exitPrice, 21_010.5);
    close(trades()[0]!.netPnl, -0.25 * (21_010.5 - 19_990) - 4.9975 - 5.252625);
  });

  it('max-hold exit at the open of the first bar at or after the limit', () => {
    const { ex, trades } = setup();
    ex.submit({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.25, maxHoldMs: 2 * H });
    ex.onBar('BTC/USD', bar(0, 20_000, 20_100, 19_900, 20_050)); // fill 20010 at T0, hold until T0 + 2h
    ex.onBar('BTC/USD', bar(1, 20_050, 20_400, 20_000, 20_300));
    expect(trades()).toHaveLength(0);
    ex.onBar('BTC/USD', bar(2, 20_300, 20_500, 20_200, 20_400)); // exit 20300 × 0.9995 = 20289.85, fee 5.0724625
    const t = trades()[0]!;
    expect(t.exitReason).toBe('max_hold');
    close(t.exitPrice, 20_289.85);
    close(t.netPnl, 59.8875375); // 0.25 × 279.85 − 5.0025 − 5.0724625
    expect(t.closedAt - t.openedAt).toBe(2 * H);
  });

  it('liquidation when equity falls below maintenance margin', () => {
    const { ex, pf, trades } = setup();
    // short 0.99 at 20000 (1.98x): fill 19990, fee 19.7901, cash 9980.2099
    ex.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'sell', size: 0.99 }, 20_000, T0);
    // equity(x) = 9980.2099 − 0.99 (x − 19990) = 0.2 × 0.99 x  →  x = 29770.3099 / 1.188 = 25059.1834175084…
    const liq = pf.position('BTC/USD')!.liquidationPrice!;
    close(liq, 25_059.18341750842);
    close(pf.cash - 0.99 * (liq - 19_990), 0.2 * 0.99 * liq);
    ex.onBar('BTC/USD', bar(1, 24_000, 25_500, 23_900, 25_200));
    const t = trades()[0]!;
    expect(t.exitReason).toBe('liquidation');
    close(t.exitPrice, 25_071.71300921717); // liq × 1.0005
    close(pf.cash, 4_924.493024995875); // 9980.2099 − 0.99 × (25071.713… − 19990) − 24.820995879125
    close(t.netPnl, -5_075.506975004125);
  });

  it('leverage cap refusal names the cap, the figures and the largest allowed size; nothing changes', () => {
    const { ex, pf, events } = setup();
    const before = JSON.stringify(pf.snapshot());
    let err: unknown;
    try {
      ex.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.75 }, 20_000, T0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Tg4Error);
    expect((err as Tg4Error).code).toBe('ORDER_REJECTED');
    expect((err as Error).message).toMatch(/1\.5x long cap/);
    expect((err as Error).message).toMatch(/largest buy allowed now is 0\.748316/); // 15000 / (20000 + 1.5 × 30.01)
    expect(JSON.stringify(pf.snapshot())).toBe(before);
    expect(events).toHaveLength(0);
    // the largest allowed size passes, and lands exactly on the cap
    const q = pf.maxOrderSize('BTC/USD', 'buy', 20_000);
    close(q, 0.7483157283743614);
    ex.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: q }, 20_000, T0);
    close((q * 20_000) / pf.equity, 1.5);
    // shorts may go to 2.0x
    const { ex: ex2 } = setup();
    expect(() =>
      ex2.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'sell', size: 1.0 }, 20_000, T0),
    ).toThrow(/2x short cap/);
    expect(() =>
      ex2.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'sell', size: 0.99 }, 20_000, T0),
    ).not.toThrow();
  });

  it('a pending order refused at fill time becomes a rejected event, portfolio unchanged', () => {
    const { ex, pf, events } = setup();
    ex.submit({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 1 });
    ex.onBar('BTC/USD', bar(0, 20_000, 20_100, 19_900, 20_050));
    expect(events.map((e) => e.type)).toEqual(['rejected']);
    expect(pf.cash).toBe(10_000);
    expect(ex.pendingOrders()).toHaveLength(0);
  });

  it('limit orders fill when the bar trades through; touch-only does not', () => {
    const { ex, pf } = setup();
    ex.submit({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.25, type: 'limit', limitPrice: 19_800 });
    ex.onBar('BTC/USD', bar(0, 20_000, 20_100, 19_800, 20_050)); // low == limit: touch only
    expect(pf.position('BTC/USD')).toBeNull();
    ex.onBar('BTC/USD', bar(1, 20_000, 20_100, 19_750, 20_050)); // through: fill at the limit, no slippage
    expect(pf.position('BTC/USD')).toMatchObject({ entryPrice: 19_800, size: 0.25 });
    close(pf.feesPaid, 4.95);
    // a gap below the limit fills at the open
    ex.submit({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.1, type: 'limit', limitPrice: 19_800 });
    ex.onBar('BTC/USD', bar(2, 19_700, 19_900, 19_600, 19_850));
    close(pf.position('BTC/USD')!.entryPrice, (0.25 * 19_800 + 0.1 * 19_700) / 0.35);
    // with limitFillOnTouch a touch fills
    const t = setup(10_000, { limitFillOnTouch: true });
    t.ex.submit({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.25, type: 'limit', limitPrice: 19_800 });
    t.ex.onBar('BTC/USD', bar(0, 20_000, 20_100, 19_800, 20_050));
    expect(t.pf.position('BTC/USD')).toMatchObject({ entryPrice: 19_800 });
  });

  it('rollover (Kraken style) per full 4 h period on the entry notional', () => {
    const { ex, pf, trades } = setup(10_000, { rolloverRate: 0.0002 });
    ex.submit({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.25 });
    for (let i = 0; i <= 9; i++) ex.onBar('BTC/USD', bar(i, 20_000, 20_000, 20_000, 20_000));
    // opened at T0, now T0 + 9 h: two periods × 0.0002 × 0.25 × 20010 = 2.001
    close(pf.fundingPaid, 2.001);
    ex.closePosition('ema9', 'BTC/USD', 20_000, T0 + 9 * H);
    close(trades()[0]!.funding, 2.001);
    close(pf.cash, 10_000 + 0.25 * (19_990 - 20_010) - 5.0025 - 4.9975 - 2.001);
  });

  it('live ticks: a queued order fills at the next tick + slippage, a tick through the stop exits; samples only on markToMarket', () => {
    const { ex, pf, trades } = setup();
    ex.submit({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.25, stopLoss: 19_900 });
    ex.onTick('BTC/USD', 20_000, T0 + 1_000);
    close(pf.position('BTC/USD')!.entryPrice, 20_010);
    ex.onTick('BTC/USD', 19_950, T0 + 2_000);
    expect(trades()).toHaveLength(0);
    ex.markToMarket(T0 + H);
    ex.onTick('BTC/USD', 19_880, T0 + H + 5_000); // through the stop: a tick is a gap, fills at the tick × 0.9995
    close(trades()[0]!.exitPrice, 19_880 * 0.9995);
    expect(trades()[0]!.exitReason).toBe('stop_loss');
    ex.markToMarket(T0 + 2 * H);
    expect(pf.equityHistory.time).toEqual([T0 + H, T0 + 2 * H]);
    expect(pf.metrics().samples).toBe(2);
  });

  it('cross margin inside a portfolio: the liquidation price of one position counts the others', () => {
    const ex = new PaperExecutor({ symbols: ['BTC/USD', 'ETH/USD'] });
    const pf = ex.createPortfolio('p', 10_000);
    ex.marketOrder({ portfolio: 'p', symbol: 'BTC/USD', side: 'buy', size: 0.5 }, 20_000, T0); // long 10k notional
    ex.marketOrder({ portfolio: 'p', symbol: 'ETH/USD', side: 'sell', size: 2 }, 1_500, T0); // short 3k notional
    const liqAlone = (() => {
      const e2 = new PaperExecutor({ symbols: ['BTC/USD'] });
      const p2 = e2.createPortfolio('p', 10_000);
      e2.marketOrder({ portfolio: 'p', symbol: 'BTC/USD', side: 'buy', size: 0.5 }, 20_000, T0);
      return p2.position('BTC/USD')!.liquidationPrice!;
    })();
    const x = pf.position('BTC/USD')!.liquidationPrice!;
    expect(x).toBeGreaterThan(liqAlone); // the short's margin and costs bring the long's liquidation closer
    // at x, equity == Σ maintenance margin (0.2 × |notional| of both positions)
    pf.setMark('BTC/USD', x);
    close(pf.equity, pf.maintenanceMargin);
    // an ETH rally (loss on the short) moves BTC's liquidation price up
    pf.setMark('BTC/USD', 20_000);
    ex.onBar('ETH/USD', bar(1, 1_800, 1_800, 1_800, 1_800));
    expect(pf.position('BTC/USD')!.liquidationPrice!).toBeGreaterThan(x);
  });

  it('isolated portfolios: one strategy cannot spend another’s capital', () => {
    const ex = new PaperExecutor({ symbols: ['BTC/USD', 'ETH/USD'] });
    const a = ex.createPortfolio('a', 10_000);
    const b = ex.createPortfolio('b', 1_000);
    ex.marketOrder({ portfolio: 'a', symbol: 'BTC/USD', side: 'buy', size: 0.5 }, 20_000, T0);
    expect(() => ex.marketOrder({ portfolio: 'b', symbol: 'BTC/USD', side: 'buy', size: 0.5 }, 20_000, T0)).toThrow(
      /leverage cap/,
    );
    expect(b.cash).toBe(1_000);
    expect(a.position('BTC/USD')!.size).toBe(0.5);
    expect(b.position('BTC/USD')).toBeNull();
  });
});
