// JSONL event logs → candles and trades. One JSON object per line; accepted shapes (anything else is counted as ignored,
// a line that is not JSON or has bad numbers is a bad row):
//  1. TG4 events: {"type":"bar"|"candle", "symbol", "timeframe", "time", "open","high","low","close","volume", "trades"?, "vwap"?}
//     and {"type":"trade", "symbol", "time", "price", "volume"|"qty", "side"?, "trade_id"?}. `time` (or `ts`/`t`) is epoch
//     ms or ISO-8601; for a bar it is the bar's open time.
//  2. Raw Kraken WebSocket v2 messages: {"channel":"ohlc","type":"snapshot"|"update","data":[{symbol, interval (minutes),
//     interval_begin, open, high, low, close, volume, vwap, trades}]} and {"channel":"trade","data":[{symbol, side, price,
//     qty, trade_id, timestamp}]}.
//  3. Either of the above wrapped in an envelope under "message", "msg", "data" or "event" (e.g. {"ts":…, "message":{…}}).
//  4. Order-book snapshots: Kraken {"channel":"book","type":"snapshot","data":[{symbol, bids:[{price, qty}], asks:[…],
//     timestamp?}]} and TG4 {"type":"book", symbol, time, bids:[[price, qty]…] or [{price, qty}…], asks}; the time comes from
//     the snapshot, else from its envelope (ts/time). Book *updates* are ignored: storing them needs the book state.
// Kraken sends several updates for one ohlc interval while it is open: the last one in the log wins (see ingest).
import type { CandleRow } from './columns.ts';
import { emptyRow } from './columns.ts';
import { checkCandle, decimal, parseTimeMs } from './csv/candle-parser.ts';
import { checkTrade, parseSide, parseTimeUs, type TradeRow } from './csv/trade-parser.ts';
import { normalizeSymbol } from './symbol.ts';
import { timeframeName } from './timeframe.ts';

export interface JsonlCandle {
  symbol: string;
  timeframe: string;
  row: CandleRow;
}
export interface JsonlTrade {
  symbol: string;
  row: TradeRow;
}

/** One price level of a book snapshot: side 'b' (bid) or 'a' (ask), level 0 = best. */
export interface JsonlBookLevel {
  symbol: string;
  timeUs: number;
  side: 'b' | 'a';
  level: number;
  price: number;
  volume: number;
}

