// The checks an order passes before it fills, and the messages that explain a refusal: shape and numbers, reduce-only,
// exits against the position and the price, and the leverage cap with the largest order allowed now.
import { InvalidArgumentError } from '../core/errors.ts';
import type { AccountBook } from './book.ts';
import { REJECT_INVALID, REJECT_NO_EQUITY } from './codes.ts';
import { OrderRejectedError, requirePositive, requireTime } from './errors.ts';
import { accountEquity, sideNotional } from './book.ts';
import { maxMarketQty } from './fills.ts';
import type { KernelParams } from './params.ts';
import type { OrderRequest } from './types.ts';

const fmt = (x: number) => (Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(6));

/** Static checks of an order (shape, numbers, symbol): INVALID_ARGUMENT. Returns the symbol index. */
export function checkOrderShape(o: OrderRequest, symbolIndex: (symbol: string) => number): number {
  if (!o || typeof o !== 'object')
    throw new InvalidArgumentError('order must be an object {portfolio, symbol, side, size, ...}');
  const s = symbolIndex(o.symbol);
  if (o.side !== 'buy' && o.side !== 'sell')
    throw new InvalidArgumentError(`order side must be 'buy' or 'sell', got ${JSON.stringify(o.side)}`);
  requirePositive(o.size, 'order size');
  const type = o.type ?? 'market';
  if (type !== 'market' && type !== 'limit')
    throw new InvalidArgumentError(`order type must be 'market' or 'limit', got ${JSON.stringify(o.type)}`);
  if (type === 'limit') requirePositive(o.limitPrice, 'limitPrice of a limit order');
  else if (o.limitPrice !== undefined)
    throw new InvalidArgumentError('limitPrice is only for limit orders: set type: "limit" or drop limitPrice');
  if (o.stopLoss !== undefined) requirePositive(o.stopLoss, 'stopLoss');
  if (o.takeProfit !== undefined) requirePositive(o.takeProfit, 'takeProfit');
  if (o.maxHoldMs !== undefined) requirePositive(o.maxHoldMs, 'maxHoldMs');
  if (o.maxHoldUntil !== undefined) requireTime(o.maxHoldUntil, 'maxHoldUntil');
  if (o.maxHoldMs !== undefined && o.maxHoldUntil !== undefined)
    throw new InvalidArgumentError('give maxHoldMs or maxHoldUntil, not both');
  return s;
}

/**
 * Checks of an order against the position it meets: reduce-only must reduce; exits need a position that the order opens,
 * adds to or flips into, on the right side of the price. ORDER_REJECTED / INVALID_ARGUMENT. Returns whether exits are given.
 */
export function checkOrderAgainstPosition(
  o: OrderRequest,
  what: string,
  old: number,
  qty: number,
  refPrice: number,
): boolean {
  const next = old + qty;
  if (o.reduceOnly) {
    if (old === 0)
      throw new OrderRejectedError(
        `${what} is reduce-only but there is no open ${o.symbol} position: nothing to reduce`,
      );
    if (old > 0 === qty > 0 || Math.abs(qty) > Math.abs(old) * (1 + 1e-12)) {
      throw new OrderRejectedError(
        `${what} is reduce-only but would ${(old > 0) === (qty > 0) ? 'add to' : 'flip'} the ${old > 0 ? 'long' : 'short'} ${Math.abs(old)}: use size ≤ ${Math.abs(old)} on the opposite side`,
      );
    }
  }
  const exitsGiven =
    o.stopLoss !== undefined || o.takeProfit !== undefined || o.maxHoldMs !== undefined || o.maxHoldUntil !== undefined;
  const opens = next !== 0 && next > 0 === qty > 0 && Math.abs(next) > 1e-10 * Math.abs(old);
  if (exitsGiven) {
    if (!opens)
      throw new InvalidArgumentError(
        `${what} closes or reduces a position, so its stopLoss/takeProfit/maxHold have nothing to apply to: use setExits() on the position`,
      );
    const long = qty > 0;
    if (o.stopLoss !== undefined && (long ? o.stopLoss >= refPrice : o.stopLoss <= refPrice)) {
      throw new OrderRejectedError(
        `${what}: stopLoss ${o.stopLoss} must be ${long ? 'below' : 'above'} the price ${refPrice} for a ${long ? 'long' : 'short'}`,
      );
    }
    if (o.takeProfit !== undefined && (long ? o.takeProfit <= refPrice : o.takeProfit >= refPrice)) {
      throw new OrderRejectedError(
        `${what}: takeProfit ${o.takeProfit} must be ${long ? 'above' : 'below'} the price ${refPrice} for a ${long ? 'long' : 'short'}`,
      );
    }
  }
  return exitsGiven;
}

/** Why the leverage cap (or the equity) refused a fill, with the numbers and the largest order allowed now. */
export function leverageRejection(
  b: AccountBook,
  p: KernelParams,
  what: string,
  s: number,
  qty: number,
  fill: number,
  ref: number,
  st: number,
): string {
  const saved = b.markPrice[s]!;
  b.markPrice[s] = ref;
  const e0 = accountEquity(b, 0);
  b.markPrice[s] = saved;
  const aq = Math.abs(qty);
  const e1 = e0 - aq * Math.abs(fill - ref) - p.feeRate[s]! * aq * fill;
  const next = b.size[s]! + qty;
  const side = next > 0 ? 'long' : 'short';
  const cap = next > 0 ? p.maxLongLeverage[s]! : p.maxShortLeverage[s]!;
  const saved2 = b.markPrice[s]!;
  b.markPrice[s] = ref;
  const otherSame = sideNotional(b, 0, next > 0 ? 1 : -1) - (b.size[s]! * next > 0 ? Math.abs(b.size[s]!) * ref : 0);
  b.markPrice[s] = saved2;
  const notional = otherSame + Math.abs(next) * ref;
  const max = maxMarketQty(b, p, 0, s, qty > 0 ? 1 : -1, ref);
  if (st === REJECT_NO_EQUITY)
    return `${what} at ${fmt(fill)} rejected: equity after the fill would be ${fmt(e1)} ≤ 0, so no new exposure can be taken (add capital or close positions)`;
  if (st === REJECT_INVALID) return `${what} rejected: price ${ref} / fill ${fill} is not a finite number > 0`;
  return `${what} at ${fmt(fill)} (market ${fmt(ref)}) rejected by the leverage cap: ${side} notional would be ${fmt(notional)} = ${(notional / e1).toFixed(3)}x the post-fill equity ${fmt(e1)}, above the ${cap}x ${side} cap; the largest ${qty > 0 ? 'buy' : 'sell'} allowed now is ${max.toPrecision(6)} (reduce the size or add capital)`;
}
