// Turns a policy's target exposure into paper orders with the trading env's rules, so that a paper run over a stream of
// bars books the fills `tg4 backtest` books over the same bars (tested bit for bit in test/live/parity.test.ts). The
// rules, as envs/trading/trading-core.ts applies them for one symbol:
//  - the target set at bar t's close is traded at bar t+1's open: size = target × equity-at-the-open / open, clipped to
//    the leverage caps (the kernel's maxMarketQty), filled with slippage and fees by the PaperExecutor's portfolio;
//  - discrete schemes hold while the same level is asked for (no re-sizing churn); continuous ones within
//    rebalanceThreshold; after an exit (stop, target, max-hold, liquidation, or an order that flattens) no entry is
//    taken for cooldownBars;
//  - a trade opened at t+1 gets its ATR stop / target from the ATR of bar t and its max-hold deadline;
//  - exits inside bar t+1 and the mark at its close are the PaperExecutor's onBar (the same kernel functions).
import * as K from '../execution/kernel.ts';
import { OrderRejectedError } from '../execution/errors.ts';
import type { PaperExecutor } from '../execution/paper-executor.ts';
import type { Portfolio } from '../execution/portfolio.ts';
import type { Bar, ExecutionEvent } from '../execution/types.ts';
import type { ExecutorConfig } from '../../envs/trading/config.ts';
import { maskLevels } from '../../envs/trading/action-mask.ts';
import { Atr } from '../features/indicators/atr.ts';

export interface TraderRules {
  discrete: boolean;
  rebalanceThreshold: number;
  cooldownBars: number;
  timeScale: number;
  executor: ExecutorConfig;
  timeframeMs: number;
}

/** What happened to one target at one open: for the decision log. */
export interface OrderOutcome {
  status: 'none' | 'held' | 'blocked' | 'gap' | 'filled' | 'rejected';
  qty: number;
  price: number;
  fee: number;
  message?: string;
}

export class TargetTrader {
  readonly portfolio: Portfolio;
  readonly symbol: string;
  private readonly ex: PaperExecutor;
  private readonly r: TraderRules;
  /** Target exposure waiting for the next open (NaN: none). */
  pending = Number.NaN;
  /** ATR of the decision bar of the pending target. */
  private pendingAtr = Number.NaN;
  /** Last target acted on (discrete hold rule). */
  level = 0;
  /** Bar index the open trade started at; −1 when flat. */
  entryBar = -1;
  /** First bar index at which a new entry is allowed again. */
  cooldownUntil = 0;
  equity: number;
  peak: number;
  exposure = 0;
  /** Whether the episode's first mark has happened (the backtest's reset point). */
  started = false;
  /** Wilder ATR for this trader's stops/targets (null when it sets none); NaN until defined. */
  private readonly atr: Atr | null;
  atrValue = Number.NaN;

  constructor(ex: PaperExecutor, portfolio: Portfolio, symbol: string, rules: TraderRules) {
    this.ex = ex;
    this.portfolio = portfolio;
    this.symbol = symbol;
    this.r = rules;
    this.equity = portfolio.equity;
    this.peak = this.equity;
    const x = rules.executor;
    this.atr = x.stopLossAtr !== null || x.takeProfitAtr !== null ? new Atr(x.atrPeriod) : null;
  }

  /** Feeds bar k's ATR (every bar, warm-up included, as the env's ATR column is built over the whole frame). */
  updateAtr(high: number, low: number, close: number): void {
    if (this.atr === null) return;
    const v = this.atr.update(high, low, close);
    this.atrValue = this.atr.ready ? v : Number.NaN;
  }

  /** Whether an entry would get its stop / target now (the env's ATR warm-up). */
  get atrReady(): boolean {
    return this.atr === null || this.atrValue > 0;
  }

  /** Sets the target for the next open (the ATR of the decision bar goes with it, for the stops of a trade it opens). */
  setTarget(target: number): void {
    this.pending = target;
    this.pendingAtr = this.atrValue;
  }

