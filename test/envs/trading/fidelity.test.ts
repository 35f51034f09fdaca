// Trading-simulation fidelity (issue 13, items 1, 2, 4, 5): rollover before a fill at a period boundary, flips under a
// cooldown, gap-filled bars, and the liquidation value at the end of a backtest. Each case is hand-computed.
import { describe, expect, it } from 'vitest';
import '../../../envs/index.ts';
import { PortfolioEnv, TradingEnv } from '../../../envs/trading/index.ts';
import { PaperExecutor } from '../../../src/execution/paper-executor.ts';
import type { MarketFrame } from '../../../replay/market-frame.ts';
import { HOUR, frameFromCloses, randomWalk, simpleFeatures } from './helpers.ts';

const FEE = 0.001;
const SLIP = 0.0005;

function env(frame: MarketFrame, kw: Record<string, unknown> = {}): TradingEnv {
  return new TradingEnv({
    frame,
    featureMatrix: simpleFeatures(frame),
    windowSize: 2,
    start: 'first',
    episodeLength: null,
    ruinFraction: 0,
    ...kw,
  });
}

/** Steps the env with `actions` (index = step) until they run out; returns the infos. */
function play(e: TradingEnv, actions: readonly number[]): Record<string, unknown>[] {
  e.reset({ seed: 0 });
  return actions.map((a) => e.step(a).info as Record<string, unknown>);
}

describe('rollover is accrued before a fill at a bar open that completes a period (item 1)', () => {
  it('long filled at 16:00 UTC, flat at 20:00 on flat 1h bars at 100: the env charges what the PaperExecutor charges', () => {
    const frame = frameFromCloses(new Array(40).fill(100), { spread: 0.001 });
    const e = env(frame, { start: 15, executor: { rolloverRate: 0.0002 } }); // decision at 15:00 → fill at 16:00
    e.reset({ seed: 0 });
    expect(new Date(frame.time[e.core.bar[0]! + 1]!).getUTCHours()).toBe(16);
    const actions = [2, 2, 2, 2, 1]; // long at 16:00, held through 17-19, flat at the 20:00 open
    let info: Record<string, unknown> = {};
    for (const a of actions) info = e.step(a).info as Record<string, unknown>;
    expect(info.position).toBe(0);
    const size = 10_000 / 100; // target 1 × equity at the open / open
    const entry = 100 * (1 + SLIP);
    const funding = 0.0002 * size * entry; // one 4 h period, 16:00 → 20:00
    expect(funding).toBeCloseTo(2.001, 12);
    expect(e.core.book.fundingPaid[0]).toBeCloseTo(funding, 9);

    const ex = new PaperExecutor({ symbols: { 'TEST/USD': { rolloverRate: 0.0002 } } });
    const pf = ex.createPortfolio('p', 10_000);
    const bar = (k: number) => ({
      time: frame.time[k]!,
      open: 100,
      high: frame.high[k]!,
      low: frame.low[k]!,
      close: 100,
    });
    ex.submit({ portfolio: 'p', symbol: 'TEST/USD', side: 'buy', size });
    for (let k = 16; k < 20; k++) ex.onBar('TEST/USD', bar(k));
    ex.submit({ portfolio: 'p', symbol: 'TEST/USD', side: 'sell', size });
    ex.onBar('TEST/USD', bar(20));
    expect(pf.fundingPaid).toBe(e.core.book.fundingPaid[0]);
    expect(pf.equity).toBe(e.core.equity[0]);
  });
});

describe('flips respect cooldownBars (item 2)', () => {
  const frame = frameFromCloses(randomWalk(200, 3, 0.01));
  it('a flip with a cooldown closes only; the new side is entered cooldownBars bars later', () => {
    const e = env(frame, { cooldownBars: 2 });
    const infos = play(e, [2, 0, 0, 0, 0]);
    expect(infos[0]!.position as number).toBeGreaterThan(0);
    expect(infos[1]!.position).toBe(0); // the flip only closed the long
    expect(infos[1]!.entry_blocked).toBe(true);
    expect((infos[1]!.fills as unknown[]).length).toBe(1);
    expect(infos[2]!.position).toBe(0); // still cooling: closed at bar b, no entry at b+1, b+2
    expect(infos[3]!.position).toBe(0);
    expect(infos[4]!.position as number).toBeLessThan(0); // entered at b + 1 + cooldownBars
  });
  it('without a cooldown a flip still closes and re-enters at one open', () => {
    const e = env(frame, { cooldownBars: 0 });
    const infos = play(e, [2, 0]);
    expect(infos[1]!.position as number).toBeLessThan(0);
  });
  it('the action mask forbids the opposite side while a position is open and a cooldown is configured', () => {
    const e = env(frame, { cooldownBars: 2 });
    e.reset({ seed: 0 });
    e.step(2);
    expect(e.action_masks()).toEqual([false, true, true]);
    const sized = env(frame, { cooldownBars: 1, actionScheme: 'discrete-sized' });
    sized.reset({ seed: 0 });
    sized.step(0); // −1: short
    expect(sized.action_masks()).toEqual([true, true, true, false, false]);
    const free = env(frame, { cooldownBars: 0 });
    free.reset({ seed: 0 });
    free.step(2);
    expect(free.action_masks()).toEqual([true, true, true]);
  });
});

/** A frame whose bars `gapFrom … gapTo` (inclusive) are flagged as gap fills: flat at the previous close. */
function gappedFrame(gapFrom: number, gapTo: number): MarketFrame {
  const close = randomWalk(120, 9, 0.01);
  for (let k = gapFrom; k <= gapTo; k++) close[k] = close[gapFrom - 1]!;
  const f = frameFromCloses(close);
  const filled = new Uint8Array(f.length);
  for (let k = gapFrom; k <= gapTo; k++) {
    filled[k] = 1;
    f.high[k] = f.low[k] = f.open[k] = close[k]!;
  }
  return { ...f, filled };
}

