// One bar of a held position: rollover up to the open, then max-hold, the adverse exit (stop or liquidation) and the
// take-profit by the pessimistic intrabar rule, then the mark at the close. Rules: docs/execution.md, "Intrabar rule".
import type { AccountBook } from './book.ts';
import { REASON_LIQUIDATION, REASON_MAX_HOLD, REASON_NONE, REASON_STOP_LOSS, REASON_TAKE_PROFIT } from './codes.ts';
import { applyFill } from './fills.ts';
import type { KernelParams } from './params.ts';

/** Charges rollover for every full period elapsed since lastRolloverAt, on |size|·entryPrice. */
export function accrueRollover(b: AccountBook, params: KernelParams, a: number, s: number, timeMs: number): void {
  const p = a * b.nSymbols + s;
  const sz = b.size[p]!;
  const rate = params.rolloverRate[s]!;
  if (sz === 0 || rate === 0) return;
  const period = params.rolloverPeriodMs[s]!;
  const n = Math.floor((timeMs - b.lastRolloverAt[p]!) / period);
  if (!(n > 0)) return;
  const cost = n * rate * Math.abs(sz) * b.entryPrice[p]!;
  b.lastRolloverAt[p] = b.lastRolloverAt[p]! + n * period;
  b.cash[a] = b.cash[a]! - cost;
  b.fundingPaid[a] = b.fundingPaid[a]! + cost;
  b.tradeFunding[p] = b.tradeFunding[p]! + cost;
}

/** Σ maintenance margin (ratio × |size| × mark) over the account's open slots. */
export function maintenanceMargin(b: AccountBook, params: KernelParams, a: number): number {
  const S = b.nSymbols;
  let m = 0;
  for (let s = 0; s < S; s++) {
    const p = a * S + s;
    const sz = b.size[p]!;
    if (sz !== 0) m += params.maintenanceMarginRatio[s]! * Math.abs(sz) * b.markPrice[p]!;
  }
  return m;
}

/**
 * Price of symbol s at which account a's equity falls to its maintenance margin (other slots held at their marks),
 * or NaN when flat / unreachable. Long: liquidated when price ≤ it; short: when price ≥ it.
 */
export function liquidationPrice(b: AccountBook, params: KernelParams, a: number, s: number): number {
  const S = b.nSymbols;
  const p = a * S + s;
  const sz = b.size[p]!;
  if (sz === 0) return NaN;
  let restEquity = b.cash[a]!;
  let restMargin = 0;
  for (let t = 0; t < S; t++) {
    if (t === s) continue;
    const q = a * S + t;
    const z = b.size[q]!;
    if (z !== 0) {
      restEquity += z * (b.markPrice[q]! - b.entryPrice[q]!);
      restMargin += params.maintenanceMarginRatio[t]! * Math.abs(z) * b.markPrice[q]!;
    }
  }
  // restEquity + sz·(x − entry) = m·|sz|·x + restMargin  →  x = (sz·entry − restEquity + restMargin) / (sz − m·|sz|)
  const m = params.maintenanceMarginRatio[s]!;
  const x = (sz * b.entryPrice[p]! - restEquity + restMargin) / (sz - m * Math.abs(sz));
  return x > 0 ? x : NaN;
}

/** Closes slot s entirely at fillPrice (ref = refPrice) for `reason`. */
function exitAt(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  fillPrice: number,
  refPrice: number,
  timeMs: number,
  reason: number,
): number {
  const p = a * b.nSymbols + s;
  applyFill(b, params, a, s, -b.size[p]!, fillPrice, refPrice, timeMs, reason);
  return reason;
}

/**
 * One bar (or one tick with open = high = low = close) for slot s of account a. In order:
 *  1. rollover for the periods elapsed up to the bar's open;
 *  2. max-hold: if timeMs ≥ maxHoldUntil the position closes at the open (market: slippage);
 *  3. adverse exits (pessimistic: before any target): the adverse level is the stop or the liquidation price, whichever the
 *     price reaches first from the open (long: the higher, short: the lower). A gap through it fills at the open; a bar
 *     that reaches it fills at the level. Stops and liquidations are market exits (slippage);
 *  4. take-profit (a limit order, same rule as limitFillPrice): a gap through it fills at the open, else a bar that trades
 *     through it fills at the target (no slippage); a touch only fills with limitFillOnTouch;
 *  5. the slot is marked at the close.
 * Returns the exit reason (REASON_NONE when the position, if any, survives the bar).
 */
