// Replay benchmark: ingest rows/s by COPY against multi-row INSERT, and MarketFrame load rows/s from PostgreSQL against
// the same rows from a CSV file. Data: one year of 1m candles (525,600 rows) synthesised from the bundled real Kraken
// BTC/USDC 1m quarter (tiled four times and a bit, each copy rescaled to continue from the previous close).
// Starts its own throwaway PostgreSQL (test/setup/postgres.ts) unless TG4_BENCH_PG_URL names a database to use
// (its candles table is filled under the symbol BENCH/USD and cleaned afterwards).
// Usage: npx tsx scripts/bench/replay.ts [--rows N]   (default 525600)
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPostgres } from '../../test/setup/postgres.ts';
import { connectClient } from '../../replay/db/connect.ts';
import { ingestFile, type IngestSummary } from '../../replay/db/ingest.ts';
import { migrate } from '../../replay/db/migrate.ts';
import { loadFromDb } from '../../replay/db/reader.ts';
import { loadBundled, loadCsv } from '../../replay/index.ts';

const argRows = process.argv.indexOf('--rows');
const ROWS = argRows > 0 ? Number(process.argv[argRows + 1]) : 525_600;
const SYMBOL = 'BENCH/USD';

function synthesize(rows: number): string {
  const src = loadBundled({ symbol: 'BTC/USDC', timeframe: '1m' }); // gap-filled real 1m bars
  const out: string[] = new Array(rows);
  const t0 = Date.UTC(2022, 0, 1) / 1000;
  let scale = 1;
  for (let i = 0; i < rows; i++) {
    const k = i % src.length;
    if (k === 0 && i > 0) scale *= src.close[src.length - 1]! / src.open[0]!; // continue from the previous copy's close
    const f = (x: number): string => (Math.round(x * scale * 100) / 100).toFixed(2);
    let o = f(src.open[k]!),
      h = f(src.high[k]!),
      l = f(src.low[k]!),
      c = f(src.close[k]!);
    // Rounding can break low ≤ open,close ≤ high by a cent: keep the bar consistent.
    const hi = Math.max(+o, +h, +l, +c).toFixed(2);
    const lo = Math.min(+o, +h, +l, +c).toFixed(2);
    h = hi;
    l = lo;
    o = String(+o === 0 ? lo : o);
    c = String(c);
    out[i] = `${t0 + i * 60},${o},${h},${l},${c},${src.volume[k]!.toFixed(8)},${src.trades![k]!}`;
  }
  return `${out.join('\n')}\n`;
}

/** CPU seconds used so far by this process and by the PostgreSQL backend serving `pid` (local server only). */
function cpu(pid: number | null): { client: number; server: number } {
  const u = process.cpuUsage();
  let server = NaN;
  if (pid !== null && existsSync(`/proc/${pid}/stat`)) {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    server = (Number(f[11]) + Number(f[12])) / 100; // utime + stime in clock ticks (USER_HZ = 100)
  }
  return { client: (u.user + u.system) / 1e6, server };
}

