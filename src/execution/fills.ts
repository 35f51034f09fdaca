// Fills: fill prices (market slippage, the limit through/touch rule), the leverage cap, and booking a fill into the
// AccountBook (average entry, realized PnL, fees, trade records, flips). Rules: docs/execution.md, "Fills, costs and caps".
import { clearSlot, accountEquity, sideNotional, type AccountBook } from './book.ts';
import { ORDER_OK, REASON_ORDER, REJECT_INVALID, REJECT_LEVERAGE, REJECT_NO_EQUITY } from './codes.ts';
import type { KernelParams } from './params.ts';

/** Relative tolerance: sizes below 1e-10 × the old size are float dust and snap to flat; caps allow 1e-9 slack. */
const SIZE_EPS = 1e-10;
const CAP_EPS = 1e-9;

/** Market fill price: reference price moved against the trader by the slippage fraction (buy up, sell down). */
export function marketFillPrice(params: KernelParams, s: number, qty: number, refPrice: number): number {
  return qty > 0 ? refPrice * (1 + params.slippage[s]!) : refPrice * (1 - params.slippage[s]!);
}

/**
 * Limit fill price within a bar, or NaN when it does not fill. Rule: a buy limit fills when the bar trades *through* it
 * (low < limit), at the limit; if the bar opens below the limit it fills at the open (the better price). Touch-only
 * (low == limit) does not fill unless limitFillOnTouch is set (queue position is unknown, so assume we were not filled).
 * Sells mirror this with high. No slippage on limit fills.
 */
export function limitFillPrice(
  params: KernelParams,
  s: number,
  qty: number,
  limit: number,
  open: number,
  high: number,
  low: number,
): number {
  const touch = params.limitFillOnTouch[s] === 1;
  if (qty > 0) {
    if (open < limit || (touch && open === limit)) return open;
    if (low < limit || (touch && low === limit)) return limit;
  } else {
    if (open > limit || (touch && open === limit)) return open;
    if (high > limit || (touch && high === limit)) return limit;
  }
  return NaN;
}

/**
 * Would a fill of `qty` (signed) at `fillPrice`, with the market at `refPrice`, break the leverage cap? Returns a status.
 * Only fills that increase exposure on a side (open, add, or the new side of a flip) are checked; reductions always pass.
 * Post-fill equity = equity with the slot marked at refPrice − |qty|·|fill − ref| − fee; the side's notional at refPrice
 * must be ≤ cap × post-fill equity.
 */
export function checkLeverage(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  qty: number,
  fillPrice: number,
  refPrice: number,
): number {
  const p = a * b.nSymbols + s;
  const old = b.size[p]!;
  const next = old + qty;
  const increases = (next > 0 && next > (old > 0 ? old : 0)) || (next < 0 && next < (old < 0 ? old : 0));
  if (!increases) return ORDER_OK;
  const savedMark = b.markPrice[p]!;
  b.markPrice[p] = refPrice;
  const e0 = accountEquity(b, a);
  const side = next > 0 ? 1 : -1;
  const otherSame = sideNotional(b, a, side) - (old * side > 0 ? Math.abs(old) * refPrice : 0);
  b.markPrice[p] = savedMark;
  const aq = Math.abs(qty);
  const e1 = e0 - aq * Math.abs(fillPrice - refPrice) - params.feeRate[s]! * aq * fillPrice;
  if (!(e1 > 0)) return REJECT_NO_EQUITY;
  const cap = side > 0 ? params.maxLongLeverage[s]! : params.maxShortLeverage[s]!;
  const notional = otherSame + Math.abs(next) * refPrice;
  return notional <= cap * e1 * (1 + CAP_EPS) ? ORDER_OK : REJECT_LEVERAGE;
}

/**
 * Largest |qty| on `side` (+1 buy, −1 sell) that a market order at refPrice may have without breaking the cap
 * (closed form of checkLeverage; used by envs to clip target exposure). Always ≥ the size that closes an opposite position.
 */
