// Public API of the replay layer: the bundled dataset, CSV and PostgreSQL readers, resampling, gaps and splits.
export type { MarketFrame } from './market-frame.ts';
export { DataError, DbError } from './errors.ts';
export { timeframeMs, timeframeName, normalizeTimeframe } from './timeframe.ts';
export { normalizeSymbol } from './symbol.ts';
export {
  BUNDLED,
  DEFAULT_SYMBOL,
  DEFAULT_TIMEFRAME,
  bundledPath,
  loadBundled,
  type BundledDataset,
  type LoadBundledOptions,
} from './bundled.ts';
export { loadCsv, loadCsvWithReport, type LoadCsvOptions, type LoadCsvResult, type OnError } from './load-csv.ts';
export type { BadRow, CandleFormat } from './csv/candle-parser.ts';
export { detectGaps, fillGaps, GAP_POLICIES, type Gap, type GapPolicy, type GapReport } from './gaps.ts';
export { resample, lastClosedIndex, alignTimeframe, type ResampleOptions } from './resample.ts';
export { sliceFrame, sliceByTime } from './slice.ts';
export {
  walkForwardSplits,
  chronologicalSplit,
  foldFrames,
  type Fold,
  type SplitRange,
  type WalkForwardOptions,
} from './splits.ts';
// PostgreSQL / TimescaleDB (see docs/replay.md).
export { resolveDbUrl, connectClient, withClient, redactUrl } from './db/connect.ts';
export {
  migrate,
  dbStatus,
  detectMode,
  requireMigrated,
  type DbMode,
  type MigrateResult,
  type DbStatus,
} from './db/migrate.ts';
export { ingestFile, INGEST_FORMATS, type IngestFormat, type IngestOptions, type IngestSummary } from './db/ingest.ts';
export { loadFromDb, listSeries, AGGREGATE_TIMEFRAMES, type DbLoadOptions } from './db/reader.ts';
export { dataInfo, type SeriesInfo, type TradesInfo } from './db/info.ts';
export { rangeIndex, toMs, isoUtc, type TimeInput } from './time-range.ts';
