// Kept in one file (~700 lines) on purpose: reconciliation, order placement, protection orders and the dead-man's switch share one state machine that has to be read as a whole (real money).
// The live order gateway to Kraken (real money). It exists only when asked for with --live, keys from the environment
// and the typed confirmation; everything else in the live loop is paper. Over the authenticated WS v2 socket it:
//  - subscribes to `executions` (open orders and the last 50 trades in the snapshot) and reconciles from that snapshot
//    at start and after every reconnect: orders it sent are matched by client order id; an order whose fate the
//    snapshot cannot show (not open, not filled by the trades it lists) is not assumed gone — the engine HALTS;
//  - sends `add_order` (market, a client order id per order) only after the risk engine, the exchange status (no new
//    orders in cancel_only / maintenance / post_only for market orders) and reconciliation allow it;
//  - books fills as Kraken reports them: `trade` events (which may say partially_filled even when they complete the
//    order), completion from the separate `filled` event, each fill once (by exec_id);
//  - keeps the `cancel_all_orders_after` dead-man's switch armed (refreshed every 15–30 s), so that a dead process has
//    its open orders cancelled by the exchange;
//  - the kill switch cancels every open order, flattens every position with reduce-only market orders, and halts;
//  - rests reduce-only `stop-loss` / `take-profit` orders on the exchange (protect / cancelOrders) for
//    protection.ts; they are not flow (inFlight leaves them out) and fills of theirs are booked like any other.
import WebSocket from 'ws';
import { LiveError } from '../errors.ts';
import {
  isOpenStatus,
  parseMessage,
  type ExecutionReport,
  type MethodResponse,
  type SystemStatus,
} from '../kraken/messages.ts';
import { discardSocket } from '../kraken/ws-client.ts';
import type { HttpFetch } from '../warmup.ts';
import { getWebSocketsToken, type Credentials } from './kraken-auth.ts';
import type { RiskEngine } from './risk.ts';

export const KRAKEN_AUTH_URL = 'wss://ws-auth.kraken.com/v2';
/** What an operator must type (or pass) to let orders reach the exchange. */
export const LIVE_CONFIRMATION = 'I ACCEPT REAL ORDERS';

export type OrderState =
  | 'sent'
  | 'pending_new'
  | 'new'
  | 'partially_filled'
  | 'filled'
  | 'canceled'
  | 'expired'
  | 'rejected'
  | 'unknown';
const TERMINAL: readonly OrderState[] = ['filled', 'canceled', 'expired', 'rejected'];

/** Market orders (the flow) and the resting exchange-side exits (protection.ts). */
export type OrderType = 'market' | 'stop-loss' | 'take-profit';

export interface TrackedOrder {
  clOrdId: string;
  orderId: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  orderType: OrderType;
  /** Trigger price of a stop-loss / take-profit; null for market orders. */
  triggerPrice: number | null;
  qty: number;
  cumQty: number;
  state: OrderState;
  reason: string;
  sentAt: number;
  error: string | null;
}

export interface LiveFill {
  clOrdId: string | null;
  orderId: string;
  execId: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  fee: number;
  time: number;
}