  /**
   * Trades the pending target at bar `nx`'s open (bar index nx in the symbol's series). `gap`: the bar was synthesised
   * for an interval with no trade, where nothing fills (the target lapses; the next decision sets a new one).
   */
  fillAtOpen(nx: number, bar: Bar, events: ExecutionEvent[], gap = false): OrderOutcome {
    let target = this.pending;
    this.pending = Number.NaN;
    // Rollover up to the open comes before any fill there (idempotent: onBar's own accrual then adds nothing).
    this.portfolio.accrue(this.symbol, bar.time);
    if (target !== target) return { status: 'none', qty: 0, price: 0, fee: 0 };
    if (gap) return { status: 'gap', qty: 0, price: 0, fee: 0 };
    const b = this.portfolio.book;
    const px = bar.open;
    const cur = b.size[0]!;
    let eOpen = b.cash[0]!;
    if (cur !== 0) eOpen += cur * (px - b.entryPrice[0]!);
    if (this.r.discrete) {
      if (target === this.level && (cur === 0 ? target === 0 : target !== 0 && cur > 0 === target > 0))
        return { status: 'held', qty: 0, price: 0, fee: 0 };
    } else if (
      target === 0 ? cur === 0 : Math.abs(target - (eOpen > 0 ? (cur * px) / eOpen : 0)) <= this.r.rebalanceThreshold
    ) {
      return { status: 'held', qty: 0, price: 0, fee: 0 };
    }
    let flipBlocked = false;
    if (cur !== 0 && target !== 0 && target > 0 !== cur > 0 && this.r.cooldownBars > 0) {
      target = 0; // a flip closes the position, so the cooldown holds back its new side
      flipBlocked = true;
    }
    if (cur === 0 && target !== 0 && nx < this.cooldownUntil) return { status: 'blocked', qty: 0, price: 0, fee: 0 };
    // orderToTarget with clip, through the portfolio (same kernel arithmetic, typed errors, fill events).
    let qty = (eOpen > 0 ? (target * eOpen) / px : 0) - cur;
    if (qty !== 0) {
      const m = K.maxMarketQty(b, this.portfolio.params, 0, 0, qty > 0 ? 1 : -1, px);
      if (Math.abs(qty) > m) qty = qty > 0 ? m : -m;
    }
    if (qty === 0) {
      this.level = target;
      return { status: 'held', qty: 0, price: 0, fee: 0 };
    }
    const unsub = this.ex.onEvent((e) => events.push(e));
    try {
      this.ex.marketOrder(
        { portfolio: this.portfolio.id, symbol: this.symbol, side: qty > 0 ? 'buy' : 'sell', size: Math.abs(qty) },
        px,
        bar.time,
      );
    } catch (e) {
      if (!(e instanceof OrderRejectedError)) throw e;
      return { status: 'rejected', qty: 0, price: 0, fee: 0, message: e.message };
    } finally {
      unsub();
    }
    this.level = target;
    const now = b.size[0]!;
    if (cur !== 0 && (now === 0 || now > 0 !== cur > 0)) {
      this.entryBar = -1;
      if (now === 0) this.cooldownUntil = nx + 1 + this.r.cooldownBars;
    }
    if (now !== 0 && (cur === 0 || now > 0 !== cur > 0)) this.opened(nx, bar.time);
    const out: OrderOutcome = {
      status: 'filled',
      qty: b.lastFillQty[0]!,
      price: b.lastFillPrice[0]!,
      fee: b.lastFillFee[0]!,
    };
    if (flipBlocked) out.message = 'flip closed only: the cooldown holds back the new side';
    return out;
  }

  /**
   * The position (signed base quantity) the pending target would leave if it were traded at `px` now: the live gateway
   * sends the exchange there right after the decision, with the rules fillAtOpen applies at the next open (hold,
   * cooldown, a flip under a cooldown only closing, the leverage caps). Changes nothing.
   */
  plannedSize(px: number, nx: number): number {
    const b = this.portfolio.book;
    const cur = b.size[0]!;
    let target = this.pending;
    if (target !== target) return cur;
    let e = b.cash[0]!;
    if (cur !== 0) e += cur * (px - b.entryPrice[0]!);
    if (this.r.discrete) {
      if (target === this.level && (cur === 0 ? target === 0 : target !== 0 && cur > 0 === target > 0)) return cur;
    } else if (target === 0 ? cur === 0 : Math.abs(target - (e > 0 ? (cur * px) / e : 0)) <= this.r.rebalanceThreshold)
      return cur;
    if (cur !== 0 && target !== 0 && target > 0 !== cur > 0 && this.r.cooldownBars > 0) target = 0;
    if (cur === 0 && target !== 0 && nx < this.cooldownUntil) return cur;
    let qty = (e > 0 ? (target * e) / px : 0) - cur;
    if (qty !== 0) {
      const m = K.maxMarketQty(b, this.portfolio.params, 0, 0, qty > 0 ? 1 : -1, px);
      if (Math.abs(qty) > m) qty = qty > 0 ? m : -m;
    }
    return cur + qty;
  }

