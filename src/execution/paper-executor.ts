// PaperExecutor: fills paper orders for any number of isolated portfolios (one per strategy/agent) over a fixed set of
// symbols. Market orders fill at the next price given (a bar's open or a tick) plus slippage; limit orders when a bar
// trades through them; exits are checked inside each bar by the kernel's pessimistic rule. Rules: docs/execution.md.
import { InvalidArgumentError, Tg4Error } from '../core/errors.ts';
import * as K from './kernel.ts';
import { Portfolio, type ExitsUpdate, type PortfolioSnapshot } from './portfolio.ts';
import { requirePositive, requireTime } from './errors.ts';
import type { Bar, ExecutionEvent, ExecutorConfig, Fill, OrderRequest } from './types.ts';

export interface PendingOrder {
  id: string;
  order: OrderRequest;
  submittedAt: number | null;
}

export interface ExecutorSnapshot {
  version: 1;
  symbols: string[];
  params: K.SymbolParamsInput[];
  periodsPerYear: number | null;
  portfolios: PortfolioSnapshot[];
  pending: PendingOrder[];
  nextOrderId: number;
}

export type ExecutionListener = (e: ExecutionEvent) => void;

const PARAM_RULES: Record<keyof K.SymbolParamsInput, (x: unknown) => boolean> = {
  feeRate: (x) => typeof x === 'number' && x >= 0 && x < 1,
  slippage: (x) => typeof x === 'number' && x >= 0 && x < 1,
  maxLongLeverage: (x) => typeof x === 'number' && x > 0 && Number.isFinite(x),
  maxShortLeverage: (x) => typeof x === 'number' && x > 0 && Number.isFinite(x),
  maintenanceMarginRatio: (x) => typeof x === 'number' && x >= 0 && x < 1,
  rolloverRate: (x) => typeof x === 'number' && x >= 0 && x < 1,
  rolloverPeriodMs: (x) => typeof x === 'number' && x > 0 && Number.isFinite(x),
  limitFillOnTouch: (x) => typeof x === 'boolean',
};
const PARAM_HINT: Record<keyof K.SymbolParamsInput, string> = {
  feeRate: 'a fraction in [0, 1), e.g. 0.001 for 0.1%',
  slippage: 'a fraction in [0, 1), e.g. 0.0005 for 0.05%',
  maxLongLeverage: 'a finite number > 0, e.g. 1.5',
  maxShortLeverage: 'a finite number > 0, e.g. 2.0',
  maintenanceMarginRatio: 'a fraction in [0, 1), e.g. 0.2',
  rolloverRate: 'a fraction per period in [0, 1), e.g. 0.0002',
  rolloverPeriodMs: 'a period in ms > 0, e.g. 14400000 (4 h)',
  limitFillOnTouch: 'true or false',
};

function validateParams(p: unknown, where: string): K.SymbolParamsInput {
  if (p === undefined || p === null) return {};
  if (typeof p !== 'object') throw new InvalidArgumentError(`${where} must be an object of symbol parameters`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (!(k in PARAM_RULES))
      throw new InvalidArgumentError(
        `${where}.${k} is not a symbol parameter: use one of ${Object.keys(PARAM_RULES).join(', ')}`,
      );
    if (v === undefined) continue;
    if (!PARAM_RULES[k as keyof K.SymbolParamsInput](v))
      throw new InvalidArgumentError(
        `${where}.${k} must be ${PARAM_HINT[k as keyof K.SymbolParamsInput]}, got ${JSON.stringify(v)}`,
      );
    out[k] = v;
  }
  return out as K.SymbolParamsInput;
}

export class PaperExecutor {
  readonly symbols: readonly string[];
  readonly params: K.KernelParams;
  private readonly symbolParams: K.SymbolParamsInput[];
  private readonly periodsPerYear: number | undefined;
  private readonly books = new Map<string, Portfolio>();
  private pending: PendingOrder[] = [];
  private nextOrderId = 1;
  private readonly listeners: ExecutionListener[] = [];

  constructor(config: ExecutorConfig) {
    if (!config || typeof config !== 'object')
      throw new InvalidArgumentError('executor config must be an object {symbols, defaults?, periodsPerYear?}');
    const defaults = validateParams(config.defaults, 'defaults');
    const entries: [string, unknown][] = Array.isArray(config.symbols)
      ? config.symbols.map((s) => [s, {}])
      : Object.entries(config.symbols ?? {});
    if (entries.length === 0)
      throw new InvalidArgumentError('executor config needs at least one symbol, e.g. symbols: ["BTC/USD"]');
    const names = new Set<string>();
    this.symbolParams = [];
    for (const [name, p] of entries) {
      if (typeof name !== 'string' || name.length === 0)
        throw new InvalidArgumentError('symbol names must be non-empty strings');
      if (names.has(name)) throw new InvalidArgumentError(`symbol '${name}' is listed twice`);
      names.add(name);
      this.symbolParams.push({ ...defaults, ...validateParams(p, `symbols['${name}']`) });
    }
    if (config.periodsPerYear !== undefined) requirePositive(config.periodsPerYear, 'periodsPerYear');
    this.periodsPerYear = config.periodsPerYear;
    this.symbols = [...names];
    this.params = K.createParams(this.symbolParams);
  }

