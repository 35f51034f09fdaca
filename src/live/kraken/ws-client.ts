// Kraken WebSocket v2 public client on the `ws` package: subscribes to ohlc / trade / book / ticker / instrument (status
// and heartbeat come by themselves), keeps level-2 books with their CRC32 checked on the snapshot and on every update
// (a mismatch drops the book and resubscribes it), pings, and reconnects with exponential backoff, resubscribing
// everything. A watchdog treats a feed silent for `staleAfterMs` (Kraken sends a heartbeat about once a second) as
// dead: it reports it and reconnects. The URL is configurable so that tests and users can point it at a local server.
import WebSocket from 'ws';
import { LiveError } from '../errors.ts';
import { OrderBook, textAtPrecision, type BookLevel } from './book.ts';
import { OHLC_INTERVALS, parseMessage, subscribeRequest, type PublicMessage, type SystemStatus } from './messages.ts';

export const KRAKEN_PUBLIC_URL = 'wss://ws.kraken.com/v2';

/**
 * Lets go of a socket we no longer want: its handlers go (no reconnect, no stale events), a late 'error' is swallowed
 * (an unhandled one would crash the process), then it is closed politely or terminated at once.
 */
export function discardSocket(ws: WebSocket, how: 'close' | 'terminate'): void {
  ws.removeAllListeners();
  ws.on('error', () => {});
  if (how === 'close') ws.close();
  else ws.terminate();
}

export type Subscription =
  | { channel: 'ohlc'; symbols: string[]; interval: number }
  | { channel: 'book'; symbols: string[]; depth?: number }
  | { channel: 'trade' | 'ticker'; symbols: string[] }
  | { channel: 'instrument' };

export interface ClientHandlers {
  /** Every parsed message, in arrival order (after the client's own book/status bookkeeping). */
  onMessage?: (m: PublicMessage, receivedAt: number) => void;
  /** A book after a snapshot or an update whose checksum matched. */
  onBook?: (book: OrderBook) => void;
  onStatus?: (status: SystemStatus) => void;
  onChecksumMismatch?: (symbol: string, expected: number, got: number) => void;
  onStale?: (silentMs: number) => void;
  onConnect?: (attempt: number) => void;
  onDisconnect?: (reason: string) => void;
  /** Messages that could not be parsed and failed subscriptions: reported, never thrown into the socket loop. */
  onError?: (e: Error) => void;
}

export interface ClientOptions {
  url?: string;
  subscriptions: Subscription[];
  handlers?: ClientHandlers;
  /** Reconnect backoff: first delay, cap, factor (default 250 ms, 30 s, ×2). */
  backoff?: { initialMs?: number; maxMs?: number; factor?: number };
  /** Silence after which the feed is called stale and the socket replaced (default 10 s; 0 = off). */
  staleAfterMs?: number;
  /** Application-level ping period (default 20 s; 0 = off). */
  pingEveryMs?: number;
}

