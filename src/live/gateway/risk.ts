// The risk engine between every live decision and the exchange. States: ACTIVE (orders within the limits), REDUCING
// (only orders that shrink a position: the daily loss limit was hit, or an operator asked), HALTED (nothing but the
// kill switch's flattening: reconciliation could not prove the account's state, the kill switch fired, auth failed).
// Limits are always on: a run without explicit limits gets the conservative defaults below.
import { InvalidArgumentError } from '../../core/errors.ts';

export type RiskState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export interface RiskLimits {
  /** Largest notional (quote currency) of one order. */
  maxOrderNotional: number;
  /** Largest absolute position notional per symbol after an order. */
  maxPositionNotional: number;
  /** Loss (quote) since the UTC day's start at which the engine goes REDUCING. */
  maxDailyLoss: number;
  /** Orders sent in any 60 s window. */
  maxOrdersPerMinute: number;
}

export const DEFAULT_LIMITS: Readonly<RiskLimits> = Object.freeze({
  maxOrderNotional: 100,
  maxPositionNotional: 200,
  maxDailyLoss: 20,
  maxOrdersPerMinute: 6,
});

export interface RiskOrder {
  symbol: string;
  /** Signed base quantity. */
  qty: number;
  price: number;
  /** Signed position before the order. */
  position: number;
}

export type RiskVerdict = { ok: true } | { ok: false; reason: string };

export class RiskEngine {
  readonly limits: RiskLimits;
  state: RiskState = 'ACTIVE';
  reason = '';
  private sent: number[] = [];
  private dayStart = -1;
  private dayStartPnl = 0;
  readonly history: { time: number; state: RiskState; reason: string }[] = [];
  private readonly onChange: ((s: RiskState, reason: string) => void) | undefined;

  constructor(limits: Partial<RiskLimits> = {}, onChange?: (s: RiskState, reason: string) => void) {
    const l = { ...DEFAULT_LIMITS, ...limits };
    for (const [k, v] of Object.entries(l))
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v)))
        throw new InvalidArgumentError(`risk limit ${k} must be a finite number > 0, got ${String(v)}`);
    this.limits = l;
    this.onChange = onChange;
  }

  /** Moves to `s` (HALTED is sticky: only reset() leaves it). */
  set(s: RiskState, reason: string, now = Date.now()): void {
    if (this.state === 'HALTED' && s !== 'HALTED') return;
    if (s === this.state && reason === this.reason) return;
    this.state = s;
    this.reason = reason;
    this.history.push({ time: now, state: s, reason });
    this.onChange?.(s, reason);
  }

  halt(reason: string, now = Date.now()): void {
    this.set('HALTED', reason, now);
  }

  /** Operator reset (a new day, or after fixing what halted it). */
  reset(now = Date.now()): void {
    this.state = 'ACTIVE';
    this.reason = '';
    this.history.push({ time: now, state: 'ACTIVE', reason: 'reset' });
    this.onChange?.('ACTIVE', 'reset');
  }

  /** Feeds the running PnL (realized + unrealized, quote): the daily loss limit is checked against the day's start. */
  updatePnl(pnl: number, now = Date.now()): void {
    const day = Math.floor(now / 86_400_000);
    if (day !== this.dayStart) {
      this.dayStart = day;
      this.dayStartPnl = pnl;
      if (this.state === 'REDUCING' && this.reason.startsWith('daily loss')) this.set('ACTIVE', 'new UTC day', now);
    }
    const loss = this.dayStartPnl - pnl;
    if (loss >= this.limits.maxDailyLoss && this.state === 'ACTIVE')
      this.set(
        'REDUCING',
        `daily loss ${loss.toFixed(2)} reached the limit ${this.limits.maxDailyLoss}: only reducing orders until the next UTC day`,
        now,
      );
  }

  /** Whether an order may leave now. Counts it against the rate limit when it may. */
  check(o: RiskOrder, now = Date.now()): RiskVerdict {
    if (!(o.qty !== 0 && Number.isFinite(o.qty) && o.price > 0 && Number.isFinite(o.price)))
      return { ok: false, reason: `order qty ${o.qty} at ${o.price} is not a valid order` };
    const after = o.position + o.qty;
    const reduces =
      o.position !== 0 && Math.abs(after) < Math.abs(o.position) && (after === 0 || after > 0 === o.position > 0);
    if (this.state === 'HALTED') return { ok: false, reason: `risk engine HALTED (${this.reason})` };
    if (this.state === 'REDUCING' && !reduces)
      return { ok: false, reason: `risk engine REDUCING (${this.reason}): only orders that shrink the position` };
    const notional = Math.abs(o.qty) * o.price;
    if (!reduces && notional > this.limits.maxOrderNotional)
      return {
        ok: false,
        reason: `order notional ${notional.toFixed(2)} is above maxOrderNotional ${this.limits.maxOrderNotional}`,
      };
    if (!reduces && Math.abs(after) * o.price > this.limits.maxPositionNotional)
      return {
        ok: false,
        reason: `position after the order ${(Math.abs(after) * o.price).toFixed(2)} is above maxPositionNotional ${this.limits.maxPositionNotional}`,
      };
    this.sent = this.sent.filter((t) => now - t < 60_000);
    if (this.sent.length >= this.limits.maxOrdersPerMinute)
      return {
        ok: false,
        reason: `${this.sent.length} orders in the last minute: maxOrdersPerMinute ${this.limits.maxOrdersPerMinute}`,
      };
    this.sent.push(now);
    return { ok: true };
  }
}