export interface GatewayOptions {
  credentials: Credentials;
  /** Must equal LIVE_CONFIRMATION. */
  confirmation: string;
  risk: RiskEngine;
  url?: string;
  restUrl?: string;
  fetch?: HttpFetch;
  /** Dead-man timeout sent to cancel_all_orders_after (s, default 60) and refresh period (ms, 15–30 s, default 20 s). */
  deadManTimeoutS?: number;
  deadManRefreshMs?: number;
  requestTimeoutMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  /** Client order id prefix (default 'tg4'); ids are <prefix>-<run>-<n>. */
  clientPrefix?: string;
  onFill?: (f: LiveFill) => void;
  onOrder?: (o: TrackedOrder) => void;
  onEvent?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export type SubmitResult = { ok: true; order: TrackedOrder } | { ok: false; reason: string; order?: TrackedOrder };

export class KrakenGateway {
  readonly risk: RiskEngine;
  readonly url: string;
  readonly orders = new Map<string, TrackedOrder>();
  /** Signed base position per symbol from the fills this gateway booked. */
  readonly positions = new Map<string, number>();
  /** Average entry price of each open position (fills that opened or added to it). */
  readonly entries = new Map<string, number>();
  readonly fills: LiveFill[] = [];
  status: SystemStatus | 'unknown' = 'unknown';
  /** True once the executions snapshot of the current connection has been reconciled. */
  reconciled = false;
  readonly stats = { connects: 0, reconciliations: 0, deadManRefreshes: 0, ordersSent: 0, refused: 0 };
  private readonly o: GatewayOptions;
  private ws: WebSocket | null = null;
  private token = '';
  private reqId = 1;
  private readonly pending = new Map<number, { resolve: (r: MethodResponse) => void; timer: NodeJS.Timeout }>();
  private readonly seenExec = new Set<string>();
  private readonly run = Date.now().toString(36);
  private seq = 0;
  private stopped = false;
  private deadMan: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private delay: number;
  private firstSnapshot = true;
  private readyWaiters: (() => void)[] = [];
  private killRequest: { reason: string; prices: ReadonlyMap<string, number> } | null = null;
  /** Resolvers waiting for an order to reach a terminal state (cancelOrders). */
  private readonly terminalWaiters = new Map<string, (() => void)[]>();

  constructor(o: GatewayOptions) {
    if (o.confirmation !== LIVE_CONFIRMATION)
      throw new LiveError(
        'not_live',
        `the live gateway needs the typed confirmation '${LIVE_CONFIRMATION}': no order was sent`,
      );
    if (!o.credentials?.apiKey || !o.credentials?.apiSecret)
      throw new LiveError('auth_failed', 'the live gateway needs API credentials from the environment');
    const refresh = o.deadManRefreshMs ?? 20_000;
    const timeout = o.deadManTimeoutS ?? 60;
    if (!(timeout >= 1 && timeout <= 86_400))
      throw new LiveError('not_live', `dead-man timeout ${timeout} s must be within 1..86400`);
    if (refresh >= timeout * 1000)
      throw new LiveError(
        'not_live',
        `the dead-man refresh (${refresh} ms) must come before its timeout (${timeout} s)`,
      );
    this.o = o;
    this.risk = o.risk;
    this.url = o.url ?? KRAKEN_AUTH_URL;
    this.delay = o.backoff?.initialMs ?? 250;
  }

  /** Token, socket, executions snapshot reconciled, dead-man armed. Resolves when orders may be sent. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
    await this.whenReady();
  }

  whenReady(): Promise<void> {
    if (this.reconciled) return Promise.resolve();
    return new Promise((r) => this.readyWaiters.push(r));
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  position(symbol: string): number {
    return this.positions.get(symbol) ?? 0;
  }

  /** Base quantity still on its way (sent or open market orders, signed; resting stops / targets are not flow). */
  inFlight(symbol: string): number {
    let q = 0;
    for (const o of this.orders.values())
      if (o.symbol === symbol && o.orderType === 'market' && !TERMINAL.includes(o.state))
        q += (o.side === 'buy' ? 1 : -1) * (o.qty - o.cumQty);
    return q;
  }

  /** Whether an order has reached a final state (filled, cancelled, expired, rejected). */
  static isTerminal(o: TrackedOrder): boolean {
    return TERMINAL.includes(o.state);
  }

  private emit(level: 'info' | 'warn' | 'error', message: string): void {
    this.o.onEvent?.(level, message);
  }

