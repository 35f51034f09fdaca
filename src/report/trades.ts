// Round-trip trades from a stream of fills (the executor's orders and exits, in time order): what a trade list and the
// entry/exit markers on a price chart show. Scaling in averages the entry price; a fill that crosses zero closes the
// trade and opens the next one at the same price; fees are split between the two by quantity.

export interface Fill {
  /** Bar time of the fill (ms since epoch). */
  time: number;
  /** Signed quantity: > 0 buys, < 0 sells. */
  qty: number;
  price: number;
  fee: number;
  /** 'order', or the exit that made it: 'stop', 'target', 'max-hold', 'liquidation', … */
  reason: string;
}

export interface Trade {
  side: 'long' | 'short';
  entryTime: number;
  /** Quantity-weighted mean entry price. */
  entryPrice: number;
  /** Largest absolute size held. */
  qty: number;
  /** null while the trade is still open at the end of the range. */
  exitTime: number | null;
  exitPrice: number | null;
  exitReason: string | null;
  fees: number;
  /** Realised PnL after fees, in quote currency (for an open trade: what has been realised so far). */
  pnl: number;
  /** pnl / (entryPrice × qty): the trade's return as a fraction. */
  returnFraction: number;
}

interface OpenTrade {
  side: 1 | -1;
  entryTime: number;
  entryPrice: number;
  size: number;
  maxSize: number;
  exitQty: number;
  exitNotional: number;
  gross: number;
  fees: number;
}

function finish(t: OpenTrade, exitTime: number | null, reason: string | null): Trade {
  const pnl = t.gross - t.fees;
  return {
    side: t.side === 1 ? 'long' : 'short',
    entryTime: t.entryTime,
    entryPrice: t.entryPrice,
    qty: t.maxSize,
    exitTime,
    exitPrice: t.exitQty > 0 && exitTime !== null ? t.exitNotional / t.exitQty : null,
    exitReason: reason,
    fees: t.fees,
    pnl,
    returnFraction: pnl / (t.entryPrice * t.maxSize),
  };
}

/** Pairs fills into trades; a trade still open after the last fill comes last with exitTime null. */
export function tradesFromFills(fills: Iterable<Fill>): Trade[] {
  const out: Trade[] = [];
  let open: OpenTrade | null = null;
  for (const f of fills) {
    if (!(f.qty !== 0 && Number.isFinite(f.qty) && f.price > 0)) continue;
    let q = Math.abs(f.qty);
    const side: 1 | -1 = f.qty > 0 ? 1 : -1;
    const feePerQty = f.fee / q;
    if (open !== null && open.side !== side) {
      const c = Math.min(q, open.size);
      open.gross += c * (f.price - open.entryPrice) * open.side;
      open.exitQty += c;
      open.exitNotional += c * f.price;
      open.fees += feePerQty * c;
      open.size -= c;
      q -= c;
      // Rounding may leave dust of the position: a remainder below 1e-9 of the trade's size counts as closed.
      if (open.size <= open.maxSize * 1e-9) {
        out.push(finish(open, f.time, f.reason));
        open = null;
      }
      if (q <= Math.abs(f.qty) * 1e-9) continue;
    }
    if (open === null) {
      open = {
        side,
        entryTime: f.time,
        entryPrice: f.price,
        size: q,
        maxSize: q,
        exitQty: 0,
        exitNotional: 0,
        gross: 0,
        fees: feePerQty * q,
      };
    } else {
      open.entryPrice = (open.entryPrice * open.size + f.price * q) / (open.size + q);
      open.size += q;
      open.maxSize = Math.max(open.maxSize, open.size);
      open.fees += feePerQty * q;
    }
  }
  if (open !== null) out.push(finish(open, null, null));
  return out;
}
