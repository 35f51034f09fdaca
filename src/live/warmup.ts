// Warm-up history for the live loop, so that features (and baselines' indicators) are valid from the first live bar:
// the bundled data, a CSV file, PostgreSQL (through replay's reader), or Kraken's REST OHLC endpoint. Every source goes
// through replay's gap policy ('fill') and ends with the last *closed* bar before `until`.
import { InvalidArgumentError } from '../core/errors.ts';
import { fillGaps } from '../../replay/gaps.ts';
import { loadBundled, loadCsv, loadFromDb, withClient } from '../../replay/index.ts';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { normalizeSymbol } from '../../replay/symbol.ts';
import { timeframeMs, timeframeName } from '../../replay/timeframe.ts';
import { LiveError } from './errors.ts';

/** The subset of fetch the REST calls use (tests inject their own). */
export type HttpFetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export interface WarmupOptions {
  /** 'bundled', 'kraken' (REST OHLC), a postgres:// URL, or a CSV path. */
  source: string;
  symbol: string;
  timeframe: string;
  /** Keep bars opening before this time (ms); default: now (the bar still open is dropped). */
  until?: number;
  /** Keep at most this many most recent bars (default: all). */
  maxBars?: number;
  fetch?: HttpFetch;
  restUrl?: string;
  now?: number;
}

export const KRAKEN_REST_URL = 'https://api.kraken.com';

export async function loadWarmup(o: WarmupOptions): Promise<MarketFrame> {
  const symbol = normalizeSymbol(o.symbol);
  const tf = timeframeName(timeframeMs(o.timeframe));
  const until = o.until ?? (o.now ?? Date.now()) - timeframeMs(tf) + 1;
  let frame: MarketFrame;
  if (o.source === 'bundled') frame = loadBundled({ symbol, timeframe: tf, to: until });
  else if (o.source === 'kraken') frame = await krakenRestOhlc({ ...o, symbol, timeframe: tf, until });
  else if (/^postgres(ql)?:\/\//i.test(o.source))
    frame = await withClient(o.source, (c) => loadFromDb(c, o.source, { symbol, timeframe: tf, to: until }));
  else frame = loadCsv(o.source, { symbol, timeframe: tf, to: until });
  return tail(frame, o.maxBars);
}

function tail(f: MarketFrame, n: number | undefined): MarketFrame {
  if (n === undefined || f.length <= n) return f;
  const k = f.length - n;
  return {
    ...f,
    length: n,
    time: f.time.subarray(k),
    open: f.open.subarray(k),
    high: f.high.subarray(k),
    low: f.low.subarray(k),
    close: f.close.subarray(k),
    volume: f.volume.subarray(k),
    ...(f.trades ? { trades: f.trades.subarray(k) } : {}),
    ...(f.vwap ? { vwap: f.vwap.subarray(k) } : {}),
    ...(f.filled ? { filled: f.filled.subarray(k) } : {}),
  };
}

/** Kraken REST pair name of a v2 symbol: BTC/USD → XBTUSD. */
export function restPair(symbol: string): string {
  const [b, q] = normalizeSymbol(symbol).split('/') as [string, string];
  return `${b === 'BTC' ? 'XBT' : b}${q}`;
}

/**
 * GET /0/public/OHLC?pair=…&interval=… (at most the 720 most recent candles). Rows: [time s, "open", "high", "low",
 * "close", "vwap", "volume", count]. The last row is the interval still open and is dropped with everything ≥ until.
 */
export async function krakenRestOhlc(o: WarmupOptions & { until: number }): Promise<MarketFrame> {
  const fetchFn = o.fetch ?? (globalThis.fetch as unknown as HttpFetch);
  const tfMs = timeframeMs(o.timeframe);
  const url = `${o.restUrl ?? KRAKEN_REST_URL}/0/public/OHLC?pair=${restPair(o.symbol)}&interval=${tfMs / 60_000}`;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 15_000);
  let text: string;
  try {
    const r = await fetchFn(url, { signal: ctl.signal });
    if (!r.ok) throw new LiveError('exchange_error', `Kraken REST OHLC answered HTTP ${r.status} for ${o.symbol}`);
    text = await r.text();
  } catch (e) {
    if (e instanceof LiveError) throw e;
    throw new LiveError('connection_lost', `Kraken REST OHLC for ${o.symbol} failed: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  let body: { error?: unknown; result?: Record<string, unknown> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new LiveError('bad_message', `Kraken REST OHLC for ${o.symbol}: the answer is not JSON`);
  }
  if (Array.isArray(body.error) && body.error.length > 0)
    throw new LiveError(
      'exchange_error',
      `Kraken REST OHLC for ${o.symbol}: ${body.error.map(String).join('; ').slice(0, 200)}`,
    );
  const key = Object.keys(body.result ?? {}).find((k) => k !== 'last');
  const rows = key === undefined ? null : (body.result![key] as unknown);
  if (!Array.isArray(rows))
    throw new LiveError('bad_message', `Kraken REST OHLC for ${o.symbol}: no candle array in the result`);
  const time: number[] = [];
  const cols: number[][] = [[], [], [], [], [], [], []];
  for (const [i, r] of rows.entries()) {
    if (!Array.isArray(r) || r.length < 8)
      throw new LiveError(
        'bad_message',
        `Kraken REST OHLC row ${i} is not [time, open, high, low, close, vwap, volume, count]`,
      );
    const t = Number(r[0]) * 1000;
    const v = [1, 2, 3, 4, 6, 7, 5].map((j) => Number(r[j]));
    if (!Number.isFinite(t) || v.some((x) => !Number.isFinite(x)) || !(v[2]! <= v[1]!) || !(v[0]! > 0))
      throw new LiveError('bad_message', `Kraken REST OHLC row ${i} has a bad value`);
    if (t >= o.until) continue;
    if (time.length > 0 && !(t > time[time.length - 1]!))
      throw new LiveError('bad_message', `Kraken REST OHLC rows are not in ascending time at row ${i}`);
    time.push(t);
    v.forEach((x, j) => cols[j]!.push(x));
  }
  if (time.length === 0)
    throw new InvalidArgumentError(
      `Kraken REST OHLC gave no closed ${o.timeframe} bar of ${o.symbol} before ${new Date(o.until).toISOString()}`,
    );
  const f64 = (a: number[]): Float64Array => Float64Array.from(a);
  const { cols: filledCols, filled } = fillGaps(
    {
      length: time.length,
      time: f64(time),
      open: f64(cols[0]!),
      high: f64(cols[1]!),
      low: f64(cols[2]!),
      close: f64(cols[3]!),
      volume: f64(cols[4]!),
      trades: f64(cols[5]!),
      vwap: f64(cols[6]!),
    },
    tfMs,
    o.until - 1,
  );
  return {
    symbol: normalizeSymbol(o.symbol),
    timeframe: o.timeframe,
    timeframeMs: tfMs,
    ...filledCols,
    filled,
  } as MarketFrame;
}
