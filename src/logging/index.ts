// Public surface of the JSONL event logs.
export * from './event-types.ts';
export { EventLog, logFilePath, parseLogFileName, type EventLogOptions } from './event-log.ts';
export {
  readEventFile,
  readEventStream,
  listLogFiles,
  newReadStats,
  type ReadStats,
  type ReadOptions,
  type StreamQuery,
} from './event-reader.ts';
export { logExecutorEvents, logPortfolioMetrics, toLogEvent } from './executor-sink.ts';
export { dataHash } from './data-hash.ts';
