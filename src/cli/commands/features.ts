// `tg4 features export|list|hash`: the feature matrix of a CSV file or a PostgreSQL series as CSV/Parquet (the
// training-data export), the available features, and a spec's hash (see docs/features.md).
import type { Command } from 'commander';
import { resolveDbUrl, withClient } from '../../../replay/db/connect.ts';
import { loadFromDb } from '../../../replay/db/reader.ts';
import { loadCsv } from '../../../replay/load-csv.ts';
import type { MarketFrame } from '../../../replay/market-frame.ts';
import { resample } from '../../../replay/resample.ts';
import { normalizeTimeframe } from '../../../replay/timeframe.ts';
import { buildFeatures } from '../../features/builder.ts';
import { loadDefaultSpec } from '../../features/default-spec.ts';
import { FeatureError } from '../../features/errors.ts';
import { writeFeatures } from '../../features/export.ts';
import { listFeatures } from '../../features/registry.ts';
import { loadFeatureSpec, specHash, type FeatureSpec } from '../../features/spec.ts';
import { progressBar } from '../progress.ts';

interface ExportFlags {
  data: string;
  symbol?: string;
  timeframe?: string;
  spec?: string;
  out: string;
  from?: string;
  to?: string;
  includeWarmup?: boolean;
  raw?: boolean;
  progress: boolean;
}

const isDbUrl = (s: string): boolean => /^postgres(ql)?:\/\//i.test(s);

async function loadData(f: ExportFlags): Promise<MarketFrame> {
  if (isDbUrl(f.data)) {
    if (!f.symbol || !f.timeframe)
      throw new FeatureError('--data is a database URL: give --symbol (e.g. BTC/USD) and --timeframe (e.g. 1m)');
    const url = resolveDbUrl(f.data);
    return withClient(url, (c) =>
      loadFromDb(c, url, { symbol: f.symbol!, timeframe: f.timeframe!, from: f.from, to: f.to }),
    );
  }
  let frame = loadCsv(f.data, { symbol: f.symbol, from: f.from, to: f.to });
  if (f.timeframe && normalizeTimeframe(f.timeframe) !== frame.timeframe) frame = resample(frame, f.timeframe);
  return frame;
}

export function register(program: Command): void {
  const features = program
    .command('features')
    .description('feature matrices: export, list, spec hash (docs/features.md)');

  features
    .command('export')
    .description('compute a feature spec over market data and write time + one column per feature as CSV or Parquet')
    .requiredOption('--data <csv|url>', 'candle CSV file (Kraken OHLCVT or header CSV) or postgres://… URL')
    .option('--symbol <symbol>', 'symbol, e.g. BTC/USD (required with a database URL)')
    .option('--timeframe <tf>', 'bar timeframe, e.g. 1m, 1h (CSV: resampled to it when coarser than the file)')
    .option(
      '--spec <file>',
      'feature spec (.json/.yaml); default: src/features/specs/default.json (1m) or hourly.json (1h)',
    )
    .requiredOption('--out <file>', 'output file ending in .csv or .parquet')
    .option('--from <time>', 'inclusive start (ISO time or ms)')
    .option('--to <time>', 'exclusive end (ISO time or ms)')
    .option('--include-warmup', 'also write the rows before every feature is valid (they hold 0)')
    .option('--raw', 'write raw feature values (no normalization)')
    .option('--no-progress', 'no progress bar (it is shown only on a terminal anyway)')
    .action(async (flags: ExportFlags) => {
      if (!/\.(csv|parquet)$/i.test(flags.out))
        throw new FeatureError(`--out '${flags.out}': use a file name ending in .csv or .parquet`);
      const specFromFile = flags.spec ? loadFeatureSpec(flags.spec) : undefined;
      const frame = await loadData(flags);
      const spec: FeatureSpec = specFromFile ?? loadDefaultSpec(frame.timeframe);
      const t0 = performance.now();
      const bar = progressBar(
        flags.progress,
        'features [{bar}] {percentage}% | {value}/{total} bars | {eta_formatted} left',
      );
      bar?.start(frame.length, 0);
      let fm: ReturnType<typeof buildFeatures>;
      try {
        fm = buildFeatures(frame, spec, { normalize: !flags.raw, onProgress: (done) => bar?.update(done) });
      } finally {
        bar?.stop();
      }
      const rows = writeFeatures(flags.out, fm, { fromRow: flags.includeWarmup ? 0 : fm.warmup });
      const s = ((performance.now() - t0) / 1000).toFixed(2);
      process.stdout.write(
        `wrote ${flags.out}: ${rows} rows × ${fm.cols} features (${frame.symbol} ${frame.timeframe}, warm-up ${fm.warmup} bars ${flags.includeWarmup ? 'included' : 'skipped'}), spec ${fm.specHash.slice(0, 12)}…, ${s} s\n`,
      );
    });

  features
    .command('list')
    .description('list the available features')
    .action(() => {
      for (const f of listFeatures()) process.stdout.write(`${f.name.padEnd(18)} ${f.description}\n`);
    });

  features
    .command('hash')
    .description("print a spec's hash (sha256 of its canonical JSON, defaults filled in)")
    .option('--spec <file>', 'feature spec (.json/.yaml); default: the default spec for --timeframe')
    .option('--timeframe <tf>', 'data timeframe that picks the default spec', '1m')
    .action((flags: { spec?: string; timeframe: string }) => {
      const spec = flags.spec ? loadFeatureSpec(flags.spec) : loadDefaultSpec(flags.timeframe);
      process.stdout.write(`${specHash(spec)}\n`);
    });
}
