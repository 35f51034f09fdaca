// Closed-bar detection from Kraken's ohlc channel. Kraken sends the candle of the current interval again on every trade
// and never says "closed": a bar is final when an update with a later interval_begin arrives, or, in a quiet market,
// when its interval plus a grace period has passed (the timer). Intervals with no trade at all get a flat bar at the
// previous close with zero volume, flagged `filled` — replay's gap policy 'fill', so that live bars are the bars a
// backtest over the same data sees. Updates for bars already closed (a snapshot after a reconnect, a late trade) are
// counted and ignored: a bar is emitted once, in order, with none lost.
import type { OhlcCandle } from './kraken/messages.ts';
import type { ClosedBar } from './candle-series.ts';

export interface AssemblerStats {
  /** Bars emitted (real + filled). */
  closed: number;
  filled: number;
  /** Updates for an interval already closed (snapshots after a reconnect): ignored. */
  duplicates: number;
  /** Updates for a bar after the timer had closed it: ignored (the decision already used the bar). */
  late: number;
  closedByTimer: number;
}

export class BarAssembler {
  readonly symbol: string;
  readonly timeframe: string;
  readonly tfMs: number;
  readonly graceMs: number;
  /** Open time of the last emitted bar (NaN before any). */
  lastClosedTime = Number.NaN;
  lastClose = Number.NaN;
  private current: OhlcCandle | null = null;
  readonly stats: AssemblerStats = { closed: 0, filled: 0, duplicates: 0, late: 0, closedByTimer: 0 };
  private readonly emit: (b: ClosedBar) => void;
  private closedByTimerAt = Number.NaN;
  /** Flat bars the timer made since the last real candle. */
  private timerFills = 0;

  constructor(symbol: string, timeframe: string, tfMs: number, emit: (b: ClosedBar) => void, graceMs = 2000) {
    this.symbol = symbol;
    this.timeframe = timeframe;
    this.tfMs = tfMs;
    this.graceMs = graceMs;
    this.emit = emit;
  }

  /** Continues after warm-up history: bars up to and including `time` are already known. */
  seed(lastTime: number, lastClose: number): void {
    this.lastClosedTime = lastTime;
    this.lastClose = lastClose;
  }

  /** The interval still open (null when none). */
  get open(): OhlcCandle | null {
    return this.current;
  }

  onCandle(c: OhlcCandle): void {
    const begin = c.intervalBegin;
    this.timerFills = 0;
    if (begin <= this.lastClosedTime) {
      if (begin === this.closedByTimerAt) this.stats.late++;
      else this.stats.duplicates++;
      return;
    }
    const cur = this.current;
    if (cur !== null && begin < cur.intervalBegin) {
      this.stats.duplicates++;
      return;
    }
    if (cur !== null && begin > cur.intervalBegin) this.close(cur, false);
    // Intervals between the last closed bar and this one had no trade: they are closed now.
    if (this.lastClosedTime === this.lastClosedTime) while (this.lastClosedTime + this.tfMs < begin) this.fillOne();
    this.current = c;
  }

  /**
   * Closes the open bar once its interval + grace has passed, and fills intervals with no trade — at most `maxFills`
   * flat bars in a row without a real candle: a feed that went quiet for longer is not trusted to mean "no trade" (the
   * caller only ticks while the feed is connected and fresh; a later candle or snapshot fills the rest from real data).
   */
  onTimer(now: number, maxFills = 3): void {
    const cur = this.current;
    if (cur !== null) {
      if (now >= cur.intervalBegin + this.tfMs + this.graceMs) {
        this.close(cur, true);
        this.current = null;
      } else return;
    }
    if (!(this.lastClosedTime === this.lastClosedTime)) return;
    // No update at all for whole intervals: flat bars, as the replay fills them.
    while (this.timerFills < maxFills && now >= this.lastClosedTime + 2 * this.tfMs + this.graceMs) {
      this.timerFills++;
      this.fillOne();
    }
  }

  private close(c: OhlcCandle, byTimer: boolean): void {
    const t = c.intervalBegin;
    if (this.lastClosedTime === this.lastClosedTime) while (this.lastClosedTime + this.tfMs < t) this.fillOne();
    this.lastClosedTime = t;
    this.lastClose = c.close;
    this.stats.closed++;
    if (byTimer) {
      this.stats.closedByTimer++;
      this.closedByTimerAt = t;
    }
    this.emit({
      symbol: this.symbol,
      timeframe: this.timeframe,
      time: t,
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
      volume: c.volume,
      trades: c.trades,
      vwap: c.vwap,
      filled: false,
    });
  }

  private fillOne(): void {
    const t = this.lastClosedTime + this.tfMs;
    const p = this.lastClose;
    this.lastClosedTime = t;
    this.stats.closed++;
    this.stats.filled++;
    this.emit({
      symbol: this.symbol,
      timeframe: this.timeframe,
      time: t,
      open: p,
      high: p,
      low: p,
      close: p,
      volume: 0,
      trades: 0,
      vwap: p,
      filled: true,
    });
  }
}
