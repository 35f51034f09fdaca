// `tg4 data ingest` and `tg4 data info`: historical market data into PostgreSQL, and what is there (see docs/replay.md).
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.ts';
import { BUNDLED, bundledPath } from '../../../replay/bundled.ts';
import { redactUrl, resolveDbUrl, withClient } from '../../../replay/db/connect.ts';
import { dataInfo, type SeriesInfo } from '../../../replay/db/info.ts';
import { ingestFile, INGEST_FORMATS, type IngestFormat, type IngestSummary } from '../../../replay/db/ingest.ts';
import type { GapReport } from '../../../replay/gaps.ts';
import { loadCsvWithReport, type OnError } from '../../../replay/load-csv.ts';
import { isoUtc } from '../../../replay/time-range.ts';
import { progressBar } from '../progress.ts';

interface IngestFlags {
  file: string;
  symbol?: string;
  timeframe?: string;
  format?: string;
  db?: string;
  onError: string;
  batchSize: string;
  progress: boolean;
  json?: boolean;
}

function gapText(g: GapReport): string {
  if (g.gaps.length === 0) return 'no gaps';
  const hist = Object.entries(g.histogram)
    .map(([k, v]) => `${k} bar(s): ${v}`)
    .join(', ');
  return `${g.gaps.length} gap(s), ${g.missingBars} missing bar(s), largest ${g.largest} [${hist}]`;
}

function printSeries(rows: (Omit<SeriesInfo, 'gaps'> & { gaps: GapReport; source?: string })[]): void {
  for (const s of rows) {
    process.stdout.write(
      `${s.symbol} ${s.timeframe}: ${s.rows} rows, ${isoUtc(s.from)} → ${isoUtc(s.to)}, ${gapText(s.gaps)}${s.source ? ` (${s.source})` : ''}\n`,
    );
    for (const g of [...s.gaps.gaps].sort((a, b) => b.bars - a.bars).slice(0, 3)) {
      process.stdout.write(`    largest gaps: ${isoUtc(g.start)} → ${isoUtc(g.end)} (${g.bars} bars)\n`);
    }
  }
}

