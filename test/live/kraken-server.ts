// A local server that speaks Kraken's WebSocket v2 (public and private channels) and the REST GetWebSocketsToken call,
// for the live-loop tests. Public: status on connect, subscribe acks, ohlc / book (checksummed) / trade / ticker /
// instrument / heartbeat, pings. Private: executions (snapshot of open orders and recent trades), add_order,
// cancel_order, cancel_all_orders_after, with fills that can be full or partial, rejections, and counters of everything
// that reached it (the tests assert that no order left without --live and none beyond a risk limit).
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { bookChecksum, type BookLevel } from '../../src/live/kraken/book.ts';

export interface ServerCandle {
  symbol: string;
  interval: number;
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades?: number;
}

export interface ServerOrder {
  orderId: string;
  clOrdId: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  cumQty: number;
  status: 'new' | 'partially_filled' | 'filled' | 'canceled';
  orderType: string;
  receivedAt: number;
  /** stop-loss / take-profit: the trigger price (triggers.price), and whether it may only reduce. */
  triggerPrice?: number;
  reduceOnly?: boolean;
  /** Server event order: when it was accepted, and when it became final (filled or cancelled). */
  seq?: number;
  doneSeq?: number;
  /** The account's position in the symbol when the order was accepted (from this server's fills). */
  positionAtAdd?: number;
}

export interface ServerTrade {
  orderId: string;
  clOrdId: string | null;
  execId: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  orderQty: number;
  cumQty: number;
  time: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Book levels of the server (numbers), written on the wire at the pair's precision as Kraken does. */
interface SideLevel {
  price: number;
  qty: number;
}

export class KrakenTestServer {
  readonly http: Server;
  readonly wss: WebSocketServer;
  url = '';
  restUrl = '';
  /** What the exchange says on connect and to status requests. */
  system: 'online' | 'cancel_only' | 'maintenance' | 'post_only' = 'online';
  precision = { price: 1, qty: 8 };
  /** Candles sent as the ohlc snapshot on subscribe, per symbol/interval key 'BTC/USD:1'. */
  readonly ohlcHistory = new Map<string, ServerCandle[]>();
  /** Fill model: 'full' (one trade), 'partial' (two trades, then 'filled'), 'none' (rests open). */
  fillMode: 'full' | 'partial' | 'none' = 'full';
  fillPrice = 30_000;
  /** The next add_order is refused with this Kraken error text (then cleared). */
  rejectNext: string | null = null;
  /** Orders the server's events (add, fill, cancel) for tests that check what happened before what. */
  private seq = 0;

  /** The account's signed position in `symbol` from the fills this server made. */
  position(symbol: string): number {
    let q = 0;
    for (const t of this.trades) if (t.symbol === symbol) q += t.side === 'buy' ? t.qty : -t.qty;
    return q;
  }
  /** API credentials the REST token call accepts. */
  apiKey = 'test-key';
  apiSecret = Buffer.from('test-secret-0123456789abcdef').toString('base64');
  readonly token = 'WS-TOKEN-1';
  readonly orders = new Map<string, ServerOrder>();
  readonly trades: ServerTrade[] = [];
  /** Counters the tests assert on. */
  readonly counts = {
    connections: 0,
    addOrder: 0,
    cancelOrder: 0,
    cancelAfter: 0,
    subscribes: 0,
    pings: 0,
    tokenCalls: 0,
    badAuth: 0,
  };
  /** Last cancel_all_orders_after timeout (s). */
  lastCancelAfter: number | null = null;
  readonly received: Record<string, unknown>[] = [];
  /** Pairs the instrument channel lists (besides those with a book or candles). */
  readonly instruments = new Set(['BTC/USD', 'ETH/USD']);
  /** Requests of these methods get no answer (a half-dead socket). */
  readonly ignoreMethods = new Set<string>();
  private readonly clients = new Set<WebSocket>();
  private readonly subs = new Map<WebSocket, Set<string>>();
  private readonly books = new Map<string, { bids: SideLevel[]; asks: SideLevel[] }>();
  private nextOrder = 1;
  private nextExec = 1;
  private silent = false;

  constructor() {
    this.http = createServer((req, res) => this.rest(req, res));
    this.wss = new WebSocketServer({ server: this.http });
    this.wss.on('connection', (ws) => this.onConnection(ws));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.http.listen(0, '127.0.0.1', r));
    const port = (this.http.address() as AddressInfo).port;
    this.url = `ws://127.0.0.1:${port}/v2`;
    this.restUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  /** Kills every connection without a close handshake (a network drop). */
  dropAll(): void {
    for (const c of this.clients) c.terminate();
  }

