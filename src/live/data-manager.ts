// The live market state of every symbol: closed candles per timeframe (from Kraken's ohlc channel through a
// BarAssembler each), the level-2 book (kept checksum-verified by the client), and recent public trades. History from a
// warm-up source goes in first, so that features are valid from the first live bar; closed bars can be written to
// PostgreSQL as they close (the same table and key as `tg4 data ingest`, so live data becomes training data).
import { InvalidArgumentError } from '../core/errors.ts';
import { normalizeSymbol } from '../../replay/symbol.ts';
import { timeframeMs, timeframeName } from '../../replay/timeframe.ts';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { BarAssembler } from './bar-assembler.ts';
import { CandleSeries, type ClosedBar } from './candle-series.ts';
import type { OrderBook } from './kraken/book.ts';
import type { PublicMessage, PublicTrade, Ticker } from './kraken/messages.ts';
import type { Subscription } from './kraken/ws-client.ts';

export interface DataManagerOptions {
  symbols: readonly string[];
  /** Timeframes kept per symbol; the first is the decision timeframe. Each must be a Kraken ohlc interval. */
  timeframes: readonly string[];
  /** Book depth to subscribe (0 = no book). Default 10. */
  bookDepth?: number;
  /** Public trades kept per symbol (a ring). Default 1000; 0 = no trade subscription. */
  keepTrades?: number;
  /** Grace after an interval's end before the timer closes it (default 2000 ms). */
  graceMs?: number;
  /** Called for each closed bar, after it is stored, in time order per symbol and timeframe. */
  onBar?: (bar: ClosedBar) => void;
}

export class DataManager {
  readonly symbols: readonly string[];
  readonly timeframes: readonly string[];
  readonly bookDepth: number;
  readonly keepTrades: number;
  private readonly series = new Map<string, CandleSeries>();
  private readonly assemblers = new Map<string, BarAssembler>();
  private readonly byInterval = new Map<string, BarAssembler>();
  readonly books = new Map<string, OrderBook>();
  /** Last ticker per symbol (best bid/ask, last price). */
  readonly tickers = new Map<string, Ticker>();
  private readonly tradeRings = new Map<string, PublicTrade[]>();
  private readonly listeners: ((b: ClosedBar) => void)[] = [];
  /** Time of the last closed-bar message handled (for the status line's feed latency). */
  lastBarAt = 0;

  constructor(o: DataManagerOptions) {
    if (o.symbols.length === 0) throw new InvalidArgumentError('DataManager: give at least one symbol, e.g. BTC/USD');
    if (o.timeframes.length === 0) throw new InvalidArgumentError('DataManager: give at least one timeframe, e.g. 1m');
    this.symbols = o.symbols.map((s) => normalizeSymbol(s));
    this.timeframes = o.timeframes.map((t) => timeframeName(timeframeMs(t)));
    this.bookDepth = o.bookDepth ?? 10;
    this.keepTrades = o.keepTrades ?? 1000;
    if (o.onBar) this.listeners.push(o.onBar);
    for (const s of this.symbols) {
      this.tradeRings.set(s, []);
      for (const tf of this.timeframes) {
        const ms = timeframeMs(tf);
        const minutes = ms / 60_000;
        if (!Number.isInteger(minutes) || ![1, 5, 15, 30, 60, 240, 1440, 10080, 21600].includes(minutes))
          throw new InvalidArgumentError(
            `timeframe ${tf}: Kraken's ohlc channel serves 1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w and 15d bars`,
          );
        const key = `${s}|${tf}`;
        const series = new CandleSeries(s, tf);
        this.series.set(key, series);
        const a = new BarAssembler(s, tf, ms, (b) => this.closed(series, b), o.graceMs ?? 2000);
        this.assemblers.set(key, a);
        this.byInterval.set(`${s}|${minutes}`, a);
      }
    }
  }

  /** Adds a listener for closed bars (all symbols and timeframes). */
  onBar(l: (b: ClosedBar) => void): void {
    this.listeners.push(l);
  }

  /** The Kraken subscriptions this manager needs. */
  subscriptions(): Subscription[] {
    const symbols = [...this.symbols];
    const subs: Subscription[] = [{ channel: 'instrument' }];
    for (const tf of this.timeframes) subs.push({ channel: 'ohlc', symbols, interval: timeframeMs(tf) / 60_000 });
    if (this.bookDepth > 0) subs.push({ channel: 'book', symbols, depth: this.bookDepth });
    if (this.keepTrades > 0) subs.push({ channel: 'trade', symbols });
    subs.push({ channel: 'ticker', symbols });
    return subs;
  }

  candles(symbol: string, timeframe: string): CandleSeries {
    const s = this.series.get(`${normalizeSymbol(symbol)}|${timeframeName(timeframeMs(timeframe))}`);
    if (s === undefined)
      throw new InvalidArgumentError(
        `no candles for ${symbol} ${timeframe}: this manager keeps ${this.symbols.join(', ')} × ${this.timeframes.join(', ')}`,
      );
    return s;
  }

  assembler(symbol: string, timeframe: string): BarAssembler {
    return this.assemblers.get(`${normalizeSymbol(symbol)}|${timeframeName(timeframeMs(timeframe))}`)!;
  }

  recentTrades(symbol: string): readonly PublicTrade[] {
    return this.tradeRings.get(normalizeSymbol(symbol)) ?? [];
  }

  /**
   * Warm-up history: the frame's bars become the series' first bars (they must be closed bars, in time order, and end
   * before any live bar). Listeners are not called: warm-up is not trading. Returns the bars added.
   */
  warmUp(frame: MarketFrame): number {
    const sym = normalizeSymbol(frame.symbol);
    const tf = timeframeName(frame.timeframeMs);
    const series = this.series.get(`${sym}|${tf}`);
    if (series === undefined)
      throw new InvalidArgumentError(`warm-up data for ${sym} ${tf} is not one of the series this loop keeps`);
    if (series.length > 0) throw new InvalidArgumentError(`warm-up for ${sym} ${tf} was already given`);
    if (frame.length === 0) return 0;
    series.pushFrame(frame);
    this.assemblers.get(`${sym}|${tf}`)!.seed(series.lastTime, series.lastClose);
    return frame.length;
  }

  /** Feeds one parsed Kraken message. */
  handle(m: PublicMessage, receivedAt: number): void {
    if (m.kind === 'ohlc') {
      for (const c of m.candles) {
        const a = this.byInterval.get(`${c.symbol}|${c.interval}`);
        if (a === undefined) continue;
        this.lastBarAt = receivedAt;
        a.onCandle(c);
      }
    } else if (m.kind === 'ticker') {
      for (const t of m.tickers) if (this.tradeRings.has(t.symbol)) this.tickers.set(t.symbol, t);
    } else if (m.kind === 'trade') {
      for (const t of m.trades) {
        const ring = this.tradeRings.get(t.symbol);
        if (ring === undefined) continue;
        ring.push(t);
        if (ring.length > this.keepTrades) ring.splice(0, ring.length - this.keepTrades);
      }
    }
  }

  /** The client's verified book (called by the client's onBook). */
  setBook(book: OrderBook): void {
    this.books.set(book.symbol, book);
  }

  /** Timer tick: closes bars whose interval has passed with no later update. */
  tick(now: number): void {
    for (const a of this.assemblers.values()) a.onTimer(now);
  }

  private closed(series: CandleSeries, b: ClosedBar): void {
    series.push(b);
    for (const l of this.listeners) l(b);
  }
}
