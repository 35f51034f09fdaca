// Public surface of the execution layer.
export * as kernel from './kernel.ts';
export { accountMetrics, MS_PER_YEAR, type AccountMetrics } from './metrics.ts';
export { Portfolio, type PortfolioMetrics, type PortfolioSnapshot, type ExitsUpdate } from './portfolio.ts';
export { PaperExecutor, type ExecutorSnapshot, type PendingOrder, type ExecutionListener } from './paper-executor.ts';
export { OrderRejectedError } from './errors.ts';
export type * from './types.ts';
