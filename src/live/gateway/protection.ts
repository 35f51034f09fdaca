// Resting exchange-side exits (real money): while the exchange position is open, a reduce-only `stop-loss` and
// `take-profit` rest on Kraken at the trade's ATR levels, so that the position is protected between bar closes and
// while this process or its link is down. The rules:
//  - levels are set once per trade (when the exchange position opens or flips), around the exchange's own entry price,
//    with the ATR distances the paper trade uses (TargetTrader.exitLevels); quantity = the whole position;
//  - every sync brings the resting orders in step with the booked position: cancel-and-replace when its quantity or
//    side changed, cancel all when flat (a triggered stop's sibling target included);
//  - clear() cancels them and waits for the exchange to confirm each one final: the router calls it before any order
//    that is not reduce-only (an entry, an increase, a flip), and sends nothing if it cannot be confirmed;
//  - a fill of a resting exit (booked once by the gateway, by exec_id) closes the trade on the exchange: `exited`
//    remembers its side, so that the router does not buy the position back while the paper trade is still open.
// Reconnects need nothing special: the orders are tracked by client order id like any other and reconciled from the
// executions snapshot (one whose fate cannot be proven halts).
import { KrakenGateway, type TrackedOrder } from './gateway.ts';

export interface ExitLevels {
  /** Trigger prices; NaN: none. */
  stop: number;
  target: number;
}

interface ProtectedTrade {
  side: 1 | -1;
  levels: ExitLevels;
  orders: TrackedOrder[];
}

export class ExchangeProtection {
  private readonly gw: KrakenGateway;
  private readonly trades = new Map<string, ProtectedTrade>();
  /** Symbols whose exchange trade a resting exit closed, with that trade's side (until release). */
  private readonly exited = new Map<string, 1 | -1>();
  /** One sync / clear at a time per symbol. */
  private readonly chain = new Map<string, Promise<unknown>>();
  private readonly onEvent: (level: 'info' | 'warn' | 'error', message: string) => void;

  constructor(gateway: KrakenGateway, onEvent?: (level: 'info' | 'warn' | 'error', message: string) => void) {
    this.gw = gateway;
    this.onEvent = onEvent ?? (() => {});
  }

  /** The resting exits of `symbol` not yet final (for logs and tests). */
  resting(symbol: string): TrackedOrder[] {
    return (this.trades.get(symbol)?.orders ?? []).filter((o) => !KrakenGateway.isTerminal(o));
  }

  private serial<T>(symbol: string, f: () => Promise<T>): Promise<T> {
    const next = (this.chain.get(symbol) ?? Promise.resolve()).then(f, f);
    this.chain.set(
      symbol,
      next.catch(() => {}),
    );
    return next;
  }

  /** Cancels every resting exit of `symbol`; true only once the exchange has reported each one final. */
  clear(symbol: string): Promise<boolean> {
    return this.serial(symbol, async () => {
      this.noteExits(symbol);
      const t = this.trades.get(symbol);
      if (t === undefined) return true;
      const ok = await this.gw.cancelOrders(this.resting(symbol).map((o) => o.clOrdId));
      this.noteExits(symbol);
      if (!ok) this.onEvent('error', `${symbol}: resting exits not confirmed cancelled: no new entry is sent`);
      else t.orders = [];
      return ok;
    });
  }

  /**
   * Brings the resting exits of `symbol` in step with the booked exchange position; `levels` gives a new trade's
   * stop / target around its entry. Refusals are logged; the next sync tries again.
   */
  sync(symbol: string, levels: (side: 1 | -1, entry: number) => ExitLevels): Promise<void> {
    return this.serial(symbol, async () => {
      this.noteExits(symbol);
      const pos = this.gw.position(symbol);
      let t = this.trades.get(symbol);
      if (pos === 0 || (t !== undefined && t.side !== Math.sign(pos))) {
        if (t !== undefined && !(await this.gw.cancelOrders(this.resting(symbol).map((o) => o.clOrdId)))) {
          this.onEvent('error', `${symbol}: resting exits of a closed trade not confirmed cancelled`);
          return;
        }
        this.noteExits(symbol);
        this.trades.delete(symbol);
        t = undefined;
        if (pos === 0) return;
      }
      if (t === undefined) {
        const side: 1 | -1 = pos > 0 ? 1 : -1;
        const entry = this.gw.entries.get(symbol) ?? Number.NaN;
        t = { side, levels: entry > 0 ? levels(side, entry) : { stop: Number.NaN, target: Number.NaN }, orders: [] };
        this.trades.set(symbol, t);
      }
      for (const [type, price] of [
        ['stop-loss', t.levels.stop],
        ['take-profit', t.levels.target],
      ] as const) {
        if (!(price > 0)) continue;
        const have = this.resting(symbol).filter((o) => o.orderType === type);
        if (have.length === 1 && Math.abs(have[0]!.qty - have[0]!.cumQty - Math.abs(pos)) <= 1e-12) continue;
        if (have.length > 0 && !(await this.gw.cancelOrders(have.map((o) => o.clOrdId)))) {
          this.onEvent('error', `${symbol}: ${type} could not be replaced (cancel not confirmed)`);
          continue;
        }
        this.noteExits(symbol);
        const now = this.gw.position(symbol);
        if (now === 0 || Math.sign(now) !== t.side) return; // the position moved meanwhile: the next sync takes it
        const r = await this.gw.protect({
          symbol,
          qty: -now,
          orderType: type,
          triggerPrice: price,
          reason: `${type} of the ${t.side > 0 ? 'long' : 'short'} trade`,
        });
        if (r.order !== undefined) t.orders.push(r.order);
        if (!r.ok) this.onEvent('error', `${symbol}: ${type} at ${price} not resting: ${r.reason}`);
      }
    });
  }

  /** The side of the exchange trade a resting exit of `symbol` closed (fills reported so far), if one did. */
  exitedSide(symbol: string): 1 | -1 | undefined {
    this.noteExits(symbol);
    return this.exited.get(symbol);
  }

  /** The router is done staying out (the paper trade the exit closed is over). */
  release(symbol: string): void {
    this.exited.delete(symbol);
  }

  /** A resting exit that filled (even partly) closed the exchange trade on its own. */
  private noteExits(symbol: string): void {
    const t = this.trades.get(symbol);
    if (t?.orders.some((o) => o.cumQty > 0)) {
      if (!this.exited.has(symbol))
        this.onEvent('info', `${symbol}: a resting exchange exit filled: no re-entry while the paper trade is open`);
      this.exited.set(symbol, t.side);
    }
  }
}
