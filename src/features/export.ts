// Writing a feature matrix for training outside TG4 (the bot's training-data export): CSV or Parquet, one row per
// bar with its time and one named column per feature.
import { writeFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { FeatureError } from './errors.ts';
import type { FeatureMatrix } from './builder.ts';

export interface ExportOptions {
  /** First row written; default: the matrix's warm-up (rows before it are not valid). */
  fromRow?: number;
}

/** Shortest decimal that reads back as the same float32. */
function f32(x: number): string {
  return String(Number(x.toPrecision(9)));
}

export function featuresToCsv(fm: FeatureMatrix, opts: ExportOptions = {}): string {
  const from = opts.fromRow ?? fm.warmup;
  const out: string[] = [['time', ...fm.names].join(',')];
  const F = fm.cols;
  const cells = new Array<string>(F + 1);
  for (let t = from; t < fm.rows; t++) {
    cells[0] = new Date(fm.time[t]!).toISOString();
    for (let c = 0; c < F; c++) cells[c + 1] = f32(fm.matrix[t * F + c]!);
    out.push(cells.join(','));
  }
  return out.join('\n') + '\n';
}

export function featuresToParquet(fm: FeatureMatrix, opts: ExportOptions = {}): ArrayBuffer {
  const from = opts.fromRow ?? fm.warmup;
  const n = Math.max(0, fm.rows - from);
  const F = fm.cols;
  const time = fm.time.slice(from, from + n);
  const columnData = [
    { name: 'time', data: time, type: 'TIMESTAMP' as const, nullable: false },
    ...fm.names.map((name, c) => {
      const col = new Float32Array(n);
      for (let i = 0; i < n; i++) col[i] = fm.matrix[(from + i) * F + c]!;
      return { name, data: col, type: 'FLOAT' as const, nullable: false };
    }),
  ];
  return parquetWriteBuffer({
    columnData,
    kvMetadata: [
      { key: 'tg4.spec_hash', value: fm.specHash },
      { key: 'tg4.spec', value: JSON.stringify(fm.spec) },
      { key: 'tg4.warmup', value: String(fm.warmup) },
    ],
  });
}

/** Writes .csv or .parquet by the file's extension. Returns the number of rows written. */
export function writeFeatures(path: string, fm: FeatureMatrix, opts: ExportOptions = {}): number {
  const from = opts.fromRow ?? fm.warmup;
  if (!(from >= 0 && from <= fm.rows)) throw new FeatureError(`export: first row ${from} is outside 0..${fm.rows}`);
  let data: string | Uint8Array;
  if (/\.csv$/i.test(path)) data = featuresToCsv(fm, { fromRow: from });
  else if (/\.parquet$/i.test(path)) data = new Uint8Array(featuresToParquet(fm, { fromRow: from }));
  else throw new FeatureError(`--out '${path}': use a file name ending in .csv or .parquet`);
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new FeatureError(`cannot write '${path}': ${(e as Error).message}`, { cause: e });
  }
  return fm.rows - from;
}