  /** Parameters in effect for a symbol (bot defaults filled in). */
  symbolConfig(symbol: string): Required<K.SymbolParamsInput> {
    const i = this.symbols.indexOf(symbol);
    if (i < 0)
      throw new InvalidArgumentError(`unknown symbol '${symbol}': the executor knows ${this.symbols.join(', ')}`);
    return { ...K.DEFAULT_SYMBOL_PARAMS, ...this.symbolParams[i]! } as Required<K.SymbolParamsInput>;
  }

  createPortfolio(id: string, initialCapital: number): Portfolio {
    if (this.books.has(id))
      throw new InvalidArgumentError(`portfolio '${id}' already exists: use portfolio('${id}') or another id`);
    const p = new Portfolio(id, initialCapital, this.symbols, this.params, this.periodsPerYear);
    this.books.set(id, p);
    return p;
  }

  portfolio(id: string): Portfolio {
    const p = this.books.get(id);
    if (!p)
      throw new InvalidArgumentError(
        `unknown portfolio '${String(id)}': create it with createPortfolio(id, capital)${this.books.size ? `; known: ${[...this.books.keys()].join(', ')}` : ''}`,
      );
    return p;
  }

  portfolios(): Portfolio[] {
    return [...this.books.values()];
  }

  /** Subscribes to fills, closed trades and rejections; returns the unsubscribe function. */
  onEvent(listener: ExecutionListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private emit(events: ExecutionEvent[]): ExecutionEvent[] {
    for (const e of events) for (const l of this.listeners) l(e);
    return events;
  }

  /** Fills a market order now at `price` (the next price) + slippage. Throws typed errors; the portfolio is then unchanged. */
  marketOrder(order: OrderRequest, price: number, timeMs: number): Fill {
    if (order && order.type === 'limit')
      throw new InvalidArgumentError('marketOrder() takes market orders: submit() limit orders');
    const events: ExecutionEvent[] = [];
    const fill = this.portfolio(order?.portfolio).execute(order, price, timeMs, events);
    this.emit(events);
    return fill;
  }

  /** Queues an order for the next bar/tick of its symbol; static checks throw now. Returns the order id. */
  submit(order: OrderRequest, timeMs?: number): string {
    this.portfolio(order?.portfolio).validateOrder(order);
    if (timeMs !== undefined) requireTime(timeMs, 'time');
    const id = `o${this.nextOrderId++}`;
    this.pending.push({ id, order: { ...order }, submittedAt: timeMs ?? null });
    return id;
  }

  cancel(orderId: string): boolean {
    const i = this.pending.findIndex((p) => p.id === orderId);
    if (i < 0) return false;
    this.pending.splice(i, 1);
    return true;
  }

  pendingOrders(): readonly PendingOrder[] {
    return this.pending;
  }

  /**
   * One bar of `symbol`, in this order: rollover up to the open; pending market orders fill at the open (FIFO);
   * every portfolio's position is checked for exits inside the bar; pending limit orders fill if the bar trades through
   * them; every portfolio records an equity sample at bar.time (unless recordEquity is false). Returns (and emits) the events.
   */
  onBar(symbol: string, bar: Bar, opts: { recordEquity?: boolean } = {}): ExecutionEvent[] {
    const s = this.symbols.indexOf(symbol);
    if (s < 0)
      throw new InvalidArgumentError(
        `unknown symbol '${String(symbol)}': the executor knows ${this.symbols.join(', ')}`,
      );
    validateBar(bar, symbol);
    const events: ExecutionEvent[] = [];
    for (const p of this.books.values()) p.accrue(symbol, bar.time);
    this.fillPending(symbol, bar, 'market', events);
    for (const p of this.books.values()) p.processBar(symbol, bar, events);
    this.fillPending(symbol, bar, 'limit', events);
    if (opts.recordEquity ?? true) for (const p of this.books.values()) p.mark(bar.time);
    return this.emit(events);
  }

  /**
   * One live tick: a bar with open = high = low = close = price. It fills, exits and marks, but records no equity sample
   * (ticks are irregular: call markToMarket(time) at your bar cadence so that Sharpe & co. see regular periods).
   */
  onTick(symbol: string, price: number, timeMs: number, opts: { recordEquity?: boolean } = {}): ExecutionEvent[] {
    return this.onBar(
      symbol,
      { time: timeMs, open: price, high: price, low: price, close: price },
      { recordEquity: opts.recordEquity ?? false },
    );
  }

  private fillPending(symbol: string, bar: Bar, type: 'market' | 'limit', events: ExecutionEvent[]): void {
    if (this.pending.length === 0) return;
    const keep: PendingOrder[] = [];
    for (const po of this.pending) {
      const o = po.order;
      if (o.symbol !== symbol || (o.type ?? 'market') !== type) {
        keep.push(po);
        continue;
      }
      const pf = this.books.get(o.portfolio);
      if (!pf) {
        events.push({
          type: 'rejected',
          portfolio: o.portfolio,
          symbol,
          orderId: po.id,
          code: 'INVALID_ARGUMENT',
          message: `portfolio '${o.portfolio}' no longer exists`,
          time: bar.time,
        });
        continue;
      }
      let fillPrice: number | undefined;
      let ref = bar.open;
      if (type === 'limit') {
        const s = pf.symbolIndex(symbol);
        const f = K.limitFillPrice(
          this.params,
          s,
          o.side === 'buy' ? 1 : -1,
          o.limitPrice!,
          bar.open,
          bar.high,
          bar.low,
        );
        if (f !== f) {
          keep.push(po);
          continue;
        }
        fillPrice = f;
        ref = f;
      }
      try {
        pf.execute(o, ref, bar.time, events, po.id, fillPrice);
      } catch (e) {
        if (!(e instanceof Tg4Error)) throw e;
        events.push({
          type: 'rejected',
          portfolio: o.portfolio,
          symbol,
          orderId: po.id,
          code: e.code === 'ORDER_REJECTED' ? 'ORDER_REJECTED' : 'INVALID_ARGUMENT',
          message: e.message,
          time: bar.time,
        });
      }
    }
    this.pending = keep;
  }

  closePosition(portfolioId: string, symbol: string, price: number, timeMs: number, fraction = 1): Fill {
    const events: ExecutionEvent[] = [];
    const fill = this.portfolio(portfolioId).closePosition(symbol, price, timeMs, events, fraction);
    this.emit(events);
    return fill;
  }

  setExits(portfolioId: string, symbol: string, update: ExitsUpdate): void {
    this.portfolio(portfolioId).setExits(symbol, update);
  }

  /** Records an equity sample in every portfolio (e.g. after marking prices from ticks). */
  markToMarket(timeMs: number): void {
    for (const p of this.books.values()) p.mark(timeMs);
  }

  snapshot(): ExecutorSnapshot {
    return {
      version: 1,
      symbols: [...this.symbols],
      params: this.symbolParams.map((p) => ({ ...p })),
      periodsPerYear: this.periodsPerYear ?? null,
      portfolios: [...this.books.values()].map((p) => p.snapshot()),
      pending: this.pending.map((p) => ({ ...p, order: { ...p.order } })),
      nextOrderId: this.nextOrderId,
    };
  }

  /** A new executor in the snapshot's state (live restarts). */
  static fromSnapshot(snap: ExecutorSnapshot): PaperExecutor {
    if (snap?.version !== 1)
      throw new InvalidArgumentError(`executor snapshot version must be 1, got ${String(snap?.version)}`);
    const symbols: Record<string, K.SymbolParamsInput> = {};
    if (!Array.isArray(snap.symbols) || !Array.isArray(snap.params) || snap.symbols.length !== snap.params.length)
      throw new InvalidArgumentError('executor snapshot needs symbols and params of the same length');
    snap.symbols.forEach((s, i) => {
      symbols[s] = snap.params[i]!;
    });
    const ex = new PaperExecutor({
      symbols,
      ...(snap.periodsPerYear !== null ? { periodsPerYear: snap.periodsPerYear } : {}),
    });
    ex.restore(snap);
    return ex;
  }

  /** Replaces portfolios and pending orders with the snapshot's (same symbols required); validated before any change. */
  restore(snap: ExecutorSnapshot): void {
    if (snap?.version !== 1)
      throw new InvalidArgumentError(`executor snapshot version must be 1, got ${String(snap?.version)}`);
    if (!Array.isArray(snap.symbols) || snap.symbols.join('\u0000') !== this.symbols.join('\u0000'))
      throw new InvalidArgumentError(
        `executor snapshot symbols [${String(snap.symbols)}] differ from this executor's [${this.symbols.join(', ')}]`,
      );
    if (!Array.isArray(snap.portfolios) || !Array.isArray(snap.pending))
      throw new InvalidArgumentError('executor snapshot lacks portfolios or pending orders');
    const next = new Map<string, Portfolio>();
    for (const ps of snap.portfolios) {
      const p = new Portfolio(ps.id, 1, this.symbols, this.params, this.periodsPerYear);
      p.restore(ps);
      next.set(ps.id, p);
    }
    this.books.clear();
    for (const [k, v] of next) this.books.set(k, v);
    this.pending = snap.pending.map((p) => ({ ...p, order: { ...p.order } }));
    this.nextOrderId = snap.nextOrderId;
  }
}

function validateBar(bar: Bar, symbol: string): void {
  if (!bar || typeof bar !== 'object')
    throw new InvalidArgumentError(`bar for ${symbol} must be {time, open, high, low, close}`);
  requireTime(bar.time, `bar.time for ${symbol}`);
  for (const k of ['open', 'high', 'low', 'close'] as const) requirePositive(bar[k], `bar.${k} for ${symbol}`);
  if (bar.high < Math.max(bar.open, bar.close, bar.low) || bar.low > Math.min(bar.open, bar.close)) {
    throw new InvalidArgumentError(
      `bar for ${symbol} at ${bar.time} is inconsistent: need low ≤ open, close ≤ high (got o=${bar.open} h=${bar.high} l=${bar.low} c=${bar.close})`,
    );
  }
}