  /** Stops sending anything (heartbeats included) until resumed: a stale feed. */
  setSilent(silent: boolean): void {
    this.silent = silent;
  }

  setBook(symbol: string, bids: SideLevel[], asks: SideLevel[]): void {
    this.books.set(symbol, {
      bids: [...bids].sort((a, b) => b.price - a.price),
      asks: [...asks].sort((a, b) => a.price - b.price),
    });
  }

  /** false: book numbers go out as shortest floats (0.1), as after a float round trip; the checksum stays Kraken's. */
  padWire = true;

  private levelsText(ls: SideLevel[]): string {
    const txt = (x: number, d: number): string => (this.padWire ? x.toFixed(d) : String(x));
    return `[${ls.map((l) => `{"price":${txt(l.price, this.precision.price)},"qty":${txt(l.qty, this.precision.qty)}}`).join(',')}]`;
  }

  private checksumOf(symbol: string): number {
    const b = this.books.get(symbol)!;
    const lv = (l: SideLevel): BookLevel => ({
      price: l.price,
      qty: l.qty,
      priceText: l.price.toFixed(this.precision.price),
      qtyText: l.qty.toFixed(this.precision.qty),
    });
    return bookChecksum(b.asks.slice(0, 10).map(lv), b.bids.slice(0, 10).map(lv));
  }

  /** Sends a book update (levels with qty 0 delete); `corrupt` sends a wrong checksum. Returns the true checksum. */
  bookUpdate(symbol: string, bids: SideLevel[], asks: SideLevel[], corrupt = false): number {
    const b = this.books.get(symbol)!;
    const apply = (side: SideLevel[], l: SideLevel, dir: number): void => {
      const i = side.findIndex((x) => x.price === l.price);
      if (i >= 0) side.splice(i, 1);
      if (l.qty > 0) {
        side.push(l);
        side.sort((x, y) => dir * (x.price - y.price));
      }
    };
    for (const l of bids) apply(b.bids, l, -1);
    for (const l of asks) apply(b.asks, l, 1);
    b.bids.length = Math.min(b.bids.length, 10);
    b.asks.length = Math.min(b.asks.length, 10);
    const sum = this.checksumOf(symbol);
    const text = `{"channel":"book","type":"update","data":[{"symbol":"${symbol}","bids":${this.levelsText(bids)},"asks":${this.levelsText(asks)},"checksum":${corrupt ? (sum + 1) >>> 0 : sum},"timestamp":"${iso(Date.now())}"}]}`;
    this.broadcast(`book:${symbol}`, text);
    return sum;
  }

  /** An ohlc update for one candle (the current, still open, interval as Kraken sends it on every trade). */
  ohlc(c: ServerCandle): void {
    const key = `${c.symbol}:${c.interval}`;
    const hist = this.ohlcHistory.get(key) ?? [];
    const last = hist[hist.length - 1];
    if (last !== undefined && last.time === c.time) hist[hist.length - 1] = c;
    else hist.push(c);
    this.ohlcHistory.set(key, hist);
    this.broadcast(`ohlc:${key}`, JSON.stringify({ channel: 'ohlc', type: 'update', data: [this.candleJson(c)] }));
  }

  heartbeat(): void {
    this.broadcastAll('{"channel":"heartbeat"}');
  }

  /** Raw text to every client subscribed to `sub` (e.g. a real sample). */
  sendRaw(text: string): void {
    this.broadcastAll(text);
  }

  setStatus(system: KrakenTestServer['system']): void {
    this.system = system;
    this.broadcastAll(this.statusText());
  }

  private candleJson(c: ServerCandle): Record<string, unknown> {
    return {
      symbol: c.symbol,
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
      trades: c.trades ?? 1,
      volume: c.volume,
      vwap: c.close,
      interval_begin: iso(c.time).replace('Z', '000000Z'),
      interval: c.interval,
      timestamp: iso(c.time + c.interval * 60_000),
    };
  }

  private statusText(): string {
    return JSON.stringify({
      channel: 'status',
      type: 'update',
      data: [{ api_version: 'v2', connection_id: 1, system: this.system, version: '2.0.10' }],
    });
  }

  private broadcast(sub: string, text: string): void {
    if (this.silent) return;
    for (const [ws, s] of this.subs) if (s.has(sub)) ws.send(text);
  }

  private broadcastAll(text: string): void {
    if (this.silent) return;
    for (const ws of this.clients) ws.send(text);
  }

