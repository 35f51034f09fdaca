// Property test: tg4/Trading-v0 and the PaperExecutor agree bit for bit. Random markets (gaps through the open, runs of
// gap-filled bars), random executor settings with rollover, ATR stops and targets, max-hold and a cooldown, random action
// streams under every action scheme. The executor is driven only by the env's own order fills (same size, same bar);
// everything else (rollover, exits, liquidations, marks, equity statistics) it computes itself, and after every step
// the whole account book of both (every column, NaN included) must be identical. The env's rules that the executor does
// not have (cooldown, gap bars) are checked on the way.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import '../../../envs/index.ts';
import { TradingEnv } from '../../../envs/trading/index.ts';
import { PaperExecutor } from '../../../src/execution/paper-executor.ts';
import { snapshotAccount } from '../../../src/execution/book-snapshot.ts';
import type { OrderRequest } from '../../../src/execution/types.ts';
import { Rng } from '../../../src/core/rng.ts';
import type { MarketFrame } from '../../../replay/market-frame.ts';
import { HOUR, frameFromCloses, simpleFeatures } from './helpers.ts';

const SYMBOL = 'TEST/USD';

/** A random market: log-normal closes, occasional gaps at the open, a few runs of gap-filled (flat, flagged) bars. */
function market(rng: Rng, n: number): MarketFrame {
  const close: number[] = [];
  const open: number[] = [];
  let c = 100;
  for (let t = 0; t < n; t++) {
    const o = t === 0 ? c : c * (rng.random() < 0.08 ? Math.exp(0.04 * rng.normal()) : 1);
    c = o * Math.exp(0.015 * rng.normal());
    open.push(o);
    close.push(c);
  }
  const f = frameFromCloses(close, { open, spread: 0.004 });
  const filled = new Uint8Array(n);
  for (let g = 0; g < 3; g++) {
    const a = 30 + rng.integer(n - 60);
    const len = 1 + rng.integer(6);
    for (let t = a; t < a + len; t++) {
      filled[t] = 1;
      f.open[t] = f.high[t] = f.low[t] = f.close[t] = f.close[a - 1]!;
    }
  }
  return { ...f, filled };
}

