// Live mode: the exchange position follows the first policy's paper book. After each decision the router asks the
// policy's TargetTrader where the pending target would take the position at the current price (the same hold, cooldown
// and cap rules the paper fill applies at the next open) and sends the difference to Kraken through the gateway (risk
// engine, status and reconciliation checks inside). Spot: a short target goes flat unless shorts are allowed (margin).
// The exchange's own PnL (fills at Kraken's prices and fees, marked at the close) feeds the daily loss limit.
// With exchangeExits, the trade's ATR stop / target also rest on Kraken as reduce-only conditional orders
// (gateway/protection.ts): cancelled before every order (confirmed before any that is not reduce-only), re-synced
// after each order and at every bar, and a trade they closed is not bought back while the paper trade stays open.
import type { KrakenGateway } from './gateway/gateway.ts';
import { ExchangeProtection } from './gateway/protection.ts';
import type { TargetTrader } from './target-trader.ts';

export interface RouterOptions {
  /** Orders below this notional (quote) are not sent (Kraken's minimums; default 5). */
  minNotional?: number;
  allowShort?: boolean;
  /** The pair's quantity decimals and minimum order (Kraken's instrument channel); unknown: no order leaves. */
  instrument?: (symbol: string) => { qty: number; qtyMin: number } | undefined;
  /** Rest the trade's ATR stop-loss / take-profit on the exchange (default off). */
  exchangeExits?: boolean;
  /** How long to wait for a market order's fill before the exits are synced (ms; the next bar syncs anyway). */
  fillWaitMs?: number;
  onEvent?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export class LiveRouter {
  readonly gateway: KrakenGateway;
  private readonly o: { minNotional: number; allowShort: boolean; fillWaitMs: number };
  private readonly instrument: RouterOptions['instrument'];
  /** Resting exchange-side exits; null unless exchangeExits. */
  readonly protection: ExchangeProtection | null;
  private queue: Promise<unknown> = Promise.resolve();
  readonly log: { time: number; symbol: string; desired: number; sent: number; result: string }[] = [];

  constructor(gateway: KrakenGateway, o: RouterOptions = {}) {
    this.gateway = gateway;
    this.o = { minNotional: o.minNotional ?? 5, allowShort: o.allowShort ?? false, fillWaitMs: o.fillWaitMs ?? 5000 };
    this.instrument = o.instrument;
    this.protection = o.exchangeExits === true ? new ExchangeProtection(gateway, o.onEvent) : null;
  }

  /** Exchange PnL at `prices`: the fills' cash flow (−qty·price − fee each) + positions marked. */
  pnl(prices: ReadonlyMap<string, number>): number {
    let v = 0;
    for (const f of this.gateway.fills) v += (f.side === 'buy' ? -1 : 1) * f.qty * f.price - f.fee;
    for (const [s, q] of this.gateway.positions) v += q * (prices.get(s) ?? 0);
    return v;
  }

  /** After the decision at bar nx's close: sends the exchange toward the trader's planned position (one at a time). */
  follow(trader: TargetTrader, symbol: string, close: number, nx: number, time: number): Promise<string> {
    const next = this.queue.then(() => this.followNow(trader, symbol, close, nx, time));
    this.queue = next.catch(() => {});
    return next;
  }

  /** Resolves once every follow asked for so far is done (orders answered, exits synced). */
  idle(): Promise<void> {
    return this.queue.then(() => {});
  }

  private async followNow(
    trader: TargetTrader,
    symbol: string,
    close: number,
    nx: number,
    time: number,
  ): Promise<string> {
    let desired = trader.plannedSize(close, nx);
    if (desired < 0 && !this.o.allowShort) desired = 0;
    const exited = this.protection?.exitedSide(symbol);
    if (exited !== undefined) {
      // A resting exit closed the exchange trade: stay out while the paper trade on that side is still open.
      const paper = trader.portfolio.book.size[0]!;
      if (paper !== 0 && paper > 0 === exited > 0) {
        if (desired !== 0 && desired > 0 === exited > 0) desired = 0;
      } else this.protection!.release(symbol);
    }
    const have = this.gateway.position(symbol) + this.gateway.inFlight(symbol);
    let delta = desired - have;
    let result = 'hold';
    if (this.instrument !== undefined) {
      // Kraken refuses quantities beyond the pair's decimals: round toward zero (never more than asked for).
      const ins = this.instrument(symbol);
      if (ins === undefined) {
        this.log.push({
          time,
          symbol,
          desired,
          sent: 0,
          result: "refused: the pair's precision is not known yet (instrument channel)",
        });
        return 'refused: precision unknown';
      }
      const f = 10 ** ins.qty;
      delta = Math.sign(delta) * (Math.floor(Math.abs(delta) * f + 1e-9) / f);
      if (Math.abs(delta) < ins.qtyMin) delta = 0;
    }
    if (delta !== 0 && Math.abs(delta) * close >= this.o.minNotional) {
      const reduces = have !== 0 && Math.abs(desired) < Math.abs(have) && (desired === 0 || desired > 0 === have > 0);
      // Resting exits go first (an exit sent on top of a resting one could sell twice); an entry waits for the
      // exchange's confirmation, an exit does not (it reduces either way).
      if (this.protection !== null && !(await this.protection.clear(symbol)) && !reduces) {
        result = 'refused: resting exits not confirmed cancelled';
        this.log.push({ time, symbol, desired, sent: 0, result });
        return result;
      }
      const r = await this.gateway.submit({
        symbol,
        qty: delta,
        price: close,
        reason: `target ${trader.pending}`,
        reduceOnly: reduces,
      });
      result = r.ok ? `sent ${r.order.clOrdId}` : `refused: ${r.reason}`;
      if (r.ok && this.protection !== null) await this.gateway.waitFinal([r.order.clOrdId], this.o.fillWaitMs);
    }
    this.log.push({ time, symbol, desired, sent: delta, result });
    await this.protection?.sync(symbol, (side, entry) => trader.exitLevels(side, entry));
    return result;
  }
}