export function maxMarketQty(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  side: number,
  refPrice: number,
): number {
  const p = a * b.nSymbols + s;
  const old = b.size[p]!;
  const savedMark = b.markPrice[p]!;
  b.markPrice[p] = refPrice;
  const e0 = accountEquity(b, a);
  const otherSame = sideNotional(b, a, side) - (old * side > 0 ? Math.abs(old) * refPrice : 0);
  b.markPrice[p] = savedMark;
  const fill = side > 0 ? refPrice * (1 + params.slippage[s]!) : refPrice * (1 - params.slippage[s]!);
  const c = Math.abs(fill - refPrice) + params.feeRate[s]! * fill; // equity lost per unit traded
  const cap = side > 0 ? params.maxLongLeverage[s]! : params.maxShortLeverage[s]!;
  // (otherSame + (side·old + q)·ref) ≤ cap·(e0 − q·c)  →  q ≤ (cap·e0 − otherSame − side·old·ref) / (ref + cap·c)
  const q = (cap * e0 - otherSame - side * old * refPrice) / (refPrice + cap * c);
  const closing = old * side < 0 ? Math.abs(old) : 0;
  return Math.max(q, closing, 0);
}

/**
 * Books a fill with no checks (exits and already-checked orders): fee on notional, average entry on opens/adds, realized
 * PnL on reductions, trade closed when the slot goes flat, remainder opened at the fill price on a flip (a flip clears
 * the old stop/target/max-hold). Updates the slot's mark to refPrice.
 */
export function applyFill(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  qty: number,
  fillPrice: number,
  refPrice: number,
  timeMs: number,
  reason: number,
): void {
  const p = a * b.nSymbols + s;
  const aq = Math.abs(qty);
  const fee = params.feeRate[s]! * aq * fillPrice;
  const old = b.size[p]!;
  b.cash[a] = b.cash[a]! - fee;
  b.feesPaid[a] = b.feesPaid[a]! + fee;
  b.tradedNotional[a] = b.tradedNotional[a]! + aq * fillPrice;
  b.markPrice[p] = refPrice;
  b.lastFillPrice[p] = fillPrice;
  b.lastFillRef[p] = refPrice;
  b.lastFillQty[p] = qty;
  b.lastFillFee[p] = fee;
  b.lastReason[p] = reason;
  if (old === 0 || old > 0 === qty > 0) {
    if (old === 0) {
      b.openedAt[p] = timeMs;
      b.lastRolloverAt[p] = timeMs;
    }
    const next = old + qty;
    b.entryPrice[p] = old === 0 ? fillPrice : (old * b.entryPrice[p]! + qty * fillPrice) / next;
    b.size[p] = next;
    b.tradeEntryQty[p] = b.tradeEntryQty[p]! + aq;
    b.tradeEntryNotional[p] = b.tradeEntryNotional[p]! + aq * fillPrice;
    b.tradeFees[p] = b.tradeFees[p]! + fee;
    if (Math.abs(next) > b.tradeMaxSize[p]!) b.tradeMaxSize[p] = Math.abs(next);
    b.lastRealized[p] = 0;
    return;
  }
  const closeQty = aq < Math.abs(old) ? aq : Math.abs(old);
  const closeFee = aq === closeQty ? fee : fee * (closeQty / aq);
  const gross = closeQty * (fillPrice - b.entryPrice[p]!) * (old > 0 ? 1 : -1);
  b.cash[a] = b.cash[a]! + gross;
  b.realizedPnl[a] = b.realizedPnl[a]! + gross;
  b.lastRealized[p] = gross;
  b.tradeGross[p] = b.tradeGross[p]! + gross;
  b.tradeFees[p] = b.tradeFees[p]! + closeFee;
  b.tradeExitQty[p] = b.tradeExitQty[p]! + closeQty;
  b.tradeExitNotional[p] = b.tradeExitNotional[p]! + closeQty * fillPrice;
  let next = old + qty;
  if (Math.abs(next) <= SIZE_EPS * Math.abs(old)) next = 0;
  if (next !== 0 && next > 0 === old > 0) {
    b.size[p] = next;
    return;
  } // partial close
  closeTrade(b, a, p, old > 0 ? 1 : -1, timeMs, reason);
  if (next !== 0) {
    // flip: the remainder opens a new trade at the fill price
    b.size[p] = next;
    b.entryPrice[p] = fillPrice;
    b.openedAt[p] = timeMs;
    b.lastRolloverAt[p] = timeMs;
    b.tradeEntryQty[p] = Math.abs(next);
    b.tradeEntryNotional[p] = Math.abs(next) * fillPrice;
    b.tradeFees[p] = fee - closeFee;
    b.tradeMaxSize[p] = Math.abs(next);
  }
}