  private async connect(): Promise<void> {
    const { token } = await getWebSocketsToken(this.o.credentials, { restUrl: this.o.restUrl, fetch: this.o.fetch });
    this.token = token;
    if (this.stopped) return;
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(this.url, { maxPayload: 4 * 1024 * 1024, handshakeTimeout: 10_000 });
      this.ws = ws;
      ws.on('open', () => {
        this.stats.connects++;
        this.reconciled = false;
        this.send({
          method: 'subscribe',
          params: {
            channel: 'executions',
            token: this.token,
            snap_orders: true,
            snap_trades: true,
            order_status: true,
          },
        });
        this.armDeadMan();
        resolve();
      });
      ws.on('message', (d: WebSocket.RawData, bin: boolean) => {
        if (!bin) this.onFrame(d.toString());
      });
      ws.on('error', (e) => {
        this.emit('warn', `auth socket: ${e.message}`);
        reject(new LiveError('connection_lost', `auth socket ${this.url}: ${e.message}`));
      });
      ws.on('close', () => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.onClosed();
      });
    });
  }

  private onClosed(): void {
    this.reconciled = false;
    if (this.deadMan) clearTimeout(this.deadMan);
    this.deadMan = null;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ method: 'closed', reqId: id, success: false, error: 'connection lost', result: null });
    }
    this.pending.clear();
    if (this.stopped) return;
    this.emit('warn', 'auth socket closed: reconnecting; no order leaves until the executions snapshot is reconciled');
    const d = this.delay;
    this.delay = Math.min(this.o.backoff?.maxMs ?? 30_000, this.delay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch((e: Error) => {
        this.emit('error', e.message);
        this.onClosed();
      });
    }, d);
  }

  /** The public feed's view of the exchange status (the auth socket reports it too): either one not online stops new orders. */
  setExchangeStatus(s: SystemStatus): void {
    this.status = s;
  }

  /** Drops the socket as a network fault would (tests). */
  dropConnection(): void {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    discardSocket(ws, 'terminate');
    this.onClosed();
  }

  private send(payload: Record<string, unknown>): number {
    const id = this.reqId++;
    this.ws?.send(JSON.stringify({ ...payload, req_id: id }));
    return id;
  }

  private request(method: string, params: Record<string, unknown>): Promise<MethodResponse> {
    if (!this.connected)
      return Promise.resolve({ method, reqId: null, success: false, error: 'not connected', result: null });
    const id = this.send({ method, params: { ...params, token: this.token } });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ method, reqId: id, success: false, error: 'timeout', result: null });
      }, this.o.requestTimeoutMs ?? 10_000);
      this.pending.set(id, { resolve, timer });
    });
  }

  private armDeadMan(): void {
    const period = this.o.deadManRefreshMs ?? 20_000;
    const tick = async (): Promise<void> => {
      const r = await this.request('cancel_all_orders_after', { timeout: this.o.deadManTimeoutS ?? 60 });
      if (r.success) this.stats.deadManRefreshes++;
      else if (r.error === 'timeout' && !this.stopped && this.connected) {
        // A socket that no longer answers is dead even if TCP has not noticed: replace it (reconnect, reconcile).
        this.emit('error', 'cancel_all_orders_after got no answer: replacing the auth socket');
        this.dropConnection();
        return;
      } else if (!this.stopped && this.connected) {
        this.risk.set('REDUCING', `dead-man's switch refresh refused (${r.error ?? 'no reason'})`);
        this.emit('error', `cancel_all_orders_after failed: ${r.error ?? 'no reason'}`);
      }
      if (this.connected && !this.stopped) this.deadMan = setTimeout(() => void tick(), period);
    };
    void tick();
  }

  private onFrame(raw: string): void {
    let m: ReturnType<typeof parseMessage>;
    try {
      m = parseMessage(raw);
    } catch (e) {
      this.emit('error', (e as Error).message);
      return;
    }
    if (m.kind === 'response') {
      const r = m.response;
      if (r.reqId !== null) {
        const p = this.pending.get(r.reqId);
        if (p) {
          clearTimeout(p.timer);
          this.pending.delete(r.reqId);
          p.resolve(r);
          return;
        }
      }
      if (r.method === 'subscribe' && !r.success) {
        this.risk.halt(`executions subscription refused: ${r.error ?? 'no reason'}`);
        this.emit('error', `executions subscription refused: ${r.error ?? ''}`);
      }
      return;
    }
    if (m.kind === 'status') {
      this.status = m.system;
      if (m.system !== 'online') this.emit('warn', `exchange status ${m.system}: no new orders`);
      return;
    }
    if (m.kind === 'executions') {
      if (m.snapshot) this.reconcile(m.reports);
      else for (const r of m.reports) this.apply(r);
    }
  }

  /** Applies one execution report to the order it belongs to and books its fill once. */
  private apply(r: ExecutionReport): void {
    const o = this.find(r);
    if (r.execType === 'trade' && r.execId !== null && r.lastQty !== null && r.lastPrice !== null) {
      if (!this.seenExec.has(r.execId)) {
        this.seenExec.add(r.execId);
        if (o === undefined) {
          // A fill of an order this run did not send (a manual trade, another bot): the account's exposure changed
          // outside this run's books. Not booked, not guessed at: halt.
          this.risk.halt(
            `a fill (${r.execId}, ${r.side ?? '?'} ${r.lastQty} ${r.symbol ?? '?'}) of an order this run did not send (${r.orderId})`,
          );
          this.emit('error', `foreign fill ${r.execId} on order ${r.orderId}: HALTED`);
          return;
        }
        const side = r.side ?? o?.side ?? null;
        const symbol = r.symbol ?? o?.symbol ?? null;
        if (side === null || symbol === null) {
          this.risk.halt(`a fill (${r.execId}) came without side or symbol: the position cannot be booked`);
          return;
        }
        const q = side === 'buy' ? r.lastQty : -r.lastQty;
        const before = this.positions.get(symbol) ?? 0;
        const after = before + q;
        this.positions.set(symbol, after);
        if (after === 0) this.entries.delete(symbol);
        else if (before === 0 || before > 0 !== after > 0) this.entries.set(symbol, r.lastPrice);
        else if (Math.abs(after) > Math.abs(before))
          this.entries.set(
            symbol,
            ((this.entries.get(symbol) ?? r.lastPrice) * Math.abs(before) + r.lastPrice * r.lastQty) / Math.abs(after),
          );
        const f: LiveFill = {
          clOrdId: r.clOrdId ?? o?.clOrdId ?? null,
          orderId: r.orderId,
          execId: r.execId,
          symbol,
          side,
          qty: r.lastQty,
          price: r.lastPrice,
          fee: r.feeUsd ?? 0,
          time: r.time,
        };
        this.fills.push(f);
        if (o) o.cumQty = r.cumQty ?? o.cumQty + r.lastQty;
        this.o.onFill?.(f);
      }
    }
    if (o === undefined) return;
    if (r.orderId) o.orderId = r.orderId;
    if (r.cumQty !== null) o.cumQty = r.cumQty;
    // A trade event's order_status may say partially_filled when it completes the order: completion comes as 'filled'.
    const next: OrderState | null =
      r.execType === 'filled'
        ? 'filled'
        : r.execType === 'canceled'
          ? 'canceled'
          : r.execType === 'expired'
            ? 'expired'
            : r.execType === 'pending_new'
              ? 'pending_new'
              : r.execType === 'new'
                ? 'new'
                : r.execType === 'trade'
                  ? 'partially_filled'
                  : null;
    if (next !== null && !TERMINAL.includes(o.state)) {
      o.state = next;
      if (next === 'canceled' || next === 'expired') o.reason = r.reason ?? next;
      this.o.onOrder?.(o);
      if (TERMINAL.includes(next)) this.settled(o);
    }
  }

  private settled(o: TrackedOrder): void {
    for (const w of this.terminalWaiters.get(o.clOrdId)?.splice(0) ?? []) w();
    this.terminalWaiters.delete(o.clOrdId);
  }

  private find(r: ExecutionReport): TrackedOrder | undefined {
    if (r.clOrdId !== null) {
      const o = this.orders.get(r.clOrdId);
      if (o) return o;
    }
    for (const o of this.orders.values()) if (o.orderId !== null && o.orderId === r.orderId) return o;
    return undefined;
  }

  /**
   * The executions snapshot of a (re)connection: its trades are booked (each once), its open orders matched to ours.
   * Fail closed: an order of ours whose state the snapshot cannot prove, or an open order that is not ours, halts.
   */
  private reconcile(reports: ExecutionReport[]): void {
    this.stats.reconciliations++;
    const trades = reports.filter((r) => r.execType === 'trade');
    const open = reports.filter((r) => r.execType !== 'trade' && isOpenStatus(r.orderStatus));
    // At start the snapshot's trades of other orders are the account's history (before this run): remembered, so that
    // they are never booked; after a reconnect, a new one is a fill this run did not make (apply halts on it).
    if (this.firstSnapshot)
      for (const t of trades) if (t.execId !== null && this.find(t) === undefined) this.seenExec.add(t.execId);
    for (const t of trades) this.apply(t);
    const problems: string[] = [];
    const openIds = new Set<string>();
    for (const r of open) {
      const o = this.find(r);
      if (o === undefined) {
        problems.push(
          `open order ${r.orderId}${r.clOrdId ? ` (${r.clOrdId})` : ''} on ${r.symbol ?? '?'} is not one this run sent`,
        );
        continue;
      }
      openIds.add(o.clOrdId);
      o.orderId = r.orderId;
      if (r.cumQty !== null) o.cumQty = r.cumQty;
      o.state = r.orderStatus === 'partially_filled' ? 'partially_filled' : 'new';
    }
    for (const o of this.orders.values()) {
      if (TERMINAL.includes(o.state) || openIds.has(o.clOrdId)) continue;
      if (o.cumQty >= o.qty * (1 - 1e-9)) {
        o.state = 'filled';
        this.settled(o);
        continue;
      }
      problems.push(
        `order ${o.clOrdId} (${o.side} ${o.qty} ${o.symbol}, ${o.cumQty} filled) is neither open nor filled in the executions snapshot: its fate cannot be proven (it may have been cancelled, filled beyond the last 50 trades, or never arrived)`,
      );
    }
    if (problems.length > 0) {
      this.risk.halt(
        `reconciliation ${this.firstSnapshot ? 'at start' : 'after a reconnect'} failed: ${problems.join('; ')}`,
      );
      this.emit('error', `reconciliation failed (HALTED): ${problems.join('; ')}`);
    } else
      this.emit('info', `reconciled: ${open.length} open order(s), ${trades.length} recent trade(s) in the snapshot`);
    this.firstSnapshot = false;
    this.reconciled = true;
    // A kill switch that fired while the link was down flattens now.
    if (this.killRequest !== null) void this.flattenAll(this.killRequest.reason, this.killRequest.prices);
    this.delay = this.o.backoff?.initialMs ?? 250;
    for (const w of this.readyWaiters.splice(0)) w();
  }

  /** Sends a market order after every check; resolves with the exchange's answer (a refusal is not an exception). */
  async submit(
    order: { symbol: string; qty: number; price: number; reason: string; reduceOnly?: boolean },
    opts: { bypassRisk?: boolean } = {},
  ): Promise<SubmitResult> {
    const refuse = (reason: string): SubmitResult => {
      this.stats.refused++;
      this.emit('warn', `order refused before sending: ${reason}`);
      return { ok: false, reason };
    };
    if (this.stopped) return refuse('the gateway is stopped');
    if (!this.connected || !this.reconciled) return refuse('not connected and reconciled with the exchange');
    if (this.status !== 'online') return refuse(`exchange status is ${this.status}: no new orders`);
    if ([...this.orders.values()].some((o) => o.state === 'unknown'))
      return refuse('an earlier order is in an unknown state: waiting for the exchange to report it');
    const pos = this.position(order.symbol) + this.inFlight(order.symbol);
    if (
      order.reduceOnly &&
      !(
        pos !== 0 &&
        Math.abs(pos + order.qty) < Math.abs(pos) &&
        (pos + order.qty === 0 || pos + order.qty > 0 === pos > 0)
      )
    )
      return refuse('reduce-only order would not reduce the position');
    if (!opts.bypassRisk) {
      const v = this.risk.check({ symbol: order.symbol, qty: order.qty, price: order.price, position: pos });
      if (!v.ok) return refuse(v.reason);
    } else if (!(order.qty !== 0 && Number.isFinite(order.qty))) return refuse(`order qty ${order.qty} is not valid`);
    return this.place(
      { symbol: order.symbol, qty: order.qty, reason: order.reason, orderType: 'market', triggerPrice: null },
      order.reduceOnly === true,
    );
  }

  /**
   * Rests a reduce-only stop-loss / take-profit on the exchange for (part of) the booked position: `qty` is signed and
   * must reduce it. Not limited like new exposure (it can only reduce; not counted in orders per minute), but refused
   * when HALTED, not connected and reconciled, not online, or with an order in an unknown state.
   */
  async protect(order: {
    symbol: string;
    qty: number;
    orderType: 'stop-loss' | 'take-profit';
    triggerPrice: number;
    reason: string;
  }): Promise<SubmitResult> {
    const refuse = (reason: string): SubmitResult => {
      this.stats.refused++;
      this.emit('warn', `${order.orderType} refused before sending: ${reason}`);
      return { ok: false, reason };
    };
    if (this.stopped) return refuse('the gateway is stopped');
    if (this.risk.state === 'HALTED') return refuse(`risk engine HALTED: nothing but the kill switch's flattening`);
    if (!this.connected || !this.reconciled) return refuse('not connected and reconciled with the exchange');
    if (this.status !== 'online') return refuse(`exchange status is ${this.status}: no new orders`);
    if ([...this.orders.values()].some((o) => o.state === 'unknown'))
      return refuse('an earlier order is in an unknown state: waiting for the exchange to report it');
    const pos = this.position(order.symbol);
    if (!(pos !== 0 && order.qty !== 0 && order.qty > 0 !== pos > 0 && Math.abs(order.qty) <= Math.abs(pos) + 1e-12))
      return refuse(`a ${order.orderType} of ${order.qty} would not reduce the position ${pos}`);
    if (!(order.triggerPrice > 0 && Number.isFinite(order.triggerPrice)))
      return refuse(`trigger price ${order.triggerPrice} is not valid`);
    return this.place(
      {
        symbol: order.symbol,
        qty: order.qty,
        reason: order.reason,
        orderType: order.orderType,
        triggerPrice: order.triggerPrice,
      },
      true,
    );
  }

  private async place(
    order: { symbol: string; qty: number; reason: string; orderType: OrderType; triggerPrice: number | null },
    reduceOnly: boolean,
  ): Promise<SubmitResult> {
    const clOrdId = `${this.o.clientPrefix ?? 'tg4'}-${this.run}-${++this.seq}`;
    const o: TrackedOrder = {
      clOrdId,
      orderId: null,
      symbol: order.symbol,
      side: order.qty > 0 ? 'buy' : 'sell',
      orderType: order.orderType,
      triggerPrice: order.triggerPrice,
      qty: Math.abs(order.qty),
      cumQty: 0,
      state: 'sent',
      reason: order.reason,
      sentAt: Date.now(),
      error: null,
    };
    this.orders.set(clOrdId, o);
    this.stats.ordersSent++;
    const params: Record<string, unknown> = {
      order_type: o.orderType,
      side: o.side,
      order_qty: o.qty,
      symbol: o.symbol,
      cl_ord_id: clOrdId,
    };
    if (o.triggerPrice !== null) params.triggers = { reference: 'last', price: o.triggerPrice, price_type: 'static' };
    if (reduceOnly) params.reduce_only = true;
    const r = await this.request('add_order', params);
    if (r.success) {
      const id = r.result?.order_id;
      if (typeof id === 'string') o.orderId = id;
      if (o.state === 'sent') o.state = 'pending_new';
      this.o.onOrder?.(o);
      return { ok: true, order: o };
    }
    if (r.error === 'timeout' || r.error === 'connection lost') {
      // Sent, but no answer: the exchange may have it. Reconciliation (or a later report) decides; nothing new leaves until then.
      o.state = 'unknown';
      o.error = r.error;
      this.o.onOrder?.(o);
      return { ok: false, reason: `no answer to add_order (${r.error}): its state will be reconciled`, order: o };
    }
    o.state = 'rejected';
    o.error = r.error ?? 'rejected';
    this.o.onOrder?.(o);
    this.emit('warn', `order ${clOrdId} rejected by Kraken: ${o.error}`);
    return { ok: false, reason: `rejected by Kraken: ${o.error}`, order: o };
  }

  /**
   * Cancels these orders (by client order id) and waits until the exchange reports each one final (cancelled, or
   * filled first). True only when every one is final within `timeoutMs`: the caller must not assume otherwise.
   */
  async cancelOrders(clOrdIds: readonly string[], timeoutMs = this.o.requestTimeoutMs ?? 10_000): Promise<boolean> {
    const open = clOrdIds
      .map((id) => this.orders.get(id))
      .filter((o) => o !== undefined && !TERMINAL.includes(o.state));
    if (open.length === 0) return true;
    const final = this.waitFinal(
      open.map((o) => o!.clOrdId),
      timeoutMs,
    );
    const r = await this.request('cancel_order', { cl_ord_id: open.map((o) => o!.clOrdId) });
    if (!r.success) {
      this.emit('error', `cancel_order failed: ${r.error ?? ''}`);
      // An order that filled or was cancelled just before is final anyway.
      if (!open.every((o) => TERMINAL.includes(o!.state))) return false;
    }
    return final;
  }

  /** Resolves true once every one of these orders is final, false when `timeoutMs` passes first. */
  waitFinal(clOrdIds: readonly string[], timeoutMs = this.o.requestTimeoutMs ?? 10_000): Promise<boolean> {
    const open = clOrdIds.filter((id) => {
      const o = this.orders.get(id);
      return o !== undefined && !TERMINAL.includes(o.state);
    });
    if (open.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let left = open.length;
      const timer = setTimeout(() => resolve(false), timeoutMs);
      for (const id of open) {
        const l = this.terminalWaiters.get(id) ?? [];
        l.push(() => {
          if (--left === 0) {
            clearTimeout(timer);
            resolve(true);
          }
        });
        this.terminalWaiters.set(id, l);
      }
    });
  }

  /** Cancels every open order this run sent (by client order id). */
  async cancelAll(): Promise<number> {
    const ids = [...this.orders.values()]
      .filter((o) => !TERMINAL.includes(o.state) && o.state !== 'sent')
      .map((o) => o.clOrdId);
    if (ids.length === 0) return 0;
    const r = await this.request('cancel_order', { cl_ord_id: ids });
    if (!r.success) this.emit('error', `cancel_order failed: ${r.error ?? ''}`);
    return ids.length;
  }

  /**
   * The kill switch: halt, cancel open orders, flatten every position with reduce-only market orders. While the link
   * is down it is remembered and done after the next reconciliation.
   */
  async kill(reason: string, prices: ReadonlyMap<string, number>): Promise<SubmitResult[]> {
    this.risk.halt(`kill switch: ${reason}`);
    this.emit('error', `KILL SWITCH: ${reason}: cancelling open orders and flattening`);
    this.killRequest = { reason, prices };
    return this.flattenAll(reason, prices);
  }

  private async flattenAll(reason: string, prices: ReadonlyMap<string, number>): Promise<SubmitResult[]> {
    if (!this.connected || !this.reconciled) return [];
    await this.cancelAll();
    const out: SubmitResult[] = [];
    for (const [symbol, pos] of this.positions) {
      if (pos === 0) continue;
      const price = prices.get(symbol) ?? Number.NaN;
      out.push(
        await this.submit(
          {
            symbol,
            qty: -pos,
            price: price > 0 ? price : 1,
            reason: `kill switch flatten: ${reason}`,
            reduceOnly: true,
          },
          { bypassRisk: true },
        ),
      );
    }
    return out;
  }

  /** Cancels our open orders, disarms the dead-man's switch (timeout 0) and closes the socket. */
  async stop(): Promise<void> {
    if (this.connected) {
      await this.cancelAll();
      await this.request('cancel_all_orders_after', { timeout: 0 });
    }
    this.stopped = true;
    if (this.deadMan) clearTimeout(this.deadMan);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.ws) discardSocket(this.ws, 'close');
    this.ws = null;
  }
}
