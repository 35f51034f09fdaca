// Portfolio: one strategy's/agent's isolated capital, its positions (one slot per known symbol) and its metrics. All
// arithmetic goes through the kernel on a one-account AccountBook; this class adds validation, typed errors, trade
// records, per-symbol breakdowns and JSON snapshots.
import { InvalidArgumentError } from '../core/errors.ts';
import * as K from './kernel.ts';
import { accountMetrics, type AccountMetrics } from './metrics.ts';
import { restoreAccount, snapshotAccount, type AccountSnapshot } from './book-snapshot.ts';
import { OrderRejectedError, requirePositive, requireTime } from './errors.ts';
import { checkOrderAgainstPosition, checkOrderShape, leverageRejection } from './order-checks.ts';
import type { Bar, ExecutionEvent, Fill, OrderRequest, OrderSide, Position, Trade } from './types.ts';

export interface PortfolioMetrics extends AccountMetrics {
  pnlBySymbol: Record<string, number>;
  tradesBySymbol: Record<string, number>;
}

export interface PortfolioSnapshot {
  version: 1;
  id: string;
  symbols: string[];
  book: AccountSnapshot;
  trades: Trade[];
  equityHistory: { time: number[]; equity: number[] };
}

/** Exits to set on a position; undefined = leave as is, null = clear. */
export interface ExitsUpdate {
  stopLoss?: number | null;
  takeProfit?: number | null;
  maxHoldUntil?: number | null;
}

export class Portfolio {
  readonly id: string;
  readonly symbols: readonly string[];
  readonly book: K.AccountBook;
  readonly params: K.KernelParams;
  private readonly index: Map<string, number>;
  private readonly periodsPerYear: number | undefined;
  private readonly seenSeq: Float64Array;
  private tradeList: Trade[] = [];
  private historyTime: number[] = [];
  private historyEquity: number[] = [];

  constructor(
    id: string,
    initialCapital: number,
    symbols: readonly string[],
    params: K.KernelParams,
    periodsPerYear?: number,
  ) {
    if (typeof id !== 'string' || id.length === 0)
      throw new InvalidArgumentError('portfolio id must be a non-empty string');
    requirePositive(initialCapital, `initial capital of portfolio '${id}'`);
    this.id = id;
    this.symbols = [...symbols];
    this.index = new Map(this.symbols.map((s, i) => [s, i]));
    this.params = params;
    this.periodsPerYear = periodsPerYear;
    this.book = K.createBook(1, this.symbols.length, initialCapital);
    this.seenSeq = new Float64Array(this.symbols.length);
  }

  /** Symbol index, or INVALID_ARGUMENT naming the known symbols. */
  symbolIndex(symbol: string): number {
    const s = this.index.get(symbol);
    if (s === undefined)
      throw new InvalidArgumentError(
        `unknown symbol '${String(symbol)}': the executor knows ${this.symbols.map((x) => `'${x}'`).join(', ')}; add it to the executor config's symbols`,
      );
    return s;
  }

  get initialCapital(): number {
    return this.book.initialCapital[0]!;
  }
  get cash(): number {
    return this.book.cash[0]!;
  }
  get equity(): number {
    return K.accountEquity(this.book, 0);
  }
  get feesPaid(): number {
    return this.book.feesPaid[0]!;
  }
  get fundingPaid(): number {
    return this.book.fundingPaid[0]!;
  }
  get realizedPnl(): number {
    return this.book.realizedPnl[0]!;
  }
  get trades(): readonly Trade[] {
    return this.tradeList;
  }
  get unrealizedPnl(): number {
    let u = 0;
    for (let s = 0; s < this.symbols.length; s++) u += K.unrealizedPnl(this.book, s);
    return u;
  }
  /** Σ |notional| / cap of its side: the margin the open positions lock. */
  get marginUsed(): number {
    let m = 0;
    for (let s = 0; s < this.symbols.length; s++) {
      const z = this.book.size[s]!;
      if (z !== 0)
        m +=
          (Math.abs(z) * this.book.markPrice[s]!) /
          (z > 0 ? this.params.maxLongLeverage[s]! : this.params.maxShortLeverage[s]!);
    }
    return m;
  }
  get maintenanceMargin(): number {
    return K.maintenanceMargin(this.book, this.params, 0);
  }
  get equityHistory(): { time: readonly number[]; equity: readonly number[] } {
    return { time: this.historyTime, equity: this.historyEquity };
  }