function closeTrade(b: AccountBook, a: number, p: number, side: number, timeMs: number, reason: number): void {
  const net = b.tradeGross[p]! - b.tradeFees[p]! - b.tradeFunding[p]!;
  b.closedSeq[p] = b.closedSeq[p]! + 1;
  b.closedSide[p] = side;
  b.closedEntryPrice[p] = b.tradeEntryNotional[p]! / b.tradeEntryQty[p]!;
  b.closedExitPrice[p] = b.tradeExitNotional[p]! / b.tradeExitQty[p]!;
  b.closedQty[p] = b.tradeExitQty[p]!;
  b.closedGross[p] = b.tradeGross[p]!;
  b.closedFees[p] = b.tradeFees[p]!;
  b.closedFunding[p] = b.tradeFunding[p]!;
  b.closedNet[p] = net;
  b.closedOpenedAt[p] = b.openedAt[p]!;
  b.closedAt[p] = timeMs;
  b.closedReason[p] = reason;
  b.tradeCount[a] = b.tradeCount[a]! + 1;
  if (net > 0) {
    b.winCount[a] = b.winCount[a]! + 1;
    b.grossProfit[a] = b.grossProfit[a]! + net;
  } else if (net < 0) {
    b.lossCount[a] = b.lossCount[a]! + 1;
    b.grossLoss[a] = b.grossLoss[a]! - net;
  }
  clearSlot(b, p);
}

/** Validated, cap-checked fill at an explicit price (used by market and limit orders). Returns a status; rejected → unchanged. */
export function executeFill(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  qty: number,
  fillPrice: number,
  refPrice: number,
  timeMs: number,
): number {
  if (
    !Number.isFinite(qty) ||
    !(fillPrice > 0) ||
    !(refPrice > 0) ||
    !Number.isFinite(fillPrice) ||
    !Number.isFinite(refPrice)
  )
    return REJECT_INVALID;
  if (qty === 0) return ORDER_OK;
  const st = checkLeverage(b, params, a, s, qty, fillPrice, refPrice);
  if (st !== ORDER_OK) return st;
  applyFill(b, params, a, s, qty, fillPrice, refPrice, timeMs, REASON_ORDER);
  return ORDER_OK;
}

/** Market order of signed `qty` at the next price `refPrice` (+ slippage against the trader). Returns a status. */
export function marketOrder(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  qty: number,
  refPrice: number,
  timeMs: number,
): number {
  if (!(refPrice > 0) || !Number.isFinite(refPrice)) return REJECT_INVALID;
  return executeFill(b, params, a, s, qty, marketFillPrice(params, s, qty, refPrice), refPrice, timeMs);
}

/** Market order that takes slot s to `targetSize` (signed); clipped to the cap when clip is set. Returns a status. */
export function orderToTarget(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  targetSize: number,
  refPrice: number,
  timeMs: number,
  clip: boolean,
): number {
  const p = a * b.nSymbols + s;
  let qty = targetSize - b.size[p]!;
  if (qty === 0) return ORDER_OK;
  if (clip) {
    const m = maxMarketQty(b, params, a, s, qty > 0 ? 1 : -1, refPrice);
    if (Math.abs(qty) > m) qty = qty > 0 ? m : -m;
    if (qty === 0) return ORDER_OK;
  }
  return marketOrder(b, params, a, s, qty, refPrice, timeMs);
}

/** Sets (or clears with NaN) the exits of an open slot. */
export function setExits(
  b: AccountBook,
  a: number,
  s: number,
  stopLoss: number,
  takeProfit: number,
  maxHoldUntil: number,
): void {
  const p = a * b.nSymbols + s;
  b.stopLoss[p] = stopLoss;
  b.takeProfit[p] = takeProfit;
  b.maxHoldUntil[p] = maxHoldUntil;
}

/**
 * What account a would hold in cash after closing every open position by a market order at its mark (the last price
 * seen: the last close at the end of a backtest), with slippage and fee: the mark-to-market equity less the exit costs.
 * Same arithmetic as applyFill's full close. Not to be confused with a margin liquidation (REASON_LIQUIDATION).
 */
export function liquidationValue(b: AccountBook, params: KernelParams, a: number): number {
  const S = b.nSymbols;
  let v = b.cash[a]!;
  for (let s = 0; s < S; s++) {
    const p = a * S + s;
    const sz = b.size[p]!;
    if (sz === 0) continue;
    const fill = marketFillPrice(params, s, -sz, b.markPrice[p]!);
    v -= params.feeRate[s]! * Math.abs(sz) * fill;
    v += Math.abs(sz) * (fill - b.entryPrice[p]!) * (sz > 0 ? 1 : -1);
  }
  return v;
}
