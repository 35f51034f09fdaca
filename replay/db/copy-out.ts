// Reads a query's result through binary COPY … TO STDOUT straight into Float64 columns: no row objects, no Date or
// decimal parsing, which is what makes loading a year of 1m bars from PostgreSQL fast.
import { to as copyTo } from 'pg-copy-streams';
import type pg from 'pg';
import { BinaryCopyReader, type BinaryColumn } from './pg-binary.ts';

/** Runs `COPY (select) TO STDOUT (FORMAT binary)`; `kinds` gives each selected column's type. NULL becomes NaN. */
export async function copyOutColumns(
  c: pg.ClientBase,
  select: string,
  kinds: readonly BinaryColumn[],
): Promise<{ length: number; cols: Float64Array[] }> {
  const reader = new BinaryCopyReader(kinds);
  const stream = c.query(copyTo(`COPY (${select}) TO STDOUT (FORMAT binary)`));
  for await (const chunk of stream) reader.push(chunk as Buffer);
  const cols = reader.finish();
  return { length: reader.length, cols };
}