  private onConnection(ws: WebSocket): void {
    this.counts.connections++;
    this.clients.add(ws);
    this.subs.set(ws, new Set());
    ws.on('close', () => {
      this.clients.delete(ws);
      this.subs.delete(ws);
    });
    ws.on('message', (data) => this.onRequest(ws, data.toString()));
    if (!this.silent) ws.send(this.statusText());
  }

  private reply(ws: WebSocket, o: Record<string, unknown>): void {
    if (!this.silent && ws.readyState === ws.OPEN)
      ws.send(JSON.stringify({ ...o, time_in: iso(Date.now()), time_out: iso(Date.now()) }));
  }

  private onRequest(ws: WebSocket, text: string): void {
    let m: { method?: string; params?: Record<string, unknown>; req_id?: number };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.reply(ws, { error: 'EGeneral:Invalid arguments', success: false });
      return;
    }
    this.received.push(m as Record<string, unknown>);
    if (m.method !== undefined && this.ignoreMethods.has(m.method)) return;
    const p = m.params ?? {};
    const req = m.req_id;
    switch (m.method) {
      case 'ping':
        this.counts.pings++;
        this.reply(ws, { method: 'pong', req_id: req });
        return;
      case 'subscribe':
        this.counts.subscribes++;
        this.subscribe(ws, p, req);
        return;
      case 'unsubscribe': {
        const symbols = (p.symbol as string[] | undefined) ?? [];
        for (const s of symbols) this.subs.get(ws)?.delete(`${String(p.channel)}:${s}`);
        this.reply(ws, { method: 'unsubscribe', req_id: req, success: true, result: { channel: p.channel } });
        return;
      }
      case 'add_order':
        this.addOrder(ws, p, req);
        return;
      case 'cancel_order':
        this.cancelOrder(ws, p, req);
        return;
      case 'cancel_all_orders_after':
        if (p.token !== this.token) {
          this.reply(ws, { method: m.method, req_id: req, success: false, error: 'EAPI:Invalid token' });
          return;
        }
        this.counts.cancelAfter++;
        this.lastCancelAfter = Number(p.timeout);
        this.reply(ws, {
          method: m.method,
          req_id: req,
          success: true,
          result: { currentTime: iso(Date.now()), triggerTime: iso(Date.now() + Number(p.timeout) * 1000) },
        });
        return;
      default:
        this.reply(ws, { method: m.method, req_id: req, success: false, error: 'EGeneral:Invalid arguments:method' });
    }
  }

  private subscribe(ws: WebSocket, p: Record<string, unknown>, req: number | undefined): void {
    const ch = String(p.channel);
    const set = this.subs.get(ws)!;
    if (ch === 'instrument') {
      this.reply(ws, { method: 'subscribe', req_id: req, success: true, result: { channel: ch, snapshot: true } });
      const pairs = [
        ...new Set([
          ...this.instruments,
          ...this.books.keys(),
          ...[...this.ohlcHistory.keys()].map((k) => k.split(':')[0]!),
        ]),
      ].map((symbol) => ({
        symbol,
        price_precision: this.precision.price,
        qty_precision: this.precision.qty,
        qty_min: 0.0001,
        status: 'online',
      }));
      ws.send(JSON.stringify({ channel: 'instrument', type: 'snapshot', data: { assets: [], pairs } }));
      return;
    }
    if (ch === 'executions') {
      if (p.token !== this.token) {
        this.counts.badAuth++;
        this.reply(ws, { method: 'subscribe', req_id: req, success: false, error: 'EAPI:Invalid token' });
        return;
      }
      set.add('executions');
      this.reply(ws, { method: 'subscribe', req_id: req, success: true, result: { channel: ch, snapshot: true } });
      const data: Record<string, unknown>[] = [];
      if (p.snap_orders !== false)
        for (const o of this.orders.values())
          if (o.status === 'new' || o.status === 'partially_filled') data.push(this.orderReport(o, 'new'));
      if (p.snap_trades === true) for (const t of this.trades.slice(-50)) data.push(this.tradeReport(t, 'trade'));
      ws.send(JSON.stringify({ channel: 'executions', type: 'snapshot', data, sequence: 1 }));
      return;
    }
    for (const symbol of (p.symbol as string[] | undefined) ?? []) {
      const key = ch === 'ohlc' ? `${symbol}:${String(p.interval)}` : symbol;
      set.add(`${ch}:${key}`);
      this.reply(ws, {
        method: 'subscribe',
        req_id: req,
        success: true,
        result: {
          channel: ch,
          symbol,
          snapshot: p.snapshot !== false,
          ...(ch === 'ohlc' ? { interval: p.interval } : {}),
          ...(ch === 'book' ? { depth: p.depth } : {}),
        },
      });
      if (ch === 'ohlc' && p.snapshot !== false) {
        const hist = this.ohlcHistory.get(key) ?? [];
        ws.send(
          JSON.stringify({ channel: 'ohlc', type: 'snapshot', data: hist.slice(-720).map((c) => this.candleJson(c)) }),
        );
      }
      if (ch === 'book' && this.books.has(symbol)) {
        const b = this.books.get(symbol)!;
        ws.send(
          `{"channel":"book","type":"snapshot","data":[{"symbol":"${symbol}","bids":${this.levelsText(b.bids.slice(0, 10))},"asks":${this.levelsText(b.asks.slice(0, 10))},"checksum":${this.checksumOf(symbol)}}]}`,
        );
      }
    }
  }

