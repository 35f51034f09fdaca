// Plain-object shapes of the object API (PaperExecutor / Portfolio). All JSON-serializable; "none" is null, never NaN.
import type { FillReason, SymbolParamsInput } from './kernel.ts';

export type OrderSide = 'buy' | 'sell';
export type PositionSide = 'long' | 'short';
export type OrderType = 'market' | 'limit';

export interface OrderRequest {
  /** Portfolio (strategy/agent) id. */
  portfolio: string;
  symbol: string;
  side: OrderSide;
  /** Base-asset quantity, > 0. */
  size: number;
  /** Default 'market'. */
  type?: OrderType;
  /** Required for limit orders. */
  limitPrice?: number;
  /** Exits for the position the order opens, adds to or flips into (long: stop < price < target; short: the reverse). */
  stopLoss?: number;
  takeProfit?: number;
  /** Close the position at the first bar/tick at or after fill time + maxHoldMs (or at maxHoldUntil, ms). */
  maxHoldMs?: number;
  maxHoldUntil?: number;
  /** Only reduce an open position; rejected when there is none or when it would flip or grow it. */
  reduceOnly?: boolean;
  /** Free text echoed in fills (e.g. the signal that caused the order). */
  clientId?: string;
}

export interface Bar {
  /** Bar open time, ms since the epoch (UTC). */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export interface Position {
  symbol: string;
  side: PositionSide;
  /** Average entry price. */
  entryPrice: number;
  /** Absolute base quantity. */
  size: number;
  stopLoss: number | null;
  takeProfit: number | null;
  maxHoldUntil: number | null;
  openedAt: number;
  markPrice: number;
  unrealizedPnl: number;
  /** |size| × mark. */
  notional: number;
  /** Price at which this position is liquidated (other positions at their marks); null when unreachable. */
  liquidationPrice: number | null;
}

export interface Fill {
  portfolio: string;
  symbol: string;
  orderId: string | null;
  clientId: string | null;
  side: OrderSide;
  /** Absolute quantity filled. */
  size: number;
  price: number;
  /** The market price the fill was made against (before slippage). */
  refPrice: number;
  fee: number;
  /** Gross PnL realized by this fill. */
  realizedPnl: number;
  reason: FillReason;
  time: number;
  /** Signed position size after the fill. */
  positionAfter: number;
}

/** One round trip, from the first fill of a position to the fill that made it flat. */
export interface Trade {
  portfolio: string;
  symbol: string;
  side: PositionSide;
  /** Σ quantity closed (= Σ quantity opened). */
  size: number;
  entryPrice: number;
  exitPrice: number;
  grossPnl: number;
  fees: number;
  funding: number;
  netPnl: number;
  openedAt: number;
  closedAt: number;
  exitReason: FillReason;
}

export type ExecutionEvent =
  | { type: 'fill'; fill: Fill }
  | { type: 'trade'; trade: Trade }
  | {
      type: 'rejected';
      portfolio: string;
      symbol: string;
      orderId: string | null;
      code: 'ORDER_REJECTED' | 'INVALID_ARGUMENT';
      message: string;
      time: number;
    };

export interface ExecutorConfig {
  /** Known symbols and their parameters (fields left out take `defaults`, then the bot's defaults). */
  symbols: Record<string, SymbolParamsInput> | string[];
  defaults?: SymbolParamsInput;
  /** Annualization for Sharpe/Sortino/Calmar; default: inferred from the sample spacing. */
  periodsPerYear?: number;
}
