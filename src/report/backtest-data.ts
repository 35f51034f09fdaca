// backtest.json (format tg4-backtest/1): everything a view needs to draw a backtest — prices, each policy's equity
// curve, trades and metrics — as plain numbers (fractions for ratios, ms since epoch for times). `tg4 backtest` and
// `tg4 train` write it beside report.html; the static report and the dashboard both draw from it.
import { readFileSync } from 'node:fs';
import { Tg4Error } from '../core/errors.ts';
import type { Trade } from './trades.ts';

export const BACKTEST_FORMAT = 'tg4-backtest/1';

/** One policy's figures. Ratios are fractions; null where a figure is undefined (no trades, zero deviation, …). */
export interface BacktestMetrics {
  initialEquity: number;
  finalEquity: number;
  totalReturn: number;
  annualizedReturn: number | null;
  maxDrawdown: number;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  trades: number;
  winRate: number | null;
  profitFactor: number | null;
  feesPaid: number;
  exposure: number;
  turnover: number;
  bars: number;
  startTime: number;
  endTime: number;
}

export interface BacktestRunData {
  name: string;
  metrics: BacktestMetrics;
  /** Bar times (ms) and equity after each bar. */
  time: number[];
  equity: number[];
  trades: Trade[];
}

/** OHLC of the range; `barsPerCandle` > 1 when a long range was merged into fewer candles for drawing. */
export interface PriceBars {
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  barsPerCandle: number;
}

export interface BacktestData {
  format: typeof BACKTEST_FORMAT;
  title: string;
  description: string;
  /** The market as the data names it (the frame's symbol), and its bar length. */
  symbol: string;
  timeframe: string;
  /** First and last bar time of the range (ms). */
  rangeStart: number;
  rangeEnd: number;
  /** False when the range is too short for annualised figures (views then hide them). */
  annualisedMeaningful: boolean;
  /** The policy under test first, comparison baselines after it. */
  runs: BacktestRunData[];
  prices: PriceBars | null;
}

/** Most candles drawn; longer ranges are merged into candles of several bars (open first, high max, low min, close last). */
export const MAX_CANDLES = 20_000;

export function priceBars(
  cols: {
    time: ArrayLike<number>;
    open: ArrayLike<number>;
    high: ArrayLike<number>;
    low: ArrayLike<number>;
    close: ArrayLike<number>;
  },
  from: number,
  to: number,
  maxCandles = MAX_CANDLES,
): PriceBars {
  const n = Math.max(0, to - from);
  const k = Math.max(1, Math.ceil(n / maxCandles));
  const out: PriceBars = { time: [], open: [], high: [], low: [], close: [], barsPerCandle: k };
  for (let s = from; s < to; s += k) {
    const e = Math.min(to, s + k);
    let hi = -Infinity;
    let lo = Infinity;
    for (let i = s; i < e; i++) {
      hi = Math.max(hi, cols.high[i]!);
      lo = Math.min(lo, cols.low[i]!);
    }
    out.time.push(cols.time[s]!);
    out.open.push(cols.open[s]!);
    out.high.push(hi);
    out.low.push(lo);
    out.close.push(cols.close[e - 1]!);
  }
  return out;
}

/** backtest.json missing, unreadable or of another format. */
export class BacktestDataError extends Tg4Error {
  constructor(message: string) {
    super('DATA_ERROR', message);
  }
}

/** Reads and checks backtest.json; the error says which file and what is wrong with it. */
export function readBacktestData(path: string): BacktestData {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new BacktestDataError(`${path}: not readable JSON (${(e as Error).message})`);
  }
  const d = v as Partial<BacktestData> | null;
  if (d === null || typeof d !== 'object' || d.format !== BACKTEST_FORMAT)
    throw new BacktestDataError(
      `${path}: not a ${BACKTEST_FORMAT} file (format ${JSON.stringify(d?.format)}): re-run tg4 backtest to rewrite it`,
    );
  if (!Array.isArray(d.runs) || d.runs.some((r) => !Array.isArray(r.time) || !Array.isArray(r.equity)))
    throw new BacktestDataError(`${path}: 'runs' must be a list of runs with time and equity arrays`);
  return d as BacktestData;
}