  position(symbol: string): Position | null {
    const s = this.symbolIndex(symbol);
    const b = this.book;
    const z = b.size[s]!;
    if (z === 0) return null;
    const nn = (x: number) => (x === x ? x : null);
    return {
      symbol,
      side: z > 0 ? 'long' : 'short',
      entryPrice: b.entryPrice[s]!,
      size: Math.abs(z),
      stopLoss: nn(b.stopLoss[s]!),
      takeProfit: nn(b.takeProfit[s]!),
      maxHoldUntil: nn(b.maxHoldUntil[s]!),
      openedAt: b.openedAt[s]!,
      markPrice: b.markPrice[s]!,
      unrealizedPnl: K.unrealizedPnl(b, s),
      notional: Math.abs(z) * b.markPrice[s]!,
      liquidationPrice: nn(K.liquidationPrice(b, this.params, 0, s)),
    };
  }

  positions(): Position[] {
    const out: Position[] = [];
    for (const sym of this.symbols) {
      const p = this.position(sym);
      if (p) out.push(p);
    }
    return out;
  }

  /** Largest size a market order on `side` may have at `price` without breaking the leverage cap. */
  maxOrderSize(symbol: string, side: OrderSide, price: number): number {
    const s = this.symbolIndex(symbol);
    requirePositive(price, 'price');
    return K.maxMarketQty(this.book, this.params, 0, s, side === 'buy' ? 1 : -1, price);
  }

  /** Static checks of an order (shape, numbers, symbol): INVALID_ARGUMENT, nothing changes. Returns the symbol index. */
  validateOrder(o: OrderRequest): number {
    return checkOrderShape(o, (symbol) => this.symbolIndex(symbol));
  }

  /**
   * Fills an order now: market orders at `refPrice` + slippage, or at an explicit `fillPrice` (limit fills). Throws
   * INVALID_ARGUMENT / ORDER_REJECTED with the portfolio unchanged. Events (fill, closed trade) are appended to `events`.
   */
  execute(
    o: OrderRequest,
    refPrice: number,
    timeMs: number,
    events: ExecutionEvent[],
    orderId: string | null = null,
    fillPrice?: number,
  ): Fill {
    const s = this.validateOrder(o);
    requirePositive(refPrice, `price for ${o.symbol}`);
    requireTime(timeMs, 'time');
    const b = this.book;
    const p = this.params;
    const qty = o.side === 'buy' ? o.size : -o.size;
    const fill = fillPrice ?? K.marketFillPrice(p, s, qty, refPrice);
    const old = b.size[s]!;
    const what = `${o.side} ${o.size} ${o.symbol} for portfolio '${this.id}'`;
    const exitsGiven = checkOrderAgainstPosition(o, what, old, qty, refPrice);
    const st = K.checkLeverage(b, p, 0, s, qty, fill, refPrice);
    if (st !== K.ORDER_OK) throw new OrderRejectedError(leverageRejection(b, p, what, s, qty, fill, refPrice, st));
    K.applyFill(b, p, 0, s, qty, fill, refPrice, timeMs, K.REASON_ORDER);
    if (exitsGiven) {
      if (o.stopLoss !== undefined) b.stopLoss[s] = o.stopLoss;
      if (o.takeProfit !== undefined) b.takeProfit[s] = o.takeProfit;
      if (o.maxHoldUntil !== undefined) b.maxHoldUntil[s] = o.maxHoldUntil;
      if (o.maxHoldMs !== undefined) b.maxHoldUntil[s] = timeMs + o.maxHoldMs;
    }
    return this.collect(s, orderId, o.clientId ?? null, timeMs, events);
  }