  private orderReport(o: ServerOrder, execType: string): Record<string, unknown> {
    return {
      exec_type: execType,
      order_id: o.orderId,
      ...(o.clOrdId !== null ? { cl_ord_id: o.clOrdId } : {}),
      symbol: o.symbol,
      side: o.side,
      order_type: o.orderType,
      order_qty: o.qty,
      cum_qty: o.cumQty,
      order_status: o.status,
      timestamp: iso(o.receivedAt),
    };
  }

  private tradeReport(t: ServerTrade, execType: string): Record<string, unknown> {
    return {
      exec_type: execType,
      order_id: t.orderId,
      ...(t.clOrdId !== null ? { cl_ord_id: t.clOrdId } : {}),
      exec_id: t.execId,
      symbol: t.symbol,
      side: t.side,
      order_qty: t.orderQty,
      cum_qty: t.cumQty,
      last_qty: t.qty,
      last_price: t.price,
      cost: t.qty * t.price,
      fees: [{ asset: 'USD', qty: t.qty * t.price * 0.0026 }],
      order_status: t.cumQty >= t.orderQty ? 'filled' : 'partially_filled',
      timestamp: iso(t.time),
    };
  }

  private execBroadcast(items: Record<string, unknown>[]): void {
    this.broadcast(
      'executions',
      JSON.stringify({ channel: 'executions', type: 'update', data: items, sequence: this.nextExec }),
    );
  }

  private addOrder(ws: WebSocket, p: Record<string, unknown>, req: number | undefined): void {
    this.counts.addOrder++;
    const fail = (error: string): void => this.reply(ws, { method: 'add_order', req_id: req, success: false, error });
    if (p.token !== this.token) {
      fail('EAPI:Invalid token');
      return;
    }
    if (this.system === 'cancel_only' || this.system === 'maintenance') {
      fail(`EService:${this.system === 'cancel_only' ? 'Cancel only' : 'Unavailable'}`);
      return;
    }
    if (this.rejectNext !== null) {
      const e = this.rejectNext;
      this.rejectNext = null;
      fail(e);
      return;
    }
    const qty = Number(p.order_qty);
    if (!(qty > 0)) {
      fail('EOrder:Invalid order quantity');
      return;
    }
    const clOrdId = typeof p.cl_ord_id === 'string' ? p.cl_ord_id : null;
    if (clOrdId !== null && [...this.orders.values()].some((o) => o.clOrdId === clOrdId)) {
      fail('EOrder:Duplicate cl_ord_id');
      return;
    }
    const o: ServerOrder = {
      orderId: `O${String(this.nextOrder++).padStart(5, '0')}-TEST`,
      clOrdId,
      symbol: String(p.symbol),
      side: p.side === 'sell' ? 'sell' : 'buy',
      qty,
      cumQty: 0,
      status: 'new',
      orderType: String(p.order_type),
      receivedAt: Date.now(),
      reduceOnly: p.reduce_only === true,
    };
    const conditional = o.orderType === 'stop-loss' || o.orderType === 'take-profit';
    if (conditional) {
      const t = (p.triggers ?? {}) as { price?: unknown; reference?: unknown; price_type?: unknown };
      if (!(Number(t.price) > 0) || (t.price_type ?? 'static') !== 'static') {
        fail('EOrder:Invalid price');
        return;
      }
      o.triggerPrice = Number(t.price);
    } else if (o.orderType !== 'market') {
      fail('EOrder:Order type not supported by the test exchange');
      return;
    }
    o.seq = this.seq++;
    o.positionAtAdd = this.position(o.symbol);
    this.orders.set(o.orderId, o);
    this.reply(ws, {
      method: 'add_order',
      req_id: req,
      success: true,
      result: { order_id: o.orderId, ...(clOrdId !== null ? { cl_ord_id: clOrdId } : {}) },
    });
    this.execBroadcast([this.orderReport({ ...o }, 'pending_new')]);
    this.execBroadcast([this.orderReport(o, 'new')]);
    if (conditional || this.fillMode === 'none') return; // a stop / target rests until lastTrade triggers it
    const parts = this.fillMode === 'partial' ? [qty * 0.4, qty - qty * 0.4] : [qty];
    for (const q of parts) this.fill(o, q);
  }