export function processBar(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  open: number,
  high: number,
  low: number,
  close: number,
  timeMs: number,
): number {
  const row = barScratch;
  row[0] = timeMs;
  row[1] = open;
  row[2] = high;
  row[3] = low;
  row[4] = close;
  return processPackedBar(b, params, a, s, row, 0, 1);
}

/** One bar's [time, open, high, low, close] for processBar (module scratch: processPackedBar never re-enters it). */
const barScratch = new Float64Array(5);

/**
 * processBar with the bar read from a packed price array: time at bars[row], open/high/low/close at bars[q … q + 3]
 * (the trading envs pack every symbol's bars of one time in a row). Only integers and arrays cross the call, so that
 * V8 boxes no doubles when it does not inline this (it is too large to be inlined into the env's step).
 */
export function processPackedBar(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  bars: Float64Array,
  row: number,
  q: number,
): number {
  const p = a * b.nSymbols + s;
  const close = bars[q + 3]!;
  let reason = REASON_NONE;
  const sz = b.size[p]!;
  if (sz !== 0) {
    const timeMs = bars[row]!;
    const open = bars[q]!;
    const high = bars[q + 1]!;
    const low = bars[q + 2]!;
    if (params.rolloverRate[s] !== 0) accrueRollover(b, params, a, s, timeMs);
    const slip = params.slippage[s]!;
    const long = sz > 0;
    const touch = params.limitFillOnTouch[s] === 1; // the take-profit is a limit order: same through/touch rule
    const dn = 1 - slip; // closing a long sells: price × (1 − slippage)
    const up = 1 + slip; // closing a short buys: price × (1 + slippage)
    const mh = b.maxHoldUntil[p]!;
    if (timeMs >= mh) {
      reason = exitAt(b, params, a, s, long ? open * dn : open * up, open, timeMs, REASON_MAX_HOLD);
    } else {
      b.markPrice[p] = open; // liquidation price depends on the other slots only, but keep the mark current
      const sl = b.stopLoss[p]!;
      const tp = b.takeProfit[p]!;
      const liq = liquidationPrice(b, params, a, s);
      let level = NaN;
      let levelReason = REASON_NONE;
      if (long) {
        if (sl === sl) {
          level = sl;
          levelReason = REASON_STOP_LOSS;
        }
        if (liq === liq && !(liq <= level)) {
          level = liq;
          levelReason = REASON_LIQUIDATION;
        }
        if (level === level && open <= level) reason = exitAt(b, params, a, s, open * dn, open, timeMs, levelReason);
        else if (tp === tp && (open > tp || (touch && open === tp)))
          reason = exitAt(b, params, a, s, open, open, timeMs, REASON_TAKE_PROFIT);
        else if (level === level && low <= level)
          reason = exitAt(b, params, a, s, level * dn, level, timeMs, levelReason);
        else if (tp === tp && (high > tp || (touch && high === tp)))
          reason = exitAt(b, params, a, s, tp, tp, timeMs, REASON_TAKE_PROFIT);
      } else {
        if (sl === sl) {
          level = sl;
          levelReason = REASON_STOP_LOSS;
        }
        if (liq === liq && !(liq >= level)) {
          level = liq;
          levelReason = REASON_LIQUIDATION;
        }
        if (level === level && open >= level) reason = exitAt(b, params, a, s, open * up, open, timeMs, levelReason);
        else if (tp === tp && (open < tp || (touch && open === tp)))
          reason = exitAt(b, params, a, s, open, open, timeMs, REASON_TAKE_PROFIT);
        else if (level === level && high >= level)
          reason = exitAt(b, params, a, s, level * up, level, timeMs, levelReason);
        else if (tp === tp && (low < tp || (touch && low === tp)))
          reason = exitAt(b, params, a, s, tp, tp, timeMs, REASON_TAKE_PROFIT);
      }
    }
  }
  b.markPrice[p] = close;
  return reason;
}
