// The JSONL event shapes (the TG4 bot's layout; the replay ingester reads them back). Field names are snake_case as in the
// bot's logs. Every event has an ISO-8601 UTC `timestamp` (ms precision, 'Z') and an `event_type`. Documented in
// docs/execution.md, "Event logs".
import { InvalidArgumentError } from '../core/errors.ts';

/** The four streams, one folder each under the log root. */
export type LogStream = 'system' | 'strategies' | 'trades' | 'aggregated';
export const LOG_STREAMS: readonly LogStream[] = ['system', 'strategies', 'trades', 'aggregated'];

export type SignalAction = 'buy' | 'sell' | 'hold' | 'close';

/** A strategy's decision: the bot's signal event. */
export interface SignalEvent {
  timestamp: string;
  event_type: 'signal';
  strategy: string;
  symbol?: string;
  signal: { action: SignalAction; price: number; stop_loss: number | null; take_profit: number | null };
  /** Indicator values the decision saw (e.g. ema_9, rsi_14); null for not yet warmed up. */
  indicators: Record<string, number | null>;
  /** Hash of the input data the decision saw (see dataHash()), to tie a signal to its exact inputs. */
  data_hash: string;
}

/** One executed fill (an order, or an exit by stop/target/max-hold/liquidation). */
export interface FillEvent {
  timestamp: string;
  event_type: 'fill';
  strategy: string;
  fill: {
    symbol: string;
    side: 'buy' | 'sell';
    size: number;
    price: number;
    ref_price: number;
    fee: number;
    realized_pnl: number;
    reason: string;
    position_after: number;
    order_id: string | null;
    client_id: string | null;
  };
}

/** One closed round trip. */
export interface TradeEvent {
  timestamp: string;
  event_type: 'trade';
  strategy: string;
  trade: {
    symbol: string;
    side: 'long' | 'short';
    size: number;
    entry_price: number;
    exit_price: number;
    gross_pnl: number;
    fees: number;
    funding: number;
    pnl: number;
    opened_at: string;
    closed_at: string;
    exit_reason: string;
  };
}

/** An order the executor refused (leverage cap, bad stop side, ...). */
export interface OrderRejectedEvent {
  timestamp: string;
  event_type: 'order_rejected';
  strategy: string;
  symbol: string;
  order_id: string | null;
  code: string;
  reason: string;
}

export interface SystemEvent {
  timestamp: string;
  event_type: 'system';
  level: 'debug' | 'info' | 'warn' | 'error';
  component: string;
  message: string;
  data?: Record<string, unknown>;
}

/** A periodic portfolio summary (the bot's aggregated metrics). */
export interface MetricsEvent {
  timestamp: string;
  event_type: 'metrics';
  strategy: string;
  metrics: Record<string, number | null | Record<string, number>>;
}

export type LogEvent = SignalEvent | FillEvent | TradeEvent | OrderRejectedEvent | SystemEvent | MetricsEvent;

/** ms since the epoch → the timestamp format of the logs. */
export function isoTime(ms: number): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new InvalidArgumentError(`event time must be finite ms since the epoch, got ${String(ms)}`);
  }
  return new Date(ms).toISOString();
}