  /** Reads the kernel's last-fill and closed-trade columns of slot s into events. */
  private collect(
    s: number,
    orderId: string | null,
    clientId: string | null,
    timeMs: number,
    events: ExecutionEvent[],
  ): Fill {
    const b = this.book;
    const q = b.lastFillQty[s]!;
    const fill: Fill = {
      portfolio: this.id,
      symbol: this.symbols[s]!,
      orderId,
      clientId,
      side: q > 0 ? 'buy' : 'sell',
      size: Math.abs(q),
      price: b.lastFillPrice[s]!,
      refPrice: b.lastFillRef[s]!,
      fee: b.lastFillFee[s]!,
      realizedPnl: b.lastRealized[s]!,
      reason: K.REASON_NAMES[b.lastReason[s]!]!,
      time: timeMs,
      positionAfter: b.size[s]!,
    };
    events.push({ type: 'fill', fill });
    if (b.closedSeq[s] !== this.seenSeq[s]) {
      this.seenSeq[s] = b.closedSeq[s]!;
      const t: Trade = {
        portfolio: this.id,
        symbol: this.symbols[s]!,
        side: b.closedSide[s]! > 0 ? 'long' : 'short',
        size: b.closedQty[s]!,
        entryPrice: b.closedEntryPrice[s]!,
        exitPrice: b.closedExitPrice[s]!,
        grossPnl: b.closedGross[s]!,
        fees: b.closedFees[s]!,
        funding: b.closedFunding[s]!,
        netPnl: b.closedNet[s]!,
        openedAt: b.closedOpenedAt[s]!,
        closedAt: b.closedAt[s]!,
        exitReason: K.REASON_NAMES[b.closedReason[s]!]!,
      };
      this.tradeList.push(t);
      events.push({ type: 'trade', trade: t });
    }
    return fill;
  }

  /** Exits (stop/target/max-hold/liquidation) of symbol s inside one bar, then marks the slot at the close. */
  processBar(symbol: string, bar: Bar, events: ExecutionEvent[]): void {
    const s = this.symbolIndex(symbol);
    const reason = K.processBar(this.book, this.params, 0, s, bar.open, bar.high, bar.low, bar.close, bar.time);
    if (reason !== K.REASON_NONE) this.collect(s, null, null, bar.time, events);
  }

  /** Rollover for symbol s up to `timeMs` (called before fills at a bar's open). */
  accrue(symbol: string, timeMs: number): void {
    K.accrueRollover(this.book, this.params, 0, this.symbolIndex(symbol), timeMs);
  }