export interface JsonlParsed {
  candles: JsonlCandle[];
  trades: JsonlTrade[];
  book: JsonlBookLevel[];
  /** Non-null when the line is bad. */
  error: string | null;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

function n(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string') return decimal(x.trim()); // no hex, no blanks
  return NaN;
}
function timeOf(o: Obj): unknown {
  return o.time ?? o.ts ?? o.t ?? o.timestamp ?? o.interval_begin;
}
function ms(x: unknown): number {
  if (typeof x === 'number') return x < 1e11 ? x * 1000 : x;
  if (typeof x === 'string') return parseTimeMs(x);
  return NaN;
}

function candleFrom(o: Obj, symbol: string | undefined, timeframe: string | undefined): JsonlCandle | string {
  const sym = typeof o.symbol === 'string' ? o.symbol : symbol;
  let tf = typeof o.timeframe === 'string' ? o.timeframe : undefined;
  if (!tf && typeof o.interval === 'number') tf = timeframeName(o.interval * 60_000);
  tf ??= timeframe;
  if (!sym) return 'candle without a symbol: pass --symbol';
  if (!tf) return 'candle without a timeframe or interval: pass --timeframe';
  const r = emptyRow();
  r.time = ms(
    typeof o.interval_begin === 'string' || typeof o.interval_begin === 'number' ? o.interval_begin : timeOf(o),
  );
  r.open = n(o.open);
  r.high = n(o.high);
  r.low = n(o.low);
  r.close = n(o.close);
  r.volume = n(o.volume);
  r.trades = o.trades === undefined || o.trades === null ? NaN : n(o.trades);
  r.vwap = o.vwap === undefined || o.vwap === null ? NaN : n(o.vwap);
  const bad = checkCandle(r);
  return bad ?? { symbol: normalizeSymbol(sym), timeframe: tf, row: r };
}

function tradeFrom(o: Obj, symbol: string | undefined): JsonlTrade | string {
  const sym = typeof o.symbol === 'string' ? o.symbol : symbol;
  if (!sym) return 'trade without a symbol: pass --symbol';
  const t = timeOf(o);
  const side = parseSide(typeof o.side === 'string' ? o.side : undefined);
  if (side === null) return `side '${String(o.side)}' is not b/s/buy/sell`;
  const r: TradeRow = {
    timeUs: typeof t === 'number' ? parseTimeUs(String(t)) : typeof t === 'string' ? parseTimeUs(t) : NaN,
    price: n(o.price),
    volume: n(o.volume ?? o.qty),
    side,
    tradeId: o.trade_id === undefined ? NaN : n(o.trade_id),
  };
  const bad = checkTrade(r);
  return bad ?? { symbol: normalizeSymbol(sym), row: r };
}

/** Appends a snapshot's levels to `out`; returns the reason when it is unusable. */
function bookFrom(o: Obj, symbol: string | undefined, envelopeTime: unknown, out: JsonlBookLevel[]): string | null {
  const sym = typeof o.symbol === 'string' ? o.symbol : symbol;
  if (!sym) return 'book snapshot without a symbol: pass --symbol';
  const t = timeOf(o) ?? envelopeTime;
  const timeUs = typeof t === 'number' ? parseTimeUs(String(t)) : typeof t === 'string' ? parseTimeUs(t) : NaN;
  if (!Number.isFinite(timeUs)) return 'book snapshot without a timestamp (in the snapshot or its envelope ts/time)';
  const s = normalizeSymbol(sym);
  for (const [key, side] of [
    ['bids', 'b'],
    ['asks', 'a'],
  ] as const) {
    const levels = o[key];
    if (!Array.isArray(levels)) return `book snapshot without ${key}`;
    for (let i = 0; i < levels.length; i++) {
      const l = levels[i] as unknown;
      const price = Array.isArray(l) ? n(l[0]) : isObj(l) ? n(l.price) : NaN;
      const volume = Array.isArray(l) ? n(l[1]) : isObj(l) ? n(l.qty ?? l.volume) : NaN;
      if (!(price > 0) || !(volume >= 0)) return `book ${key}[${i}] needs price > 0 and qty ≥ 0`;
      out.push({ symbol: s, timeUs, side, level: i, price, volume });
    }
  }
  return null;
}

/** Parses one JSONL line. Unknown event kinds give no candles, no trades and no error (counted as ignored). */
export function parseJsonlLine(line: string, symbol?: string, timeframe?: string): JsonlParsed {
  const out: JsonlParsed = { candles: [], trades: [], book: [], error: null };
  const text = line.trim();
  if (text === '') return out;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    out.error = `not JSON (${(err as Error).message})`;
    return out;
  }
  if (!isObj(v)) {
    out.error = 'not a JSON object';
    return out;
  }
  let o: Obj = v;
  let envelopeTime: unknown;
  for (let depth = 0; depth < 3; depth++) {
    if (
      typeof o.channel === 'string' ||
      o.type === 'bar' ||
      o.type === 'candle' ||
      o.type === 'trade' ||
      o.type === 'book'
    )
      break;
    const inner = [o.message, o.msg, o.data, o.event].find(isObj);
    if (!inner) break;
    envelopeTime ??= timeOf(o);
    o = inner;
  }
  const push = (r: JsonlCandle | JsonlTrade | string, list: (JsonlCandle | JsonlTrade)[]): void => {
    if (typeof r === 'string') out.error ??= r;
    else list.push(r);
  };
  if (o.channel === 'ohlc' && Array.isArray(o.data)) {
    for (const d of o.data) if (isObj(d)) push(candleFrom(d, symbol, timeframe), out.candles);
  } else if (o.channel === 'trade' && Array.isArray(o.data)) {
    for (const d of o.data) if (isObj(d)) push(tradeFrom(d, symbol), out.trades);
  } else if (o.type === 'bar' || o.type === 'candle') {
    push(candleFrom(o, symbol, timeframe), out.candles);
  } else if (o.type === 'trade') {
    push(tradeFrom(o, symbol), out.trades);
  } else if (o.channel === 'book' && o.type === 'snapshot' && Array.isArray(o.data)) {
    for (const d of o.data)
      if (isObj(d)) {
        const e = bookFrom(d, symbol, envelopeTime, out.book);
        if (e) out.error ??= e;
      }
  } else if (o.type === 'book') {
    const e = bookFrom(o, symbol, envelopeTime, out.book);
    if (e) out.error = e;
  }
  if (out.error) {
    out.candles = [];
    out.trades = [];
    out.book = [];
  }
  return out;
}