function runCase(seed: number): { fills: number; exits: Set<string>; blocked: number } {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.integer(xs.length)]!;
  const frame = market(rng, 260);
  const ex = {
    initialCapital: 2_000 + 20_000 * rng.random(),
    feeRate: 0.003 * rng.random(),
    slippage: 0.002 * rng.random(),
    maxLongLeverage: 1 + 2 * rng.random(),
    maxShortLeverage: 1 + 2 * rng.random(),
    maintenanceMarginRatio: 0.1 + 0.3 * rng.random(),
    rolloverRate: 0.0001 + 0.001 * rng.random(),
    stopLossAtr: rng.random() < 0.8 ? 0.8 + 2.5 * rng.random() : null,
    takeProfitAtr: rng.random() < 0.8 ? 1 + 3 * rng.random() : null,
    maxHoldBars: rng.random() < 0.8 ? 2 + rng.integer(20) : null,
  };
  const cooldownBars = rng.integer(4);
  const actionScheme = pick(['discrete3', 'discrete-sized', 'continuous'] as const);
  const env = new TradingEnv({
    frame,
    featureMatrix: simpleFeatures(frame),
    windowSize: 3,
    start: 'first',
    episodeLength: null,
    ruinFraction: 0,
    cooldownBars,
    actionScheme,
    exposure: 0.5 + 2.5 * rng.random(),
    rebalanceThreshold: 0.1,
    executor: ex,
  });
  const paper = new PaperExecutor({
    symbols: {
      [SYMBOL]: {
        feeRate: ex.feeRate,
        slippage: ex.slippage,
        maxLongLeverage: ex.maxLongLeverage,
        maxShortLeverage: ex.maxShortLeverage,
        maintenanceMarginRatio: ex.maintenanceMarginRatio,
        rolloverRate: ex.rolloverRate,
      },
    },
  });
  const pf = paper.createPortfolio('p', ex.initialCapital);
  paper.onEvent((e) => {
    if (e.type === 'rejected') throw new Error(`the executor rejected an order the env filled: ${e.message}`);
  });
  const core = env.core;
  const atr = core.data.atr[0]; // empty without ATR exits
  env.reset({ seed });
  pf.mark(frame.time[core.bar[0]!]!);
  const nActions = actionScheme === 'discrete-sized' ? 5 : 3;
  let action = 1;
  let lastClose = -1_000; // bar at which the last position went flat
  let fills = 0;
  let blocked = 0;
  const exits = new Set<string>();
  for (let step = 0; step < 400; step++) {
    if (rng.random() < 0.3) action = actionScheme === 'continuous' ? rng.random() * 2 - 1 : rng.integer(nActions);
    const sizeBefore = pf.book.size[0]!;
    const r = env.step(actionScheme === 'continuous' ? Float32Array.of(action) : action);
    const nx = core.bar[0]!;
    const time = frame.time[nx]!;
    const stepFills = r.info.fills as { qty: number; price: number; reason: string }[];
    if (frame.filled![nx] === 1) {
      if (stepFills.length !== 0) throw new Error(`seed ${seed}: a fill in the gap-filled bar ${nx}`);
      pf.accrue(SYMBOL, time);
      pf.setMark(SYMBOL, frame.close[nx]!);
      pf.mark(time);
    } else {
      const q = core.orderQty[0]!;
      if (q !== 0) {
        fills++;
        const after = sizeBefore + q;
        const opens = after !== 0 && (sizeBefore === 0 || after > 0 !== sizeBefore > 0);
        if (opens && nx < lastClose + 1 + cooldownBars)
          throw new Error(
            `seed ${seed}: entry at bar ${nx}, within ${cooldownBars} bar(s) of the close at ${lastClose}`,
          );
        if (opens && sizeBefore !== 0 && cooldownBars > 0) throw new Error(`seed ${seed}: a flip under a cooldown`);
        const order: OrderRequest = { portfolio: 'p', symbol: SYMBOL, side: q > 0 ? 'buy' : 'sell', size: Math.abs(q) };
        if (opens) {
          // The env's rule, recomputed here: stop / target at entry ∓ k·ATR(decision bar), max-hold from the fill bar.
          const side = after > 0 ? 1 : -1;
          const entry = core.orderPrice[0]!;
          const a = atr?.[nx - 1] ?? Number.NaN;
          if (ex.stopLossAtr !== null && a > 0 && entry - side * ex.stopLossAtr * a > 0)
            order.stopLoss = entry - side * ex.stopLossAtr * a;
          if (ex.takeProfitAtr !== null && a > 0) order.takeProfit = entry + side * ex.takeProfitAtr * a;
          if (ex.maxHoldBars !== null) order.maxHoldUntil = time + ex.maxHoldBars * HOUR;
        }
        paper.submit(order);
      }
      paper.onBar(SYMBOL, {
        time,
        open: frame.open[nx]!,
        high: frame.high[nx]!,
        low: frame.low[nx]!,
        close: frame.close[nx]!,
      });
    }
    for (const f of stepFills) if (f.reason !== 'order') exits.add(f.reason);
    if (sizeBefore !== 0 && (pf.book.size[0] === 0 || pf.book.size[0]! > 0 !== sizeBefore > 0)) lastClose = nx;
    if (r.info.entry_blocked === true) blocked++;
    const mine = JSON.stringify(snapshotAccount(core.book, 0));
    const theirs = JSON.stringify(snapshotAccount(pf.book, 0));
    if (mine !== theirs) {
      expect.soft(JSON.parse(mine), `seed ${seed}, step ${step}, bar ${nx}`).toEqual(JSON.parse(theirs));
      throw new Error(`seed ${seed}: the env's book and the executor's differ after step ${step} (bar ${nx})`);
    }
    if (r.terminated || r.truncated) break;
  }
  return { fills, exits, blocked };
}

describe('tg4/Trading-v0 == PaperExecutor on random order streams', () => {
  it('every column of the account book after every step: rollover, stops, targets, max-hold, cooldown, gap bars', () => {
    let fills = 0;
    let blocked = 0;
    const exits = new Set<string>();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const r = runCase(seed);
        fills += r.fills;
        blocked += r.blocked;
        for (const e of r.exits) exits.add(e);
      }),
      { numRuns: 40, seed: 13 },
    );
    // Not vacuous: orders, cooldown refusals and every kind of exit happened.
    expect(fills).toBeGreaterThan(500);
    expect(blocked).toBeGreaterThan(20);
    expect([...exits].sort()).toEqual(['liquidation', 'max_hold', 'stop_loss', 'take_profit']);
  });
});
