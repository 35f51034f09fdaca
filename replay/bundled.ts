// The bundled real dataset (replay/data/, see its README for origin and license): what `tg4 train` and the tests use
// when there is no database. Longer timeframes are resampled from the stored ones without look-ahead.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from './errors.ts';
import type { GapPolicy } from './gaps.ts';
import { loadCsvWithReport, type LoadCsvResult } from './load-csv.ts';
import type { MarketFrame } from './market-frame.ts';
import { resample } from './resample.ts';
import { sliceByTime } from './slice.ts';
import { normalizeSymbol } from './symbol.ts';
import type { TimeInput } from './time-range.ts';
import { normalizeTimeframe, timeframeMs } from './timeframe.ts';

const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'data');

export interface BundledDataset {
  symbol: string;
  /** Stored timeframe; longer ones that are whole multiples are resampled on load. */
  timeframe: string;
  /** Path relative to replay/data/. */
  file: string;
  description: string;
}

export const BUNDLED: readonly BundledDataset[] = [
  {
    symbol: 'BTC/USD',
    timeframe: '1h',
    file: 'kraken/XBTUSD_60_2017-2020Q3.csv.gz',
    description: 'Kraken XBT/USD 1h, 2017-01-01 → 2020-09-30 (default)',
  },
  {
    symbol: 'ETH/USD',
    timeframe: '1h',
    file: 'kraken/ETHUSD_60_2017-2020Q3.csv.gz',
    description: 'Kraken ETH/USD 1h, 2017-01-01 → 2020-09-30',
  },
  {
    symbol: 'BTC/USDC',
    timeframe: '1m',
    file: 'kraken/BTCUSDC_1_2023Q1.csv.gz',
    description: 'Kraken BTC/USDC 1m, 2023-01-01 → 2023-03-31 (thin: many empty minutes)',
  },
];

export const DEFAULT_SYMBOL = 'BTC/USD';
export const DEFAULT_TIMEFRAME = '1h';

export function bundledPath(ds: BundledDataset): string {
  return join(DATA_DIR, ds.file);
}

export interface LoadBundledOptions {
  /** Default 'BTC/USD'. Aliases such as 'XBTUSD' are accepted. */
  symbol?: string;
  /** Default: 1h for BTC/USD and ETH/USD, 1m for BTC/USDC; longer multiples (4h, 1d, 5m, 15m, …) are resampled. */
  timeframe?: string;
  from?: TimeInput;
  to?: TimeInput;
  /** Gap policy, default 'fill' (flat zero-volume bar at the previous close, flagged in `filled`). */
  gaps?: GapPolicy;
}

// Parsed files are kept per process: many envs share one frame (frames are read-only by contract).
const cache = new Map<string, LoadCsvResult>();

export function loadBundledWithReport(ds: BundledDataset, gaps: GapPolicy = 'fill'): LoadCsvResult {
  const key = `${ds.file}|${gaps}`;
  let r = cache.get(key);
  if (!r) {
    r = loadCsvWithReport(bundledPath(ds), {
      format: 'kraken-ohlcvt',
      symbol: ds.symbol,
      timeframe: ds.timeframe,
      gaps,
    });
    cache.set(key, r);
  }
  return r;
}

function available(): string {
  return BUNDLED.map((d) => `${d.symbol} ${d.timeframe}`).join(', ');
}

/** Loads a bundled market (default BTC/USD 1h, gaps filled) into a MarketFrame. */
export function loadBundled(opts: LoadBundledOptions = {}): MarketFrame {
  const symbol = normalizeSymbol(opts.symbol ?? DEFAULT_SYMBOL);
  const candidates = BUNDLED.filter((d) => d.symbol === symbol);
  if (candidates.length === 0) {
    throw new DataError(
      `no bundled data for symbol '${opts.symbol}': bundled are ${available()} (or load your own with loadCsv / tg4 data ingest)`,
    );
  }
  const tf = opts.timeframe !== undefined ? normalizeTimeframe(opts.timeframe) : candidates[0]!.timeframe;
  const T = timeframeMs(tf);
  const ds = candidates.find((d) => d.timeframe === tf) ?? candidates.find((d) => T % timeframeMs(d.timeframe) === 0);
  if (!ds) {
    throw new DataError(
      `bundled ${symbol} has ${candidates.map((d) => d.timeframe).join(', ')} bars; ${tf} is not a multiple of that: bundled are ${available()}`,
    );
  }
  const base = loadBundledWithReport(ds, opts.gaps ?? 'fill').frame;
  const frame = ds.timeframe === tf ? base : resampleCached(base, tf);
  return sliceByTime(frame, opts.from, opts.to);
}

const resampled = new WeakMap<MarketFrame, Map<string, MarketFrame>>();
function resampleCached(base: MarketFrame, tf: string): MarketFrame {
  let m = resampled.get(base);
  if (!m) {
    m = new Map();
    resampled.set(base, m);
  }
  let f = m.get(tf);
  if (!f) {
    f = resample(base, tf);
    m.set(tf, f);
  }
  return f;
}