describe('gap-filled bars are not tradeable (item 4)', () => {
  it('an order decided before a filled bar waits for the next real bar and fills at its open', () => {
    const frame = gappedFrame(12, 14);
    const e = env(frame, { start: 11 }); // decision at bar 11; bars 12-14 are gap fills
    const infos = play(e, [2, 2, 2, 2]);
    for (const k of [0, 1, 2]) {
      expect(infos[k]!.position, `step into filled bar ${12 + k}`).toBe(0);
      expect(infos[k]!.fills).toEqual([]);
    }
    expect(infos[3]!.bar).toBe(15);
    const fills = infos[3]!.fills as { price: number }[];
    expect(fills).toHaveLength(1);
    expect(fills[0]!.price).toBe(frame.open[15]! * (1 + SLIP));
  });
  it('exits (here max-hold) wait for the next real bar too; rollover still accrues over the gap', () => {
    const frame = gappedFrame(12, 30);
    const e = env(frame, { start: 10, executor: { maxHoldBars: 2, rolloverRate: 0.0002 } });
    const infos = play(e, new Array(22).fill(2));
    // long at bar 11; max-hold due at bar 13 (filled) → closes at the open of bar 31, the next real bar
    for (let k = 1; k < 20; k++) expect(infos[k]!.position as number).toBeGreaterThan(0);
    const exit = (infos[20]!.fills as { reason: string; price: number }[])[0]!;
    expect(infos[20]!.bar).toBe(31);
    expect(exit.reason).toBe('max_hold');
    expect(exit.price).toBe(frame.open[31]! * (1 - SLIP));
    const open = (infos[0]!.fills as { qty: number; price: number }[])[0]!;
    // bar 11 (11:00) → bar 31 (07:00 next day) is 20 h: five 4 h periods on |size| × entry
    expect(e.core.book.fundingPaid[0]).toBeCloseTo(5 * 0.0002 * open.qty * open.price, 9);
  });
});

describe('gap flags in Portfolio-v0 (several symbols on their common bar times)', () => {
  it('a symbol whose bar is a gap fill takes no order there, while the other symbol trades', () => {
    const n = 400;
    const close = randomWalk(n, 9, 0.01);
    for (let k = 300; k <= 302; k++) close[k] = close[299]!;
    const base = frameFromCloses(close);
    const filled = new Uint8Array(n);
    for (let k = 300; k <= 302; k++) {
      filled[k] = 1;
      base.open[k] = base.high[k] = base.low[k] = close[k]!;
    }
    const a = { ...base, filled };
    // b starts one bar earlier, so the two time axes differ and both frames are re-cut to the common times
    const bClose = randomWalk(n + 1, 2, 0.01);
    const bRaw = frameFromCloses(bClose, { symbol: 'ETH/USD' });
    const b = { ...bRaw, time: Float64Array.from(bRaw.time, (t) => t - HOUR) };
    const features = {
      version: 1,
      window: 4,
      features: [{ feature: 'returns', params: { horizons: [1] } }],
      normalization: { method: 'none' },
    };
    const e = new PortfolioEnv({ frames: [a, b], features, start: 298, episodeLength: null, ruinFraction: 0 });
    e.reset({ seed: 0 });
    expect(e.core.bar[0]).toBe(298);
    const w = Float32Array.of(0.5, 0.5);
    const first = e.step(w).info; // fills at bar 299: both symbols
    expect(Object.values(first.positions as Record<string, number>).every((x) => x !== 0)).toBe(true);
    const pf = new PortfolioEnv({ frames: [a, b], features, start: 299, episodeLength: null, ruinFraction: 0 });
    pf.reset({ seed: 0 });
    const infos = [0, 1, 2, 3].map(() => pf.step(w).info);
    for (const k of [0, 1, 2]) {
      const fills = infos[k]!.fills as { symbol: string }[];
      expect(fills.map((f) => f.symbol)).not.toContain('TEST/USD'); // bars 300-302 of TEST/USD are gap fills
    }
    expect((infos[0]!.fills as { symbol: string }[]).map((f) => f.symbol)).toEqual(['ETH/USD']);
    expect((infos[3]!.fills as { symbol: string }[]).map((f) => f.symbol)).toContain('TEST/USD');
  });
});

describe('the end of a backtest reports the liquidation value beside mark-to-market (item 5)', () => {
  it('liquidationValue = equity after closing at the last close with fee and slippage; flat, it is the equity', () => {
    const frame = frameFromCloses(randomWalk(60, 5, 0.01));
    const e = env(frame, { start: 10 });
    e.reset({ seed: 0 });
    let r = e.step(2);
    while (!r.truncated && !r.terminated) r = e.step(2);
    const m = r.info.metrics as { equity: number; liquidationValue: number };
    const b = e.core.book;
    const size = b.size[0]!;
    expect(size).toBeGreaterThan(0);
    const close = b.markPrice[0]!;
    const fill = close * (1 - SLIP);
    const expected = b.cash[0]! + size * (fill - b.entryPrice[0]!) - FEE * size * fill;
    expect(m.equity).toBe(e.core.equity[0]);
    expect(m.liquidationValue).toBeCloseTo(expected, 9);
    expect(m.liquidationValue).toBeLessThan(m.equity);
    const flat = env(frame, { start: 10 });
    flat.reset({ seed: 0 });
    let f = flat.step(1);
    while (!f.truncated && !f.terminated) f = flat.step(1);
    const fm = f.info.metrics as { equity: number; liquidationValue: number };
    expect(fm.liquidationValue).toBe(fm.equity);
  });
});