function printSummary(s: IngestSummary): void {
  const lines = [
    `ingested ${s.file} (${s.format}) in ${s.seconds.toFixed(2)} s: ${s.series.join(', ')}`,
    `  rows read: ${s.rowsRead}`,
    `  inserted: ${s.inserted}`,
    `  duplicates skipped: ${s.duplicates}`,
    ...(s.updated ? [`  updated (later JSONL updates of an interval): ${s.updated}`] : []),
    ...(s.ignored ? [`  ignored (other JSONL events): ${s.ignored}`] : []),
    `  bad rows: ${s.bad.length}${s.bad.length ? ' (skipped, listed below)' : ''}`,
    `  batches committed: ${s.batches}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const b of s.bad.slice(0, 50)) process.stdout.write(`  line ${b.line}: ${b.reason}: ${b.text.slice(0, 100)}\n`);
  if (s.bad.length > 50) process.stdout.write(`  … and ${s.bad.length - 50} more bad rows (use --json for all)\n`);
}

export function register(program: Command): void {
  const data = program
    .command('data')
    .description('historical market data: ingest files into PostgreSQL, show what is stored');

  data
    .command('ingest')
    .description(
      'import candles (Kraken OHLCVT archive or header-named CSV), trade ticks or TG4/Kraken JSONL logs; idempotent',
    )
    .requiredOption('--file <path>', 'file to import (.gz is decompressed)')
    .option('--symbol <s>', 'market, e.g. BTC/USD or XBTUSD (required for CSV; fills in JSONL events that lack one)')
    .option('--timeframe <tf>', 'bar length for candle files, e.g. 1m, 1h (required for candle CSV)')
    .option('--format <f>', `one of ${INGEST_FORMATS.join(', ')} (default: guessed from the file)`)
    .option('--db <url>', 'PostgreSQL URL (default: $TG4_PG_URL)')
    .option(
      '--on-error <mode>',
      'bad row: skip (report and go on) or stop (store nothing of the batch in flight)',
      'skip',
    )
    .option('--batch-size <n>', 'rows per transaction', '50000')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the summary as JSON')
    .action(async (o: IngestFlags) => {
      if (o.format !== undefined && !INGEST_FORMATS.includes(o.format as IngestFormat)) {
        throw new InvalidArgumentError(`--format '${o.format}' is unknown: use ${INGEST_FORMATS.join(', ')}`);
      }
      if (o.onError !== 'skip' && o.onError !== 'stop')
        throw new InvalidArgumentError(`--on-error '${o.onError}' is not valid: use skip or stop`);
      const batchSize = Number(o.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new InvalidArgumentError(`--batch-size '${o.batchSize}' must be an integer ≥ 1`);
      const url = resolveDbUrl(o.db);
      const bar = progressBar(
        o.progress,
        'ingest [{bar}] {percentage}% | {rows} rows read, {inserted} inserted | {eta_formatted} left',
      );
      let started = false;
      try {
        const s = await withClient(url, (c) =>
          ingestFile(c, url, {
            file: o.file,
            symbol: o.symbol,
            timeframe: o.timeframe,
            format: o.format as IngestFormat | undefined,
            onError: o.onError as OnError,
            batchSize,
            onProgress: (p) => {
              if (!bar) return;
              if (!started) {
                bar.start(p.totalBytes, 0, { rows: 0, inserted: 0 });
                started = true;
              }
              bar.update(p.bytesRead, { rows: p.rowsRead, inserted: p.inserted });
            },
          }),
        );
        if (bar && started) {
          bar.update(bar.getTotal());
          bar.stop();
        }
        if (o.json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
        else printSummary(s);
      } catch (err) {
        // A failure after committed batches (a truncated .gz): show what is stored before the error line.
        const partial = (err as { partial?: IngestSummary }).partial;
        if (partial !== undefined) {
          if (bar && started) bar.stop();
          if (o.json) process.stdout.write(`${JSON.stringify({ ...partial, failed: true }, null, 2)}\n`);
          else printSummary(partial);
        }
        throw err;
      } finally {
        if (bar && started) bar.stop();
      }
    });

  data
    .command('info')
    .description(
      'per symbol/timeframe: range, rows, gaps and their sizes (database; or --file; or the bundled data when no database is given)',
    )
    .option('--db <url>', 'PostgreSQL URL (default: $TG4_PG_URL)')
    .option('--file <path>', 'describe a candle CSV instead of the database')
    .option('--bundled', 'describe the bundled dataset')
    .option('--json', 'print JSON')
    .action(async (o: { db?: string; file?: string; bundled?: boolean; json?: boolean }) => {
      const out = (rows: (Omit<SeriesInfo, 'gaps'> & { gaps: GapReport; source?: string })[], header: string): void => {
        if (o.json) {
          process.stdout.write(
            `${JSON.stringify(
              rows.map((r) => ({ ...r, fromIso: isoUtc(r.from), toIso: isoUtc(r.to) })),
              null,
              2,
            )}\n`,
          );
        } else {
          process.stdout.write(`${header}\n`);
          printSeries(rows);
        }
      };
      const fromCsv = (
        path: string,
        opts: { symbol?: string; timeframe?: string } = {},
      ): SeriesInfo & { source: string } => {
        const r = loadCsvWithReport(path, { ...opts, gaps: 'keep', onError: 'skip' });
        const f = r.frame;
        return {
          symbol: f.symbol,
          timeframe: f.timeframe,
          rows: f.length,
          from: f.time[0]!,
          to: f.time[f.length - 1]!,
          gaps: r.gaps,
          source: `${path}${r.bad.length ? `, ${r.bad.length} bad rows` : ''}`,
        };
      };
      if (o.file) {
        out([fromCsv(o.file)], `file ${o.file}:`);
        return;
      }
      if (o.bundled || (!o.db && !process.env.TG4_PG_URL)) {
        out(
          BUNDLED.map((d) => fromCsv(bundledPath(d), { symbol: d.symbol, timeframe: d.timeframe })),
          `bundled dataset (replay/data/; no --db or TG4_PG_URL given)${o.bundled ? '' : ': pass --db for the database'}:`,
        );
        return;
      }
      const url = resolveDbUrl(o.db);
      const info = await withClient(url, (c) => dataInfo(c, url));
      if (o.json) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      process.stdout.write(`database ${redactUrl(url)}:\n`);
      if (info.candles.length === 0)
        process.stdout.write('no candles stored: import some with tg4 data ingest --file F --symbol S --timeframe T\n');
      printSeries(info.candles);
      for (const t of info.trades)
        process.stdout.write(`${t.symbol} trades: ${t.rows} rows, ${isoUtc(t.from)} → ${isoUtc(t.to)}\n`);
      for (const b of info.books)
        process.stdout.write(
          `${b.symbol} book: ${b.snapshots} snapshots (${b.levels} levels), ${isoUtc(b.from)} → ${isoUtc(b.to)}\n`,
        );
    });
}
