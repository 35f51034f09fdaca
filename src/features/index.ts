// Public API of the feature layer. See docs/features.md.
export { buildFeatures, ObservationBuilder, fitNormalization } from './builder.ts';
export type { FeatureMatrix, BuildOptions, ObservationBuilderOptions, SpecOrDefault } from './builder.ts';
export type { ColumnInfo } from './engine.ts';
export { FeatureEngine } from './engine.ts';
export type { LiveBar } from './input.ts';
export { TRADE_COLUMNS, bookColumn } from './input.ts';
export { parseFeatureSpec, loadFeatureSpec, specHash, canonicalJson, FeatureSpecSchema } from './spec.ts';
export type { FeatureSpec, FeatureSpecInput, FeatureEntry, Normalization } from './spec.ts';
export { featureNames, listFeatures, getFeatureDef } from './registry.ts';
export { FeatureError, FeatureDataError } from './errors.ts';
export { parseTimeframe } from './timeframe.ts';
export { DEFAULT_SPEC_PATH, HOURLY_SPEC_PATH, loadDefaultSpec } from './default-spec.ts';
export { featuresToCsv, featuresToParquet, writeFeatures } from './export.ts';
export { tradeFlowColumns, withExtraColumns } from './trade-inputs.ts';
export type { TradeTicks, TradeFlowResult } from './trade-inputs.ts';
export { bookColumns } from './book-inputs.ts';
export type { BookLevels, BookColumnsResult } from './book-inputs.ts';