  /** Closes `fraction` (0 < f ≤ 1) of the open position at `refPrice` + slippage. ORDER_REJECTED when flat. */
  closePosition(symbol: string, refPrice: number, timeMs: number, events: ExecutionEvent[], fraction = 1): Fill {
    const s = this.symbolIndex(symbol);
    const z = this.book.size[s]!;
    if (z === 0)
      throw new OrderRejectedError(
        `portfolio '${this.id}' has no open ${symbol} position to close (it was closed or never opened)`,
      );
    if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 1))
      throw new InvalidArgumentError(`close fraction must be in (0, 1], got ${String(fraction)}`);
    const size = fraction === 1 ? Math.abs(z) : Math.abs(z) * fraction;
    return this.execute(
      { portfolio: this.id, symbol, side: z > 0 ? 'sell' : 'buy', size, reduceOnly: true },
      refPrice,
      timeMs,
      events,
    );
  }

  /** Sets/clears exits of an open position. ORDER_REJECTED when flat; stops must sit on the losing side of the mark. */
  setExits(symbol: string, u: ExitsUpdate): void {
    const s = this.symbolIndex(symbol);
    const b = this.book;
    const z = b.size[s]!;
    if (z === 0)
      throw new OrderRejectedError(
        `portfolio '${this.id}' has no open ${symbol} position: exits apply to an open position`,
      );
    const check = (x: number | null | undefined, what: string) => {
      if (x !== undefined && x !== null) requirePositive(x, what);
    };
    check(u.stopLoss, 'stopLoss');
    check(u.takeProfit, 'takeProfit');
    if (u.maxHoldUntil !== undefined && u.maxHoldUntil !== null) requireTime(u.maxHoldUntil, 'maxHoldUntil');
    const mark = b.markPrice[s]!;
    if (u.stopLoss != null && (z > 0 ? u.stopLoss >= mark : u.stopLoss <= mark))
      throw new OrderRejectedError(
        `stopLoss ${u.stopLoss} must be ${z > 0 ? 'below' : 'above'} the mark ${mark} of the ${z > 0 ? 'long' : 'short'} ${symbol} position`,
      );
    if (u.takeProfit != null && (z > 0 ? u.takeProfit <= mark : u.takeProfit >= mark))
      throw new OrderRejectedError(
        `takeProfit ${u.takeProfit} must be ${z > 0 ? 'above' : 'below'} the mark ${mark} of the ${z > 0 ? 'long' : 'short'} ${symbol} position`,
      );
    if (u.stopLoss !== undefined) b.stopLoss[s] = u.stopLoss ?? NaN;
    if (u.takeProfit !== undefined) b.takeProfit[s] = u.takeProfit ?? NaN;
    if (u.maxHoldUntil !== undefined) b.maxHoldUntil[s] = u.maxHoldUntil ?? NaN;
  }

  /** Marks a symbol's price without a bar (e.g. a live tick without exits): no fills. */
  setMark(symbol: string, price: number): void {
    const s = this.symbolIndex(symbol);
    requirePositive(price, `mark price for ${symbol}`);
    this.book.markPrice[s] = price;
  }

  /** Records an equity sample at `timeMs` (one per distinct time; a later call at the same time replaces it). */
  mark(timeMs: number): number {
    requireTime(timeMs, 'time');
    const e = K.markAccount(this.book, 0, timeMs);
    const n = this.historyTime.length;
    if (n > 0 && this.historyTime[n - 1] === timeMs) this.historyEquity[n - 1] = e;
    else {
      this.historyTime.push(timeMs);
      this.historyEquity.push(e);
    }
    return e;
  }

  /** Back to a flat start with `initialCapital` (default: the current one): env reset. */
  reset(initialCapital = this.initialCapital): void {
    requirePositive(initialCapital, `initial capital of portfolio '${this.id}'`);
    K.resetAccount(this.book, 0, initialCapital);
    this.seenSeq.fill(0);
    this.tradeList = [];
    this.historyTime = [];
    this.historyEquity = [];
  }

  metrics(): PortfolioMetrics {
    const m = accountMetrics(this.book, 0, this.periodsPerYear);
    const pnlBySymbol: Record<string, number> = {};
    const tradesBySymbol: Record<string, number> = {};
    for (const sym of this.symbols) {
      pnlBySymbol[sym] = 0;
      tradesBySymbol[sym] = 0;
    }
    for (const t of this.tradeList) {
      pnlBySymbol[t.symbol]! += t.netPnl;
      tradesBySymbol[t.symbol]! += 1;
    }
    return { ...m, pnlBySymbol, tradesBySymbol };
  }

  snapshot(): PortfolioSnapshot {
    return {
      version: 1,
      id: this.id,
      symbols: [...this.symbols],
      book: snapshotAccount(this.book, 0),
      trades: this.tradeList.map((t) => ({ ...t })),
      equityHistory: { time: [...this.historyTime], equity: [...this.historyEquity] },
    };
  }

  /** Replaces this portfolio's whole state with a snapshot (validated first: a bad snapshot changes nothing). */
  restore(snap: PortfolioSnapshot): void {
    if (snap?.version !== 1)
      throw new InvalidArgumentError(`portfolio snapshot version must be 1, got ${String(snap?.version)}`);
    if (!Array.isArray(snap.symbols) || snap.symbols.join('\u0000') !== this.symbols.join('\u0000')) {
      throw new InvalidArgumentError(
        `portfolio snapshot symbols [${String(snap.symbols)}] differ from the executor's [${this.symbols.join(', ')}]: restore with the same symbol config`,
      );
    }
    if (
      !Array.isArray(snap.trades) ||
      !snap.equityHistory ||
      !Array.isArray(snap.equityHistory.time) ||
      !Array.isArray(snap.equityHistory.equity)
    ) {
      throw new InvalidArgumentError('portfolio snapshot lacks trades or equityHistory');
    }
    restoreAccount(this.book, 0, snap.book);
    for (let s = 0; s < this.symbols.length; s++) this.seenSeq[s] = this.book.closedSeq[s]!;
    this.tradeList = snap.trades.map((t) => ({ ...t }));
    this.historyTime = [...snap.equityHistory.time];
    this.historyEquity = [...snap.equityHistory.equity];
  }
}