const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export class KrakenWsClient {
  readonly url: string;
  readonly books = new Map<string, OrderBook>();
  /** Price/qty decimals per symbol, from the instrument channel. */
  readonly precision = new Map<string, { price: number; qty: number; qtyMin: number }>();
  status: SystemStatus | 'unknown' = 'unknown';
  /** Counters a status line and the tests read. */
  readonly stats = { connects: 0, messages: 0, checksumOk: 0, checksumMismatches: 0, stale: 0, badMessages: 0 };
  lastMessageAt = 0;
  private ws: WebSocket | null = null;
  private readonly subs: Subscription[];
  private readonly h: ClientHandlers;
  private readonly backoff: { initialMs: number; maxMs: number; factor: number };
  private readonly staleAfterMs: number;
  private readonly pingEveryMs: number;
  private delay: number;
  private reqId = 1;
  private stopped = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private pinger: NodeJS.Timeout | null = null;
  /** Books waiting for a fresh snapshot after a mismatch: their updates are ignored. */
  private readonly resyncing = new Set<string>();

  constructor(opts: ClientOptions) {
    this.url = opts.url ?? KRAKEN_PUBLIC_URL;
    if (!/^wss?:\/\//.test(this.url))
      throw new LiveError('bad_message', `--ws-url '${this.url}' must start with ws:// or wss://`);
    for (const s of opts.subscriptions) {
      if (s.channel === 'ohlc' && !(OHLC_INTERVALS as readonly number[]).includes(s.interval))
        throw new LiveError(
          'bad_message',
          `ohlc interval ${s.interval} is not one Kraken serves (${OHLC_INTERVALS.join(', ')} minutes)`,
        );
      if (s.channel !== 'instrument' && s.symbols.length === 0)
        throw new LiveError('bad_message', `subscription to ${s.channel} names no symbol`);
    }
    this.subs = opts.subscriptions;
    this.h = opts.handlers ?? {};
    this.backoff = { initialMs: 250, maxMs: 30_000, factor: 2, ...opts.backoff };
    this.delay = this.backoff.initialMs;
    this.staleAfterMs = opts.staleAfterMs ?? 10_000;
    this.pingEveryMs = opts.pingEveryMs ?? 20_000;
  }

  /** Connects; resolves on the first open socket (later drops reconnect by themselves until stop()). */
  start(): Promise<void> {
    this.stopped = false;
    return new Promise((resolve) => {
      const onFirst = this.h.onConnect;
      this.h.onConnect = (n) => {
        this.h.onConnect = onFirst;
        onFirst?.(n);
        resolve();
      };
      this.connect();
    });
  }

  /** Closes the socket and every timer; no reconnect. */
  stop(): void {
    this.stopped = true;
    for (const t of [this.reconnectTimer, this.watchdog, this.pinger]) if (t) clearTimeout(t);
    this.reconnectTimer = this.watchdog = this.pinger = null;
    if (this.ws) discardSocket(this.ws, 'terminate');
    this.ws = null;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Sends a JSON request on the open socket (false when not connected). */
  send(payload: Record<string, unknown>): boolean {
    if (!this.connected) return false;
    this.ws!.send(JSON.stringify(payload));
    return true;
  }

  nextReqId(): number {
    return this.reqId++;
  }

  /** Drops the socket as a network fault would (tests and the watchdog); the client reconnects. */
  dropConnection(reason = 'dropped'): void {
    const ws = this.ws;
    if (ws === null) return;
    this.ws = null;
    discardSocket(ws, 'terminate');
    this.onClosed(reason);
  }

  private connect(): void {
    if (this.stopped) return;
    this.attempt++;
    const ws = new WebSocket(this.url, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on('open', () => {
      this.stats.connects++;
      this.lastMessageAt = Date.now();
      this.books.clear();
      this.resyncing.clear();
      for (const s of this.subs) this.subscribe(s);
      this.armWatchdog();
      this.armPinger();
      this.h.onConnect?.(this.attempt);
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return;
      this.onFrame(data.toString(), Date.now());
    });
    ws.on('error', (e) => this.h.onError?.(new LiveError('connection_lost', `WebSocket ${this.url}: ${e.message}`)));
    ws.on('close', (code) => {
      if (this.ws === ws) {
        this.ws = null;
        this.onClosed(`closed (${code})`);
      }
    });
  }

  private onClosed(reason: string): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.pinger) clearTimeout(this.pinger);
    this.watchdog = this.pinger = null;
    this.h.onDisconnect?.(reason);
    if (this.stopped) return;
    const d = this.delay;
    this.delay = Math.min(this.backoff.maxMs, this.delay * this.backoff.factor);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, d);
  }

  private subscribe(s: Subscription): void {
    const params: Record<string, unknown> = { channel: s.channel };
    if (s.channel !== 'instrument') params.symbol = s.symbols;
    if (s.channel === 'ohlc') params.interval = s.interval;
    if (s.channel === 'book') params.depth = s.depth ?? 10;
    if (s.channel !== 'ticker' && s.channel !== 'trade') params.snapshot = true;
    this.ws?.send(subscribeRequest(params, this.reqId++));
  }

  /** Resubscribes one symbol's book (after a checksum mismatch): unsubscribe, then subscribe for a new snapshot. */
  private resubscribeBook(symbol: string): void {
    const sub = this.subs.find((s) => s.channel === 'book' && s.symbols.includes(symbol));
    const depth = sub?.channel === 'book' ? (sub.depth ?? 10) : 10;
    this.send({ method: 'unsubscribe', params: { channel: 'book', symbol: [symbol], depth }, req_id: this.reqId++ });
    this.send({
      method: 'subscribe',
      params: { channel: 'book', symbol: [symbol], depth, snapshot: true },
      req_id: this.reqId++,
    });
  }

  private armWatchdog(): void {
    if (this.staleAfterMs <= 0) return;
    const check = (): void => {
      const silent = Date.now() - this.lastMessageAt;
      if (silent >= this.staleAfterMs) {
        this.stats.stale++;
        this.h.onStale?.(silent);
        this.dropConnection(`stale: no message for ${silent} ms`);
        return;
      }
      this.watchdog = setTimeout(check, Math.max(10, this.staleAfterMs - silent));
    };
    this.watchdog = setTimeout(check, this.staleAfterMs);
  }

  private armPinger(): void {
    if (this.pingEveryMs <= 0) return;
    this.pinger = setTimeout(() => {
      this.send({ method: 'ping', req_id: this.reqId++ });
      this.armPinger();
    }, this.pingEveryMs);
  }

  /** One text frame: parse, keep books and status, hand on. Exposed for the latency benchmark. */
  onFrame(raw: string, receivedAt: number): PublicMessage | null {
    this.lastMessageAt = receivedAt;
    this.stats.messages++;
    let m: PublicMessage;
    try {
      m = parseMessage(raw);
    } catch (e) {
      this.stats.badMessages++;
      this.h.onError?.(e as Error);
      return null;
    }
    // A message arriving means the link works: the next drop starts the backoff over.
    this.delay = this.backoff.initialMs;
    switch (m.kind) {
      case 'status':
        this.status = m.system;
        this.h.onStatus?.(m.system);
        break;
      case 'instrument':
        for (const p of m.pairs)
          this.precision.set(p.symbol, { price: p.pricePrecision, qty: p.qtyPrecision, qtyMin: p.qtyMin });
        break;
      case 'book':
        for (const b of m.books) this.applyBook(b.symbol, m.snapshot, b.bids, b.asks, b.checksum);
        break;
      case 'response':
        if (!m.response.success && m.response.method === 'subscribe')
          this.h.onError?.(
            new LiveError('exchange_error', `subscribe refused: ${m.response.error ?? 'no reason given'}`),
          );
        break;
      default:
    }
    this.h.onMessage?.(m, receivedAt);
    return m;
  }

  private applyBook(symbol: string, snapshot: boolean, bids: BookLevel[], asks: BookLevel[], expected: number): void {
    const p = this.precision.get(symbol);
    const fix = (l: BookLevel): BookLevel =>
      p === undefined
        ? l
        : { ...l, priceText: textAtPrecision(l.priceText, p.price), qtyText: textAtPrecision(l.qtyText, p.qty) };
    let book = this.books.get(symbol);
    if (snapshot) {
      const sub = this.subs.find((s) => s.channel === 'book' && s.symbols.includes(symbol));
      book = new OrderBook(symbol, sub?.channel === 'book' ? (sub.depth ?? 10) : 10);
      book.snapshot(bids.map(fix), asks.map(fix));
      this.books.set(symbol, book);
      this.resyncing.delete(symbol);
    } else {
      if (book === undefined || this.resyncing.has(symbol)) return;
      book.update(bids.map(fix), asks.map(fix));
    }
    const got = book.checksum();
    book.lastChecksum = expected;
    if (got !== expected) {
      this.stats.checksumMismatches++;
      this.books.delete(symbol);
      this.resyncing.add(symbol);
      this.h.onChecksumMismatch?.(symbol, expected, got);
      this.resubscribeBook(symbol);
      return;
    }
    this.stats.checksumOk++;
    this.h.onBook?.(book);
  }
}
