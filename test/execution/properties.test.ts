// Property tests on seeded random order streams (fast-check drives the seed; seedrandom drives the stream, so a failure
// prints a seed that replays it exactly).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { PaperExecutor } from '../../src/execution/paper-executor.ts';
import type { Portfolio } from '../../src/execution/portfolio.ts';
import * as K from '../../src/execution/kernel.ts';
import { accountMetrics } from '../../src/execution/metrics.ts';
import { snapshotAccount } from '../../src/execution/book-snapshot.ts';
import { Tg4Error } from '../../src/core/errors.ts';
import type { Bar, OrderSide, Trade } from '../../src/execution/types.ts';

const H = 3600_000;
const T0 = Date.UTC(2026, 0, 1);
const SYMS = ['BTC/USD', 'ETH/USD'];

function nextBar(rng: () => number, prevClose: number, i: number, vol: number): Bar {
  const open = prevClose * (1 + (rng() < 0.05 ? 8 : 1) * vol * (rng() - 0.5)); // occasional gaps
  const close = open * (1 + vol * (rng() - 0.5) * 2);
  const high = Math.max(open, close) * (1 + vol * rng());
  const low = Math.min(open, close) * (1 - vol * rng());
  return { time: T0 + i * H, open, high, low, close };
}

/** Ledger identities that must hold after every operation. */
function checkLedger(pf: Portfolio, closed: readonly Trade[]): void {
  const b = pf.book;
  const init = pf.initialCapital;
  const scale = 1e-9 * Math.max(init, Math.abs(pf.equity), b.tradedNotional[0]!);
  // cash + position value − fees − funding == equity  (cash before costs = initial + realized gross)
  // (plain throws, not expect(): this runs thousands of times and must stay cheap)
  const d1 = Math.abs(init + pf.realizedPnl + pf.unrealizedPnl - pf.feesPaid - pf.fundingPaid - pf.equity);
  if (!(d1 <= scale)) throw new Error(`ledger identity off by ${d1}`);
  // every cent is in a closed trade, an open trade, or unrealized PnL
  let open = 0;
  for (let s = 0; s < pf.symbols.length; s++) open += b.tradeGross[s]! - b.tradeFees[s]! - b.tradeFunding[s]!;
  const closedNet = closed.reduce((x, t) => x + t.netPnl, 0);
  const d2 = Math.abs(init + closedNet + open + pf.unrealizedPnl - pf.equity);
  if (!(d2 <= scale)) throw new Error(`trade ledger off by ${d2}`);
}

/** After a fill that grew exposure on `side`, that side's notional must be within the cap of the traded symbol. */
function capOk(pf: Portfolio, ex: PaperExecutor, s: number, side: number): boolean {
  const cap = side > 0 ? ex.params.maxLongLeverage[s]! : ex.params.maxShortLeverage[s]!;
  return K.sideNotional(pf.book, 0, side) <= cap * pf.equity * (1 + 1e-9);
}

/** Everything a refused order could touch: the whole book, the trade list and the equity history. */
function fingerprint(pf: Portfolio): string {
  return `${JSON.stringify(snapshotAccount(pf.book, 0))}|${pf.trades.length}|${pf.equityHistory.time.length}`;
}

