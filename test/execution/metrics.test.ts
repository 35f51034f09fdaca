// Metrics against a straightforward reference computation on a recorded run, and a tiny hand-computed case.
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { PaperExecutor } from '../../src/execution/paper-executor.ts';
import * as K from '../../src/execution/kernel.ts';
import { accountMetrics } from '../../src/execution/metrics.ts';
import type { Fill, Trade } from '../../src/execution/types.ts';

const H = 3600_000;
const T0 = Date.UTC(2026, 0, 1);

describe('metrics', () => {
  it('hand-computed: drawdown, win rate, profit factor, exposure on a tiny book', () => {
    const params = K.createParams([{ feeRate: 0, slippage: 0 }]);
    const b = K.createBook(1, 1, 100);
    // equity path 100 → 110 → 99 → 120 by price moves of a 1-unit long entered at 10 (no costs)
    expect(K.marketOrder(b, params, 0, 0, 1, 10, 0)).toBe(K.ORDER_OK);
    K.markAccount(b, 0, 0); // 100
    K.processBar(b, params, 0, 0, 10, 20, 10, 20, H);
    K.markAccount(b, 0, H); // 110
    K.processBar(b, params, 0, 0, 20, 20, 9, 9, 2 * H);
    K.markAccount(b, 0, 2 * H); // 99
    K.processBar(b, params, 0, 0, 9, 30, 9, 30, 3 * H);
    K.markAccount(b, 0, 3 * H); // 120
    const m = accountMetrics(b, 0);
    expect(m.maxDrawdown).toBeCloseTo(11 / 110, 15);
    expect(m.maxDrawdownAbs).toBeCloseTo(11, 12);
    expect(m.samples).toBe(4);
    expect(m.periodsPerYear).toBe(8760);
    expect(m.exposure).toBe(1);
    const r = [0.1, 99 / 110 - 1, 120 / 99 - 1];
    const mean = (r[0]! + r[1]! + r[2]!) / 3;
    const sd = Math.sqrt(r.reduce((x, v) => x + (v - mean) ** 2, 0) / 2);
    expect(m.sharpe!).toBeCloseTo((mean / sd) * Math.sqrt(8760), 9);
    expect(m.sortino!).toBeCloseTo((mean / Math.sqrt(r[1]! ** 2 / 3)) * Math.sqrt(8760), 9);
    // trades +30, −10, +20, −5 (no costs): win rate 0.5, profit factor 50 / 15
    const c = K.createBook(1, 1, 1000);
    for (const [entry, exit] of [
      [10, 40],
      [50, 40],
      [10, 30],
      [20, 15],
    ] as const) {
      K.marketOrder(c, params, 0, 0, 1, entry, 0);
      K.marketOrder(c, params, 0, 0, -1, exit, 0);
    }
    const mc = accountMetrics(c, 0);
    expect(mc).toMatchObject({
      totalTrades: 4,
      winningTrades: 2,
      losingTrades: 2,
      winRate: 0.5,
      totalPnl: 35,
      grossProfit: 50,
      grossLoss: 15,
    });
    expect(mc.profitFactor).toBeCloseTo(50 / 15, 15);
    expect(mc.cash).toBe(1035);
  });

  it('matches a straightforward reference computation on a recorded trade list and equity curve', () => {
    const rng = seedrandom('metrics-ref');
    const ex = new PaperExecutor({ symbols: ['BTC/USD', 'ETH/USD'] });
    const pf = ex.createPortfolio('ref', 10_000);
    const trades: Trade[] = [];
    const fills: Fill[] = [];
    ex.onEvent((e) => {
      if (e.type === 'trade') trades.push(e.trade);
      if (e.type === 'fill') fills.push(e.fill);
    });
    const exposed: boolean[] = [];
    const px = [20_000, 1_500];
    for (let i = 0; i < 400; i++) {
      for (let s = 0; s < 2; s++) {
        const sym = s === 0 ? 'BTC/USD' : 'ETH/USD';
        const open = px[s]! * (1 + 0.01 * (rng() - 0.5));
        const close = open * (1 + 0.02 * (rng() - 0.5));
        const bar = {
          time: T0 + i * H,
          open,
          high: Math.max(open, close) * (1 + 0.005 * rng()),
          low: Math.min(open, close) * (1 - 0.005 * rng()),
          close,
        };
        if (rng() < 0.15) {
          const side = rng() < 0.5 ? ('buy' as const) : ('sell' as const);
          const size = 0.5 * pf.maxOrderSize(sym, side, open) * rng() + 1e-6;
          ex.marketOrder(
            {
              portfolio: 'ref',
              symbol: sym,
              side,
              size,
              ...(rng() < 0.5 && !pf.position(sym)
                ? side === 'buy'
                  ? { stopLoss: open * 0.99, takeProfit: open * 1.015 }
                  : { stopLoss: open * 1.01, takeProfit: open * 0.985 }
                : {}),
            },
            open,
            bar.time,
          );
        }
        ex.onBar(sym, bar);
        px[s] = close;
      }
      exposed.push(pf.positions().length > 0);
    }
    const eq = pf.equityHistory.equity;
    expect(eq).toHaveLength(400);
    // --- reference
    const rets: number[] = [];
    for (let i = 1; i < eq.length; i++) rets.push(eq[i]! / eq[i - 1]! - 1);
    const mean = rets.reduce((a, b) => a + b, 0) / rets.length;
    const sd = Math.sqrt(rets.reduce((a, b) => a + (b - mean) ** 2, 0) / (rets.length - 1));
    const dsd = Math.sqrt(rets.reduce((a, b) => a + Math.min(b, 0) ** 2, 0) / rets.length);
    let peak = -Infinity;
    let mdd = 0;
    for (const e of eq) {
      peak = Math.max(peak, e);
      mdd = Math.max(mdd, (peak - e) / peak);
    }
    const ann = Math.pow(eq[eq.length - 1]! / eq[0]!, 8760 / (eq.length - 1)) - 1;
    const wins = trades.filter((t) => t.netPnl > 0);
    const losses = trades.filter((t) => t.netPnl < 0);
    const gp = wins.reduce((a, t) => a + t.netPnl, 0);
    const gl = -losses.reduce((a, t) => a + t.netPnl, 0);
    const turnover = fills.reduce((a, f) => a + f.size * f.price, 0) / 10_000;
    const fees = fills.reduce((a, f) => a + f.fee, 0);
    const pnlBtc = trades.filter((t) => t.symbol === 'BTC/USD').reduce((a, t) => a + t.netPnl, 0);
    // --- compare
    const m = pf.metrics();
    expect(trades.length).toBeGreaterThan(20);
    expect(losses.length).toBeGreaterThan(0);
    expect(m.periodsPerYear).toBe(8760);
    expect(m.sharpe!).toBeCloseTo((mean / sd) * Math.sqrt(8760), 8);
    expect(m.sortino!).toBeCloseTo((mean / dsd) * Math.sqrt(8760), 8);
    expect(m.maxDrawdown).toBeCloseTo(mdd, 12);
    expect(m.annualizedReturn!).toBeCloseTo(ann, 9);
    expect(m.calmar!).toBeCloseTo(ann / mdd, 6);
    expect(m.totalTrades).toBe(trades.length);
    expect(m.winningTrades).toBe(wins.length);
    expect(m.losingTrades).toBe(losses.length);
    expect(m.winRate).toBe(wins.length / trades.length);
    expect(m.profitFactor!).toBeCloseTo(gp / gl, 10);
    expect(m.exposure).toBe(exposed.filter(Boolean).length / exposed.length);
    expect(m.turnover).toBeCloseTo(turnover, 9);
    expect(m.feesPaid).toBeCloseTo(fees, 9);
    expect(m.tradesBySymbol['BTC/USD']! + m.tradesBySymbol['ETH/USD']!).toBe(trades.length);
    expect(m.pnlBySymbol['BTC/USD']).toBeCloseTo(pnlBtc, 9);
    expect(m.totalPnl).toBeCloseTo(gp - gl, 9);
    expect(() => JSON.stringify(m)).not.toThrow();
  });

  it('undefined ratios are null, not NaN or Infinity', () => {
    const ex = new PaperExecutor({ symbols: ['X'] });
    const m = ex.createPortfolio('p', 100).metrics();
    expect(m).toMatchObject({
      sharpe: null,
      sortino: null,
      calmar: null,
      winRate: null,
      profitFactor: null,
      totalTrades: 0,
    });
  });
});
