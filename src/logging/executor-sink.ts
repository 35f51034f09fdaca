// Wires a PaperExecutor's events into the JSONL log: fills and closed trades → trades stream (fsync'ed), rejections →
// the strategy's stream. The portfolio id is the strategy name.
import type { PaperExecutor } from '../execution/paper-executor.ts';
import type { ExecutionEvent } from '../execution/types.ts';
import type { EventLog } from './event-log.ts';
import { isoTime, type FillEvent, type OrderRejectedEvent, type TradeEvent } from './event-types.ts';

export function toLogEvent(e: ExecutionEvent): {
  stream: 'trades' | 'strategies';
  event: FillEvent | TradeEvent | OrderRejectedEvent;
} {
  if (e.type === 'fill') {
    const f = e.fill;
    return {
      stream: 'trades',
      event: {
        timestamp: isoTime(f.time),
        event_type: 'fill',
        strategy: f.portfolio,
        fill: {
          symbol: f.symbol,
          side: f.side,
          size: f.size,
          price: f.price,
          ref_price: f.refPrice,
          fee: f.fee,
          realized_pnl: f.realizedPnl,
          reason: f.reason,
          position_after: f.positionAfter,
          order_id: f.orderId,
          client_id: f.clientId,
        },
      },
    };
  }
  if (e.type === 'trade') {
    const t = e.trade;
    return {
      stream: 'trades',
      event: {
        timestamp: isoTime(t.closedAt),
        event_type: 'trade',
        strategy: t.portfolio,
        trade: {
          symbol: t.symbol,
          side: t.side,
          size: t.size,
          entry_price: t.entryPrice,
          exit_price: t.exitPrice,
          gross_pnl: t.grossPnl,
          fees: t.fees,
          funding: t.funding,
          pnl: t.netPnl,
          opened_at: isoTime(t.openedAt),
          closed_at: isoTime(t.closedAt),
          exit_reason: t.exitReason,
        },
      },
    };
  }
  return {
    stream: 'strategies',
    event: {
      timestamp: isoTime(e.time),
      event_type: 'order_rejected',
      strategy: e.portfolio,
      symbol: e.symbol,
      order_id: e.orderId,
      code: e.code,
      reason: e.message,
    },
  };
}

/** Logs every executor event from now on; returns the unsubscribe function. */
export function logExecutorEvents(executor: PaperExecutor, log: EventLog): () => void {
  return executor.onEvent((e) => {
    const { stream, event } = toLogEvent(e);
    log.write(stream, event);
  });
}

/** Writes a portfolio's metrics (the bot's aggregated summary) to the aggregated stream. */
export function logPortfolioMetrics(
  log: EventLog,
  portfolio: { id: string; metrics(): object },
  timeMs: number,
): string {
  const m = portfolio.metrics() as Record<string, number | null | Record<string, number>>;
  return log.metrics({ time: timeMs, strategy: portfolio.id, metrics: { ...m } });
}