function runStream(seed: number): void {
  const rng = seedrandom(`exec-${seed}`);
  const ex = new PaperExecutor({
    symbols: { 'BTC/USD': { rolloverRate: 0.0001 }, 'ETH/USD': { feeRate: 0.0026, slippage: 0.001 } },
  });
  const pf = ex.createPortfolio('p', 5_000 + rng() * 20_000);
  const trades: Trade[] = [];
  ex.onEvent((e) => {
    if (e.type === 'trade') trades.push(e.trade);
  });
  const last = [20_000, 1_500];
  for (let i = 0; i < 120; i++) {
    for (let s = 0; s < 2; s++) {
      const sym = SYMS[s]!;
      const bar = nextBar(rng, last[s]!, i, 0.01 + 0.03 * rng());
      const r = rng();
      if (r < 0.45) {
        const side: OrderSide = rng() < 0.5 ? 'buy' : 'sell';
        const max = pf.maxOrderSize(sym, side, bar.open);
        const size = max * (0.05 + 1.25 * rng()) + 1e-6;
        const withExits = rng() < 0.4;
        const order = {
          portfolio: 'p',
          symbol: sym,
          side,
          size,
          ...(withExits
            ? side === 'buy'
              ? {
                  stopLoss: bar.open * (1 - 0.02 * rng() - 0.001),
                  takeProfit: bar.open * (1 + 0.03 * rng() + 0.001),
                  maxHoldMs: H * (1 + Math.floor(rng() * 10)),
                }
              : { stopLoss: bar.open * (1 + 0.02 * rng() + 0.001), takeProfit: bar.open * (1 - 0.03 * rng() - 0.001) }
            : {}),
        };
        const before = fingerprint(pf);
        const sizeBefore = pf.book.size[s]!;
        try {
          ex.marketOrder(order, bar.open, bar.time);
          const after = pf.book.size[s]!;
          const grew = (after > 0 && after > Math.max(sizeBefore, 0)) || (after < 0 && after < Math.min(sizeBefore, 0));
          if (grew)
            expect(capOk(pf, ex, s, after > 0 ? 1 : -1)).toBe(true); // no accepted order breaks its cap
          else expect(Math.abs(after)).toBeLessThanOrEqual(Math.abs(sizeBefore)); // others only reduce
        } catch (e) {
          expect(e).toBeInstanceOf(Tg4Error);
          expect(['ORDER_REJECTED', 'INVALID_ARGUMENT']).toContain((e as Tg4Error).code);
          expect(fingerprint(pf)).toBe(before); // refused → unchanged
        }
      } else if (r < 0.55 && pf.position(sym)) {
        ex.closePosition('p', sym, bar.open, bar.time, rng() < 0.5 ? 1 : 0.1 + 0.8 * rng());
      } else if (r < 0.62) {
        ex.submit({
          portfolio: 'p',
          symbol: sym,
          side: rng() < 0.5 ? 'buy' : 'sell',
          size: 0.01 * rng() * (s === 0 ? 1 : 10) + 1e-4,
          type: 'limit',
          limitPrice: bar.open * (1 + 0.02 * (rng() - 0.5)),
        });
      }
      checkLedger(pf, trades);
      ex.onBar(sym, bar);
      checkLedger(pf, trades);
      last[s] = bar.close;
    }
  }
  // closing everything returns equity to cash, and cash to initial + Σ net PnL of the trades
  for (const sym of SYMS) if (pf.position(sym)) ex.closePosition('p', sym, last[SYMS.indexOf(sym)]!, T0 + 200 * H);
  expect(pf.positions()).toHaveLength(0);
  expect(pf.equity).toBe(pf.cash);
  const net = trades.reduce((x, t) => x + t.netPnl, 0);
  expect(Math.abs(pf.cash - (pf.initialCapital + net))).toBeLessThanOrEqual(
    1e-9 * Math.max(pf.initialCapital, pf.book.tradedNotional[0]!),
  );
  const m = pf.metrics();
  expect(m.totalTrades).toBe(trades.length);
  expect(m.winningTrades + m.losingTrades).toBeLessThanOrEqual(m.totalTrades);
  expect(Math.abs(m.totalPnl - net)).toBeLessThan(1e-6);
}

describe('invariants on random order streams', () => {
  it('ledger identity, leverage cap, refusal leaves state unchanged, closing all → equity == cash', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        runStream(seed);
      }),
      { seed: 20261125, numRuns: 25 },
    );
  });
});

const COMPARED = [
  'cash',
  'feesPaid',
  'fundingPaid',
  'realizedPnl',
  'tradeCount',
  'winCount',
  'grossProfit',
  'grossLoss',
  'maxDrawdown',
  'retM2',
  'equity',
  'size',
  'entryPrice',
  'markPrice',
  'stopLoss',
  'takeProfit',
  'maxHoldUntil',
] as const;

