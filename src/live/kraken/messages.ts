// Kraken WebSocket v2 messages (docs.kraken.com, spot-websocket-v2): JSON objects; symbols like "BTC/USD"; RFC 3339
// timestamps; prices and quantities as JSON numbers. Book levels keep their wire text (see book.ts). Every parse checks
// the fields it reads and throws LiveError('bad_message') naming the field: a malformed message is never half-applied.
import { LiveError } from '../errors.ts';
import type { BookLevel } from './book.ts';

export const OHLC_INTERVALS = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600] as const;
export type SystemStatus = 'online' | 'cancel_only' | 'maintenance' | 'post_only';
const SYSTEM_STATUSES: readonly string[] = ['online', 'cancel_only', 'maintenance', 'post_only'];

export interface OhlcCandle {
  symbol: string;
  /** Minutes. */
  interval: number;
  /** Bar open time, ms. */
  intervalBegin: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number;
  trades: number;
}

export interface PublicTrade {
  symbol: string;
  side: 'buy' | 'sell';
  price: number;
  qty: number;
  ordType: string;
  tradeId: number;
  time: number;
}

export interface Ticker {
  symbol: string;
  bid: number;
  ask: number;
  last: number;
  volume: number;
}

export interface InstrumentPair {
  symbol: string;
  pricePrecision: number;
  qtyPrecision: number;
  qtyMin: number;
  status: string;
}

export interface BookMessage {
  symbol: string;
  bids: BookLevel[];
  asks: BookLevel[];
  checksum: number;
}

/** A method's answer (subscribe, add_order, cancel_order, cancel_all_orders_after, pong). */
export interface MethodResponse {
  method: string;
  reqId: number | null;
  success: boolean;
  error: string | null;
  result: Record<string, unknown> | null;
}

export type PublicMessage =
  | { kind: 'heartbeat' }
  | { kind: 'status'; system: SystemStatus; connectionId: number | null; version: string | null }
  | { kind: 'ohlc'; snapshot: boolean; candles: OhlcCandle[] }
  | { kind: 'trade'; snapshot: boolean; trades: PublicTrade[] }
  | { kind: 'ticker'; tickers: Ticker[] }
  | { kind: 'book'; snapshot: boolean; books: BookMessage[] }
  | { kind: 'instrument'; pairs: InstrumentPair[] }
  | { kind: 'executions'; snapshot: boolean; reports: ExecutionReport[]; sequence: number | null }
  | { kind: 'response'; response: MethodResponse };

/** One item of the private `executions` channel (the fields this client reads). */
export interface ExecutionReport {
  execType: string;
  orderId: string;
  clOrdId: string | null;
  symbol: string | null;
  side: 'buy' | 'sell' | null;
  orderStatus: string | null;
  orderQty: number | null;
  cumQty: number | null;
  /** Fill of a `trade` event. */
  execId: string | null;
  lastQty: number | null;
  lastPrice: number | null;
  feeUsd: number | null;
  reason: string | null;
  time: number;
}

const ORDER_STATUS_OPEN = new Set(['pending_new', 'new', 'partially_filled']);
/** Whether an execution report's order status leaves the order working at the exchange. */
export function isOpenStatus(status: string | null): boolean {
  return status !== null && ORDER_STATUS_OPEN.has(status);
}

