// `tg4 features export` end to end: from the bundled CSV and from PostgreSQL, to CSV and Parquet; the files hold
// exactly the matrix buildFeatures computes (time + one named column per feature, rows from the warm-up on).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED, bundledPath, loadBundled } from '../../replay/index.ts';
import { connectClient } from '../../replay/db/connect.ts';
import { ingestFile } from '../../replay/db/ingest.ts';
import { migrate } from '../../replay/db/migrate.ts';
import { Tg4Error } from '../../src/core/errors.ts';
import { buildFeatures, loadDefaultSpec } from '../../src/features/index.ts';
import { freshDatabase } from '../replay/helpers.ts';
import { tg4Features } from './helpers.ts';

const run = promisify(execFile);
/** The real binary (one spawn: exit code and message format). */
const tg4Bin = (...args: string[]) => run('node', ['bin/tg4.js', 'features', ...args], { maxBuffer: 64 << 20 });
/** The same command in-process (no start-up cost per call). */
const tg4 = tg4Features;
const dir = mkdtempSync(join(tmpdir(), 'tg4-features-'));
const bundledH1 = bundledPath(BUNDLED.find((d) => d.symbol === 'BTC/USD' && d.timeframe === '1h')!);
// 2020 only (9 months of real hours) in Kraken's archive format under its archive name, to keep the test quick.
const h1 = join(dir, 'XBTUSD_60.csv');
const from = '2020-01-01T00:00:00Z';
let db: { url: string; drop: () => Promise<void> } | undefined;
let c: pg.Client | undefined;

beforeAll(async () => {
  const lines = gunzipSync(readFileSync(bundledH1)).toString('utf8').split('\n');
  writeFileSync(h1, lines.filter((l) => Number(l.split(',')[0]) >= Date.parse(from) / 1000).join('\n') + '\n');
  db = await freshDatabase('tg4_features');
  c = await connectClient(db.url);
  await migrate(c, db.url);
  await ingestFile(c, db.url, { file: h1, symbol: 'BTC/USD', timeframe: '1h' });
});
afterAll(async () => {
  await c?.end();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('tg4 features export', () => {
  it('CSV from a file, Parquet from a file, CSV from PostgreSQL: same matrix as buildFeatures', async () => {
    const csv = join(dir, 'f.csv');
    const pq = join(dir, 'f.parquet');
    const dbCsv = join(dir, 'db.csv');
    const a = await tg4('export', '--data', h1, '--timeframe', '1h', '--out', csv);
    const b = await tg4('export', '--data', h1, '--out', pq);
    const d = await tg4('export', '--data', db!.url, '--symbol', 'BTC/USD', '--timeframe', '1h', '--out', dbCsv);
    for (const r of [a, b, d]) expect(r.stdout).toMatch(/wrote .* rows × 31 features/);

    const frame = loadBundled({ symbol: 'BTC/USD', timeframe: '1h', from });
    const fm = buildFeatures(frame, loadDefaultSpec('1h'));
    const n = fm.rows - fm.warmup;
    expect(n).toBeGreaterThan(5_000);

    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(['time', ...fm.names].join(','));
    expect(lines.length - 1).toBe(n);
    for (const t of [0, 1, 777, n - 1]) {
      const cells = lines[t + 1]!.split(',');
      expect(cells[0]).toBe(new Date(fm.time[fm.warmup + t]!).toISOString());
      for (let j = 0; j < fm.cols; j++)
        expect(Math.fround(Number(cells[j + 1]))).toBe(fm.matrix[(fm.warmup + t) * fm.cols + j]);
    }
    // The database path reads the same candles, so the export is byte for byte the same.
    expect(readFileSync(dbCsv, 'utf8')).toBe(readFileSync(csv, 'utf8'));

    const buf = readFileSync(pq);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const meta = parquetMetadata(ab);
    expect(Number(meta.num_rows)).toBe(n);
    const kv = Object.fromEntries((meta.key_value_metadata ?? []).map((x) => [x.key, x.value]));
    expect(kv['tg4.spec_hash']).toBe(fm.specHash);
    const rows = (await parquetReadObjects({ file: ab, rowStart: 0, rowEnd: 3 })) as Record<string, unknown>[];
    expect(Object.keys(rows[0]!)).toEqual(['time', ...fm.names]);
    for (let t = 0; t < 3; t++) {
      const r = rows[t]!;
      expect(new Date(r.time as Date).getTime()).toBe(fm.time[fm.warmup + t]);
      fm.names.forEach((name, j) => expect(r[name]).toBe(fm.matrix[(fm.warmup + t) * fm.cols + j]));
    }
  });

  it('bad input: wrong extension (real binary: exit code 2), unknown feature in the spec, feature needing trade data', async () => {
    const bin = await tg4Bin('export', '--data', h1, '--out', join(dir, 'x.txt')).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(bin?.code).toBe(2);
    expect(bin?.stderr).toMatch(/tg4: error \[FEATURE_ERROR\]: --out .*\.csv or \.parquet/);
    const badSpec = join(dir, 'bad.yaml');
    writeFileSync(badSpec, 'features:\n  - feature: rsi\n  - feature: macdd\n');
    const flowSpec = join(dir, 'flow.json');
    writeFileSync(flowSpec, JSON.stringify({ features: [{ feature: 'vpin', params: { bucket_volume: 10 } }] }));
    const e1 = await tg4('export', '--data', h1, '--spec', badSpec, '--out', join(dir, 'x.csv')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(e1).toBeInstanceOf(Tg4Error);
    expect((e1 as Tg4Error).message).toMatch(
      /features\[1\]\.feature: unknown feature 'macdd'; available: .*macd.*vpin/,
    );
    const e2 = await tg4('export', '--data', h1, '--spec', flowSpec, '--out', join(dir, 'y.csv')).then(
      () => null,
      (e: unknown) => e,
    );
    expect((e2 as Tg4Error).code).toBe('FEATURE_ERROR');
    expect((e2 as Tg4Error).message).toMatch(/'buy_volume'.*candle-only/);
    const e3 = await tg4('export', '--data', 'postgres://nobody@127.0.0.1:1/x', '--out', join(dir, 'z.csv')).then(
      () => null,
      (e: unknown) => e,
    );
    expect((e3 as Tg4Error).message).toContain('--symbol');
  });
});