describe('the kernel and the object API agree bit for bit', () => {
  it('same random stream through PaperExecutor and raw kernel calls on a batched book', () => {
    const reasons = new Set<string>();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        const rng = seedrandom(`agree-${seed}`);
        const sp = { rolloverRate: 0.0002, maintenanceMarginRatio: 0.45 }; // high maintenance: liquidations happen
        const ex = new PaperExecutor({ symbols: { X: sp } });
        const pf = ex.createPortfolio('p', 10_000);
        ex.onEvent((e) => {
          if (e.type === 'trade') reasons.add(e.trade.exitReason);
        });
        const params = K.createParams([sp]);
        const book = K.createBook(4, 1, 10_000);
        const a = 2; // a middle account: indexing must not leak between accounts
        let prev = 100;
        for (let i = 0; i < 150; i++) {
          const bar = nextBar(rng, prev, i, 0.02);
          if (rng() < 0.5) {
            const target = (rng() * 2 - 1) * 150; // units; often beyond the cap → clipped
            const qRaw = target - book.size[a]!;
            if (qRaw !== 0) {
              const side = qRaw > 0 ? 1 : -1;
              const max = K.maxMarketQty(book, params, a, 0, side, bar.open);
              expect(pf.maxOrderSize('X', side > 0 ? 'buy' : 'sell', bar.open)).toBe(max);
              const q = Math.abs(qRaw) > max ? side * max : qRaw;
              if (q !== 0) {
                const next = book.size[a]! + q;
                const opens = next !== 0 && next > 0 === q > 0;
                const sl = q > 0 ? bar.open * 0.94 : bar.open * 1.06; // wide: liquidation can come first
                const tp = q > 0 ? bar.open * 1.04 : bar.open * 0.96;
                const mh = bar.time + 5 * H;
                const st = K.marketOrder(book, params, a, 0, q, bar.open, bar.time);
                // an order clipped to maxMarketQty is never refused by the cap (the closed form matches checkLeverage)
                if (q !== qRaw && st === K.REJECT_LEVERAGE)
                  throw new Error(`clipped order ${q} refused by the cap at bar ${i}`);
                let objOk = true;
                try {
                  ex.marketOrder(
                    {
                      portfolio: 'p',
                      symbol: 'X',
                      side: q > 0 ? 'buy' : 'sell',
                      size: Math.abs(q),
                      ...(opens ? { stopLoss: sl, takeProfit: tp, maxHoldUntil: mh } : {}),
                    },
                    bar.open,
                    bar.time,
                  );
                } catch {
                  objOk = false;
                }
                expect(objOk).toBe(st === K.ORDER_OK);
                if (st === K.ORDER_OK && opens) K.setExits(book, a, 0, sl, tp, mh);
              }
            }
          }
          K.processBar(book, params, a, 0, bar.open, bar.high, bar.low, bar.close, bar.time);
          K.markAccount(book, a, bar.time);
          ex.onBar('X', bar);
          const b = pf.book;
          for (const c of COMPARED) {
            if (!Object.is(b[c][0], book[c][a]))
              throw new Error(`bar ${i}: ${c} object ${b[c][0]} ≠ kernel ${book[c][a]}`);
          }
          prev = bar.close;
        }
        // untouched accounts stayed at their start
        for (const other of [0, 1, 3]) {
          expect(book.cash[other]).toBe(10_000);
          expect(book.size[other]).toBe(0);
        }
        const mk = accountMetrics(book, a);
        const mo = pf.metrics();
        for (const k of [
          'equity',
          'sharpe',
          'sortino',
          'calmar',
          'maxDrawdown',
          'winRate',
          'profitFactor',
          'exposure',
          'turnover',
        ] as const)
          expect(mo[k]).toBe(mk[k]);
      }),
      { seed: 7, numRuns: 25 },
    );
    // the stream exercised every exit path
    expect([...reasons].sort()).toEqual(['liquidation', 'max_hold', 'order', 'stop_loss', 'take_profit']);
  });
});