function bad(what: string): never {
  throw new LiveError('bad_message', `Kraken message: ${what}`);
}
function obj(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(`${what} is not an object`);
  return v as Record<string, unknown>;
}
function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) bad(`${what} is not an array`);
  return v;
}
function str(o: Record<string, unknown>, k: string, what: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length === 0) bad(`${what}.${k} is not a non-empty string`);
  return v;
}
function num(o: Record<string, unknown>, k: string, what: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${what}.${k} is not a finite number`);
  return v;
}
function optNum(o: Record<string, unknown>, k: string, what: string): number | null {
  return o[k] === undefined || o[k] === null ? null : num(o, k, what);
}
function optStr(o: Record<string, unknown>, k: string): string | null {
  const v = o[k];
  return typeof v === 'string' ? v : null;
}
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
function time(o: Record<string, unknown>, k: string, what: string): number {
  const v = o[k];
  if (typeof v !== 'string' || !RFC3339.test(v)) bad(`${what}.${k} is not an RFC 3339 UTC time`);
  const t = Date.parse(v);
  if (!Number.isFinite(t)) bad(`${what}.${k} is not a valid time`);
  return t;
}

/** Book price/qty numbers quoted, so that JSON.parse keeps their wire text (e.g. 0.10000000). */
const LEVEL_NUMBER = /"(price|qty)":\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** Parses one text frame from Kraken's v2 socket. */
export function parseMessage(raw: string): PublicMessage {
  if (raw.length > 4 * 1024 * 1024) bad(`frame of ${raw.length} bytes is larger than 4 MiB`);
  const isBook = raw.includes('"channel":"book"') || raw.includes('"channel": "book"');
  let v: unknown;
  try {
    v = JSON.parse(isBook ? raw.replace(LEVEL_NUMBER, '"$1":"$2"') : raw);
  } catch {
    bad(`not JSON (${raw.length} bytes, starts ${JSON.stringify(raw.slice(0, 40))})`);
  }
  const m = obj(v, 'message');
  if (typeof m.method === 'string') return { kind: 'response', response: parseResponse(m) };
  const channel = str(m, 'channel', 'message');
  const type = m.type;
  const snapshot = type === 'snapshot';
  if (channel === 'heartbeat') return { kind: 'heartbeat' };
  if (channel === 'instrument') {
    // The one channel whose data is an object: {assets: [...], pairs: [...]}.
    const d = obj(m.data, 'instrument.data');
    return { kind: 'instrument', pairs: arr(d.pairs ?? [], 'instrument.data.pairs').map((x, i) => parsePair(x, i)) };
  }
  const data = arr(m.data, `${channel}.data`);
  // Each entry of data as an object, parsed with its path (e.g. 'trade.data[3]') for the error messages.
  const each = <T>(parse: (d: Record<string, unknown>, w: string) => T): T[] =>
    data.map((x, i) => {
      const w = `${channel}.data[${i}]`;
      return parse(obj(x, w), w);
    });
  switch (channel) {
    case 'status': {
      const d = obj(data[0], 'status.data[0]');
      const system = str(d, 'system', 'status.data[0]');
      if (!SYSTEM_STATUSES.includes(system))
        bad(`status.data[0].system '${system}' is not one of ${SYSTEM_STATUSES.join(', ')}`);
      return {
        kind: 'status',
        system: system as SystemStatus,
        connectionId: optNum(d, 'connection_id', 'status.data[0]'),
        version: optStr(d, 'version'),
      };
    }
    case 'ohlc':
      return { kind: 'ohlc', snapshot, candles: each(parseCandle) };
    case 'trade':
      return { kind: 'trade', snapshot, trades: each(parseTrade) };
    case 'ticker':
      return {
        kind: 'ticker',
        tickers: each((d, w) => ({
          symbol: str(d, 'symbol', w),
          bid: num(d, 'bid', w),
          ask: num(d, 'ask', w),
          last: num(d, 'last', w),
          volume: num(d, 'volume', w),
        })),
      };
    case 'book':
      return { kind: 'book', snapshot, books: each(parseBook) };
    case 'executions':
      return {
        kind: 'executions',
        snapshot,
        reports: each(parseExecution),
        sequence: typeof m.sequence === 'number' ? m.sequence : null,
      };
    default:
      bad(`unknown channel '${channel.slice(0, 40)}'`);
  }
}

function parseResponse(m: Record<string, unknown>): MethodResponse {
  return {
    method: String(m.method),
    reqId: typeof m.req_id === 'number' ? m.req_id : null,
    success: m.method === 'pong' ? true : m.success === true,
    error: typeof m.error === 'string' ? m.error : null,
    result:
      m.result !== null && typeof m.result === 'object' && !Array.isArray(m.result)
        ? (m.result as Record<string, unknown>)
        : null,
  };
}

function parseCandle(d: Record<string, unknown>, w: string): OhlcCandle {
  const c: OhlcCandle = {
    symbol: str(d, 'symbol', w),
    interval: num(d, 'interval', w),
    intervalBegin: time(d, 'interval_begin', w),
    open: num(d, 'open', w),
    high: num(d, 'high', w),
    low: num(d, 'low', w),
    close: num(d, 'close', w),
    volume: num(d, 'volume', w),
    vwap: optNum(d, 'vwap', w) ?? Number.NaN,
    trades: optNum(d, 'trades', w) ?? Number.NaN,
  };
  if (!(c.open > 0 && c.high > 0 && c.low > 0 && c.close > 0) || c.high < c.low || c.volume < 0)
    bad(
      `${w} is not a valid candle (open ${c.open}, high ${c.high}, low ${c.low}, close ${c.close}, volume ${c.volume})`,
    );
  return c;
}

function parseTrade(d: Record<string, unknown>, w: string): PublicTrade {
  const side = str(d, 'side', w);
  if (side !== 'buy' && side !== 'sell') bad(`${w}.side '${side}' is neither buy nor sell`);
  return {
    symbol: str(d, 'symbol', w),
    side,
    price: num(d, 'price', w),
    qty: num(d, 'qty', w),
    ordType: optStr(d, 'ord_type') ?? 'unknown',
    tradeId: num(d, 'trade_id', w),
    time: time(d, 'timestamp', w),
  };
}

function parseLevels(v: unknown, w: string): BookLevel[] {
  return arr(v ?? [], w).map((x, i) => {
    const l = obj(x, `${w}[${i}]`);
    const pt = l.price;
    const qt = l.qty;
    if (typeof pt !== 'string' || typeof qt !== 'string') bad(`${w}[${i}] needs numeric price and qty`);
    const price = Number(pt);
    const qty = Number(qt);
    if (!(price > 0) || !(qty >= 0) || !Number.isFinite(price) || !Number.isFinite(qty))
      bad(`${w}[${i}] has price ${pt} qty ${qt}`);
    return { price, qty, priceText: pt, qtyText: qt };
  });
}

function parseBook(d: Record<string, unknown>, w: string): BookMessage {
  const checksum = num(d, 'checksum', w);
  if (!Number.isInteger(checksum) || checksum < 0 || checksum > 0xffffffff)
    bad(`${w}.checksum ${checksum} is not a uint32`);
  return {
    symbol: str(d, 'symbol', w),
    bids: parseLevels(d.bids, `${w}.bids`),
    asks: parseLevels(d.asks, `${w}.asks`),
    checksum,
  };
}

function parsePair(x: unknown, i: number): InstrumentPair {
  const w = `instrument.data.pairs[${i}]`;
  const d = obj(x, w);
  const pp = num(d, 'price_precision', w);
  const qp = num(d, 'qty_precision', w);
  if (!Number.isInteger(pp) || !Number.isInteger(qp) || pp < 0 || qp < 0 || pp > 20 || qp > 20)
    bad(`${w} precisions ${pp}/${qp} are not integers in 0..20`);
  return {
    symbol: str(d, 'symbol', w),
    pricePrecision: pp,
    qtyPrecision: qp,
    qtyMin: optNum(d, 'qty_min', w) ?? 0,
    status: optStr(d, 'status') ?? 'unknown',
  };
}

function parseExecution(d: Record<string, unknown>, w: string): ExecutionReport {
  const side = optStr(d, 'side');
  let feeUsd: number | null = null;
  if (Array.isArray(d.fees)) {
    feeUsd = 0;
    for (const f of d.fees)
      if (f && typeof f === 'object' && typeof (f as { qty?: unknown }).qty === 'number')
        feeUsd += (f as { qty: number }).qty;
  }
  return {
    execType: str(d, 'exec_type', w),
    orderId: str(d, 'order_id', w),
    clOrdId: optStr(d, 'cl_ord_id'),
    symbol: optStr(d, 'symbol'),
    side: side === 'buy' || side === 'sell' ? side : null,
    orderStatus: optStr(d, 'order_status'),
    orderQty: optNum(d, 'order_qty', w),
    cumQty: optNum(d, 'cum_qty', w),
    execId: optStr(d, 'exec_id'),
    lastQty: optNum(d, 'last_qty', w),
    lastPrice: optNum(d, 'last_price', w),
    feeUsd,
    reason: optStr(d, 'reason'),
    time: time(d, 'timestamp', w),
  };
}

/** A subscribe request (`req_id` ties the ack to it). */
export function subscribeRequest(params: Record<string, unknown>, reqId: number): string {
  return JSON.stringify({ method: 'subscribe', params, req_id: reqId });
}