  /** The env's openedTrade: stops from the decision bar's ATR, max-hold from the fill bar's time. */
  private opened(nx: number, fillTime: number): void {
    this.entryBar = nx;
    const ex = this.r.executor;
    if (ex.stopLossAtr === null && ex.takeProfitAtr === null && ex.maxHoldBars === null) return;
    const b = this.portfolio.book;
    const { stop, target } = this.exitLevels(b.size[0]! > 0 ? 1 : -1, b.entryPrice[0]!);
    const mh = ex.maxHoldBars !== null ? fillTime + ex.maxHoldBars * this.r.timeframeMs : Number.NaN;
    K.setExits(b, 0, 0, stop, target, mh);
  }

  /**
   * The ATR stop / target (NaN: none) of a trade the pending target opens on `side` at `entry`: the paper trade's own
   * exits, and those the live gateway rests on the exchange around the exchange's entry (gateway/protection.ts).
   */
  exitLevels(side: 1 | -1, entry: number): { stop: number; target: number } {
    const ex = this.r.executor;
    const atr = this.pendingAtr;
    const sl = ex.stopLossAtr !== null && atr > 0 ? entry - side * ex.stopLossAtr * atr : Number.NaN;
    const tp = ex.takeProfitAtr !== null && atr > 0 ? entry + side * ex.takeProfitAtr * atr : Number.NaN;
    return { stop: sl > 0 ? sl : Number.NaN, target: tp };
  }

  /** After the executor's onBar for bar nx: books exits (cooldown) and the equity numbers the observation reads. */
  afterBar(nx: number, close: number, events: readonly ExecutionEvent[]): void {
    for (const e of events) {
      if (e.type === 'fill' && e.fill.portfolio === this.portfolio.id && e.fill.reason !== 'order') {
        this.entryBar = -1;
        this.cooldownUntil = nx + 1 + this.r.cooldownBars;
      }
    }
    const b = this.portfolio.book;
    const e = b.equity[0]!;
    this.equity = e;
    if (!this.started) {
      this.started = true;
      this.peak = e;
    } else if (e > this.peak) this.peak = e;
    const sz = b.size[0]!;
    this.exposure = e > 0 && sz !== 0 ? (sz * close) / e : 0;
  }

  /** Writes the portfolio part of the observation for decision bar t (exposure, unrealized PnL, time in trade, drawdown). */
  writeState(obs: Float32Array, k: number, t: number, close: number): void {
    const b = this.portfolio.book;
    const sz = b.size[0]!;
    const e = this.equity;
    const inv = e > 0 ? 1 / e : 0;
    obs[k] = sz * close * inv;
    obs[k + 1] = sz === 0 ? 0 : sz * (close - b.entryPrice[0]!) * inv;
    obs[k + 2] = this.entryBar >= 0 ? (t - this.entryBar + 1) * (1 / this.r.timeScale) : 0;
    const peak = this.peak;
    obs[k + 3] = peak > 0 && e > 0 ? 1 - e / peak : e > 0 ? 0 : 1;
  }

  /** Discrete action mask for the decision at bar t: the env's rule (envs/trading/action-mask.ts). */
  mask(levels: Float64Array, t: number, out: Uint8Array): void {
    const ex = this.r.executor;
    const cooling = t + 1 < this.cooldownUntil;
    maskLevels(
      levels,
      this.portfolio.book.size[0]!,
      cooling,
      this.r.cooldownBars,
      ex.maxLongLeverage,
      ex.maxShortLeverage,
      out,
      0,
    );
  }
}
