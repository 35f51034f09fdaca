// Turning trade ticks into the per-bar input columns that the trade-flow features read (buy_volume, sell_volume), and
// attaching extra columns to a MarketFrame. Aggressor side comes from the trade when known, else from the tick rule.
import type { MarketFrame } from '../../replay/market-frame.ts';
import { FeatureDataError, FeatureError } from './errors.ts';
import { TRADE_COLUMNS } from './input.ts';

export interface TradeTicks {
  /** Trade times in ms, ascending. */
  time: ArrayLike<number>;
  price: ArrayLike<number>;
  volume: ArrayLike<number>;
  /** +1 buyer-initiated, −1 seller-initiated, 0 unknown (classified by the tick rule). */
  side: ArrayLike<number>;
}

export interface TradeFlowResult {
  columns: { buy_volume: Float64Array; sell_volume: Float64Array };
  /** Trades that fell outside every bar (before the first, after the last, or in a missing bar). */
  unassigned: number;
}

/**
 * Sums buy and sell volume per bar: a trade at time τ belongs to the bar with time ≤ τ < time + timeframeMs.
 * Unknown sides use the tick rule (uptick → buy, downtick → sell, unchanged → the previous trade's class).
 */
export function tradeFlowColumns(barTime: Float64Array, timeframeMs: number, trades: TradeTicks): TradeFlowResult {
  const T = barTime.length;
  const n = trades.time.length;
  if (trades.price.length !== n || trades.volume.length !== n || trades.side.length !== n) {
    throw new FeatureError(
      `trade ticks: time, price, volume and side must have the same length (got ${n}, ${trades.price.length}, ${trades.volume.length}, ${trades.side.length})`,
    );
  }
  const buy = new Float64Array(T);
  const sell = new Float64Array(T);
  let bar = 0;
  let unassigned = 0;
  let prevTime = -Infinity;
  let prevPrice = NaN;
  let prevClass = 1;
  for (let i = 0; i < n; i++) {
    const t = trades.time[i]!;
    const p = trades.price[i]!;
    const v = trades.volume[i]!;
    const s = trades.side[i]!;
    if (!(t >= prevTime))
      throw new FeatureDataError(t, `trade ${i}: time is before the previous trade's: trades must be in time order`);
    if (!(p > 0 && p < Infinity && v >= 0 && v < Infinity))
      throw new FeatureDataError(
        t,
        `trade ${i}: price ${p}, volume ${v}: need a positive finite price and a finite volume ≥ 0`,
      );
    if (s !== 1 && s !== -1 && s !== 0)
      throw new FeatureDataError(t, `trade ${i}: side ${s}: use +1 (buy), −1 (sell) or 0 (unknown)`);
    prevTime = t;
    let cls = s;
    if (cls === 0) cls = p > prevPrice ? 1 : p < prevPrice ? -1 : prevClass;
    prevClass = cls;
    prevPrice = p;
    while (bar < T && barTime[bar]! + timeframeMs <= t) bar++;
    if (bar >= T || t < barTime[bar]!) {
      unassigned++;
      continue;
    }
    if (cls > 0) buy[bar] += v;
    else sell[bar] += v;
  }
  return {
    columns: { [TRADE_COLUMNS.buy]: buy, [TRADE_COLUMNS.sell]: sell } as TradeFlowResult['columns'],
    unassigned,
  };
}

/** A frame with more extra columns (same bars; the frame's arrays are shared, not copied). */
export function withExtraColumns(frame: MarketFrame, columns: Readonly<Record<string, Float64Array>>): MarketFrame {
  for (const [name, col] of Object.entries(columns)) {
    if (col.length !== frame.length)
      throw new FeatureError(`extra column '${name}' has ${col.length} values for ${frame.length} bars`);
  }
  return { ...frame, extra: { ...(frame.extra ?? {}), ...columns } };
}