/** The wall time is inflated by other work on a shared box; CPU seconds (client + server backend) are steadier. */
function cpuText(a: { client: number; server: number }, b: { client: number; server: number }, rows: number): string {
  const cl = b.client - a.client;
  const sv = b.server - a.server;
  if (!Number.isFinite(sv)) return `client CPU ${cl.toFixed(2)} s`;
  return `CPU: client ${cl.toFixed(2)} s + server ${sv.toFixed(2)} s = ${Math.round(rows / (cl + sv)).toLocaleString('en-US')} rows per CPU-second`;
}

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en-US')} rows/s`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tg4-bench-replay-'));
  const file = join(dir, 'BENCH_1.csv');
  let t = performance.now();
  writeFileSync(file, synthesize(ROWS));
  console.log(
    `synthesised ${ROWS.toLocaleString('en-US')} 1m candles in ${(performance.now() - t).toFixed(0)} ms (load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on a shared 2-core box: figures are noisy)`,
  );

  const external = process.env.TG4_BENCH_PG_URL;
  t = performance.now();
  const server = external
    ? { url: external, stop: async (): Promise<void> => undefined }
    : await startLocalPostgres({ useEnv: false });
  const url = server.url;
  console.log(
    external ? `database: TG4_BENCH_PG_URL` : `started PostgreSQL in ${(performance.now() - t).toFixed(0)} ms`,
  );
  const c = await connectClient(url);
  try {
    const pidRow = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = external ? null : pidRow.rows[0]!.pid;
    const m = await migrate(c, url);
    console.log(`mode: ${m.mode.mode} (${m.mode.reason})`);
    const clear = async (): Promise<void> => {
      await c.query(`DELETE FROM candles WHERE symbol = $1`, [SYMBOL]);
      await c.query('VACUUM candles');
    };
    const ingest = async (
      label: string,
      o: { method: 'copy' | 'insert'; directCopy?: boolean },
    ): Promise<{ s: IngestSummary; ms: number }> => {
      const t1 = performance.now();
      const c0 = cpu(pid);
      const s = await ingestFile(c, url, { file, symbol: SYMBOL, timeframe: '1m', format: 'kraken-ohlcvt', ...o });
      const ms = performance.now() - t1;
      console.log(
        `ingest ${label}: ${s.inserted.toLocaleString('en-US')} new of ${s.rowsRead.toLocaleString('en-US')} in ${(ms / 1000).toFixed(2)} s = ${rate(s.rowsRead, ms)}; ${cpuText(c0, cpu(pid), s.rowsRead)}`,
      );
      return { s, ms };
    };

    await clear();
    const copyDirect = await ingest('COPY (direct into an empty range)', { method: 'copy' });
    // The first ingest of the process runs the parser and encoder cold (JIT); a CLI import of one file is cold too, a
    // long-running service importing many files is warm: both are printed.
    await clear();
    const copyWarm = await ingest('COPY (direct into an empty range, second run: JIT warm)', { method: 'copy' });
    const rerun = await ingest('COPY re-run (all duplicates: stored times read back, nothing to COPY)', {
      method: 'copy',
    });
    await clear();
    const copyStaged = await ingest('COPY via staging + INSERT … ON CONFLICT', { method: 'copy', directCopy: false });
    await clear();
    const insert = await ingest('multi-row INSERT … ON CONFLICT (baseline, 1,000 rows/statement)', {
      method: 'insert',
    });
    if (
      copyDirect.s.inserted !== ROWS ||
      copyWarm.s.inserted !== ROWS ||
      insert.s.inserted !== ROWS ||
      copyStaged.s.inserted !== ROWS ||
      rerun.s.inserted !== 0
    ) {
      throw new Error('ingest counts are wrong: the benchmark is invalid');
    }

    // Load: PostgreSQL (COPY TO → typed arrays) against parsing the CSV file; best of 3 each to damp the noise.
    const cpuNotes: string[] = [];
    const best = async (label: string, f: () => Promise<number>): Promise<number> => {
      let b = Infinity;
      let note = '';
      for (let k = 0; k < 3; k++) {
        const t1 = performance.now();
        const c0 = cpu(pid);
        const n = await f();
        if (n !== ROWS) throw new Error(`loaded ${n} rows, expected ${ROWS}`);
        const ms = performance.now() - t1;
        if (ms < b) {
          b = ms;
          note = cpuText(c0, cpu(pid), ROWS);
        }
      }
      cpuNotes.push(`${label}: ${note}`);
      return b;
    };
    const dbMs = await best(
      'load from PostgreSQL',
      async () => (await loadFromDb(c, url, { symbol: SYMBOL, timeframe: '1m', gaps: 'keep' })).length,
    );
    const csvMs = await best(
      'load from CSV',
      async () => loadCsv(file, { symbol: SYMBOL, timeframe: '1m', gaps: 'keep' }).length,
    );
    const dbFillMs = await best(
      'load from PostgreSQL with gap fill',
      async () => (await loadFromDb(c, url, { symbol: SYMBOL, timeframe: '1m' })).length,
    );
    console.log(
      `load from PostgreSQL: ${(dbMs / 1000).toFixed(2)} s = ${rate(ROWS, dbMs)} (with gap fill: ${(dbFillMs / 1000).toFixed(2)} s)`,
    );
    console.log(`load from CSV file:   ${(csvMs / 1000).toFixed(2)} s = ${rate(ROWS, csvMs)}`);
    for (const n of cpuNotes) console.log(`  ${n}`);
    const t5 = performance.now();
    const agg = await loadFromDb(c, url, { symbol: SYMBOL, timeframe: '15m', gaps: 'keep' });
    console.log(
      `load 15m through the candles_15m aggregate: ${agg.length.toLocaleString('en-US')} bars in ${((performance.now() - t5) / 1000).toFixed(2)} s`,
    );

    console.log('\nsummary (ratios are within this run):');
    console.log(
      `  ingest COPY direct  : ${rate(ROWS, copyDirect.ms)} = ${(insert.ms / copyDirect.ms).toFixed(2)}x multi-row INSERT (${rate(ROWS, insert.ms)}); target ≥ 200,000 rows/s`,
    );
    console.log(
      `  ingest COPY direct, warm: ${rate(ROWS, copyWarm.ms)} = ${(insert.ms / copyWarm.ms).toFixed(2)}x multi-row INSERT`,
    );
    console.log(
      `  ingest COPY staged  : ${rate(ROWS, copyStaged.ms)} = ${(insert.ms / copyStaged.ms).toFixed(2)}x multi-row INSERT`,
    );
    console.log(`  re-ingest (0 new)   : ${rate(ROWS, rerun.ms)}`);
    console.log(
      `  load 1y of 1m, PG   : ${(dbMs / 1000).toFixed(2)} s = ${(csvMs / dbMs).toFixed(2)}x the CSV path (${(csvMs / 1000).toFixed(2)} s); target < 2 s`,
    );
    await c.query(`DELETE FROM candles WHERE symbol = $1`, [SYMBOL]);
  } finally {
    await c.end();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