  /**
   * A trade at `price` on `symbol` (the reference price 'last'): each resting stop-loss / take-profit it reaches
   * triggers and fills at `price` (a sell stop at or below its trigger, a sell target at or above; buys mirrored).
   * Returns the orders it triggered.
   */
  lastTrade(symbol: string, price: number): ServerOrder[] {
    const hit: ServerOrder[] = [];
    for (const o of this.orders.values()) {
      if (
        o.symbol !== symbol ||
        o.triggerPrice === undefined ||
        (o.status !== 'new' && o.status !== 'partially_filled')
      )
        continue;
      const below = price <= o.triggerPrice;
      const above = price >= o.triggerPrice;
      const stop = o.orderType === 'stop-loss';
      if (o.side === 'sell' ? (stop ? below : above) : stop ? above : below) hit.push(o);
    }
    const keep = this.fillPrice;
    this.fillPrice = price;
    for (const o of hit) this.fill(o, o.qty - o.cumQty);
    this.fillPrice = keep;
    return hit;
  }

  /** Fills `qty` of an open order now (a trade event; completion comes as a separate 'filled' event). */
  fill(o: ServerOrder, qty: number): void {
    o.cumQty += qty;
    const done = o.cumQty >= o.qty - 1e-12;
    o.status = done ? 'filled' : 'partially_filled';
    if (done) o.doneSeq = this.seq++;
    const t: ServerTrade = {
      orderId: o.orderId,
      clOrdId: o.clOrdId,
      execId: `T${this.nextExec++}`,
      symbol: o.symbol,
      side: o.side,
      qty,
      price: this.fillPrice,
      orderQty: o.qty,
      cumQty: o.cumQty,
      time: Date.now(),
    };
    this.trades.push(t);
    // Kraken: a trade event may say partially_filled even when it completes the order; 'filled' follows separately.
    this.execBroadcast([{ ...this.tradeReport(t, 'trade'), order_status: 'partially_filled' }]);
    if (done) this.execBroadcast([this.orderReport(o, 'filled')]);
  }

  private cancelOrder(ws: WebSocket, p: Record<string, unknown>, req: number | undefined): void {
    this.counts.cancelOrder++;
    if (p.token !== this.token) {
      this.reply(ws, { method: 'cancel_order', req_id: req, success: false, error: 'EAPI:Invalid token' });
      return;
    }
    const ids = [...((p.order_id as string[] | undefined) ?? [])];
    for (const c of (p.cl_ord_id as string[] | undefined) ?? [])
      for (const o of this.orders.values()) if (o.clOrdId === c) ids.push(o.orderId);
    for (const id of ids) {
      const o = this.orders.get(id);
      if (o === undefined || o.status === 'filled' || o.status === 'canceled') {
        this.reply(ws, { method: 'cancel_order', req_id: req, success: false, error: 'EOrder:Unknown order' });
        return;
      }
      o.status = 'canceled';
      o.doneSeq = this.seq++;
      this.execBroadcast([this.orderReport(o, 'canceled')]);
    }
    this.reply(ws, { method: 'cancel_order', req_id: req, success: true, result: { order_id: ids[0] } });
  }

  private rest(req: IncomingMessage, res: import('node:http').ServerResponse): void {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
      if (body.length > 65536) req.destroy();
    });
    req.on('end', () => {
      const path = req.url ?? '';
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && path === '/0/private/GetWebSocketsToken') {
        this.counts.tokenCalls++;
        const nonce = new URLSearchParams(body).get('nonce') ?? '';
        const sha = createHash('sha256')
          .update(nonce + body)
          .digest();
        const want = createHmac('sha512', Buffer.from(this.apiSecret, 'base64'))
          .update(Buffer.concat([Buffer.from(path), sha]))
          .digest('base64');
        if (req.headers['api-key'] !== this.apiKey || req.headers['api-sign'] !== want || nonce === '') {
          this.counts.badAuth++;
          res.end(JSON.stringify({ error: ['EAPI:Invalid key'] }));
          return;
        }
        res.end(JSON.stringify({ error: [], result: { token: this.token, expires: 900 } }));
        return;
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: ['EGeneral:Unknown method'] }));
    });
  }
}
