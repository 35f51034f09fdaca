// Schema migrations from replay/schema/: NNN_name.sql, or NNN_name.plain.sql / NNN_name.timescale.sql pairs of which the
// one matching the server's mode is applied. Applied versions are recorded in tg4_migrations; re-running is a no-op.
// A migration runs in one transaction unless its first line says `-- tg4:no-transaction`. An advisory lock keeps two
// concurrent `tg4 db migrate` runs from interleaving.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { DbError } from '../errors.ts';
import { redactUrl, toDbError } from './connect.ts';

const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema');
const LOCK_KEY = 4_040_404; // pg_advisory_lock key of tg4 migrations

export type DbMode = 'timescaledb' | 'postgresql';

export interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

export interface ModeInfo {
  mode: DbMode;
  serverVersion: string;
  /** TimescaleDB is installed in this database, or can be (available and preloaded). */
  timescaleAvailable: boolean;
  timescaleVersion: string | null;
  reason: string;
}

/** TimescaleDB when the extension is installed, or available and in shared_preload_libraries; else plain PostgreSQL. */
export async function detectMode(c: pg.ClientBase): Promise<ModeInfo> {
  const v = await c.query<{ v: string; installed: string | null; available: string | null; preload: string }>(`
    SELECT current_setting('server_version') AS v,
           (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS installed,
           (SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb') AS available,
           current_setting('shared_preload_libraries') AS preload`);
  const r = v.rows[0]!;
  if (r.installed)
    return {
      mode: 'timescaledb',
      serverVersion: r.v,
      timescaleAvailable: true,
      timescaleVersion: r.installed,
      reason: `timescaledb ${r.installed} is installed`,
    };
  if (r.available && /timescaledb/.test(r.preload)) {
    return {
      mode: 'timescaledb',
      serverVersion: r.v,
      timescaleAvailable: true,
      timescaleVersion: r.available,
      reason: `timescaledb ${r.available} is available and preloaded`,
    };
  }
  const reason = r.available
    ? 'timescaledb is available but not in shared_preload_libraries: plain PostgreSQL (views over date_bin)'
    : 'timescaledb is not available: plain PostgreSQL (views over date_bin)';
  return { mode: 'postgresql', serverVersion: r.v, timescaleAvailable: false, timescaleVersion: null, reason };
}

/** The migrations for a mode, ascending by version. */
export function loadMigrations(mode: DbMode, dir = SCHEMA_DIR): Migration[] {
  const byVersion = new Map<number, Migration>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    const m = /^(\d+)_([a-z0-9_]+?)(?:\.(plain|timescale))?\.sql$/.exec(file);
    if (!m) continue;
    const variant = m[3];
    if (variant && variant !== (mode === 'timescaledb' ? 'timescale' : 'plain')) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    const version = Number(m[1]);
    if (byVersion.has(version)) throw new DbError(`two migrations with version ${version} in ${dir}: rename one`);
    byVersion.set(version, {
      version,
      name: m[2]!,
      file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex').slice(0, 16),
    });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/** Splits a script into statements at semicolons that end a line (the schema files keep to that). */
function statements(sql: string): string[] {
  return sql
    .split(/;\s*(?:--[^\n]*)?\n/)
    .map((s) => s.replace(/^\s*(--[^\n]*\n\s*)*/g, '').trim())
    .filter((s) => s.length > 0 && !/^(--[^\n]*\s*)*$/.test(s));
}

export interface AppliedMigration {
  version: number;
  name: string;
  file: string;
  checksum: string;
  applied_at: Date;
}

async function ensureTable(c: pg.ClientBase): Promise<void> {
  await c.query(`CREATE TABLE IF NOT EXISTS tg4_migrations (
    version integer PRIMARY KEY, name text NOT NULL, file text NOT NULL, checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
}

export async function appliedMigrations(c: pg.ClientBase): Promise<AppliedMigration[]> {
  const exists = await c.query(`SELECT to_regclass('tg4_migrations') IS NOT NULL AS e`);
  if (!exists.rows[0].e) return [];
  const r = await c.query<AppliedMigration>(
    'SELECT version, name, file, checksum, applied_at FROM tg4_migrations ORDER BY version',
  );
  return r.rows;
}

export interface MigrateResult {
  mode: ModeInfo;
  applied: Migration[];
  alreadyApplied: number;
  /** Applied migrations whose file changed since (applied_at is not rerun; the message says what to do). */
  changed: string[];
}

/** Applies pending migrations; a second run applies nothing. */
export async function migrate(c: pg.ClientBase, url: string): Promise<MigrateResult> {
  try {
    await c.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      const mode = await detectMode(c);
      await ensureTable(c);
      const done = new Map((await appliedMigrations(c)).map((m) => [m.version, m]));
      const applied: Migration[] = [];
      const changed: string[] = [];
      for (const m of loadMigrations(mode.mode)) {
        const prev = done.get(m.version);
        if (prev) {
          if (prev.checksum !== m.checksum && prev.file === m.file)
            changed.push(`${m.file} (applied ${prev.checksum}, file now ${m.checksum})`);
          continue;
        }
        const noTx = /^--\s*tg4:no-transaction/.test(m.sql);
        if (noTx) {
          for (const s of statements(m.sql)) await c.query(s);
          await c.query('INSERT INTO tg4_migrations (version, name, file, checksum) VALUES ($1, $2, $3, $4)', [
            m.version,
            m.name,
            m.file,
            m.checksum,
          ]);
        } else {
          await c.query('BEGIN');
          try {
            await c.query(m.sql);
            await c.query('INSERT INTO tg4_migrations (version, name, file, checksum) VALUES ($1, $2, $3, $4)', [
              m.version,
              m.name,
              m.file,
              m.checksum,
            ]);
            await c.query('COMMIT');
          } catch (err) {
            await c.query('ROLLBACK').catch(() => undefined);
            throw new DbError(`migration ${m.file} failed and was rolled back: ${(err as Error).message}`, {
              cause: err,
            });
          }
        }
        applied.push(m);
      }
      return { mode, applied, alreadyApplied: done.size, changed };
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    }
  } catch (err) {
    throw toDbError(err, url, 'migrate');
  }
}

export interface DbStatus {
  mode: ModeInfo;
  applied: AppliedMigration[];
  pending: Migration[];
  /** Row counts (estimates from pg_class for speed) of the tg4 tables that exist. */
  tables: { name: string; rows: number }[];
}

export async function dbStatus(c: pg.ClientBase, url: string): Promise<DbStatus> {
  try {
    const mode = await detectMode(c);
    const applied = await appliedMigrations(c);
    const have = new Set(applied.map((m) => m.version));
    const pending = loadMigrations(mode.mode).filter((m) => !have.has(m.version));
    const t = await c.query<{ name: string; rows: string }>(`
      SELECT c.relname AS name, GREATEST(c.reltuples, 0)::bigint AS rows FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname IN ('candles', 'trades', 'book_snapshots', 'book_aggregates')
      ORDER BY 1`);
    return { mode, applied, pending, tables: t.rows.map((r) => ({ name: r.name, rows: Number(r.rows) })) };
  } catch (err) {
    throw toDbError(err, url, 'db status');
  }
}

/** Throws "run tg4 db migrate" unless the base tables exist. */
export async function requireMigrated(c: pg.ClientBase, url: string): Promise<void> {
  const r = await c.query<{ ok: boolean }>(
    `SELECT to_regclass('candles') IS NOT NULL AND to_regclass('trades') IS NOT NULL AS ok`,
  );
  if (!r.rows[0]!.ok) {
    throw new DbError(`the tg4 tables do not exist in ${redactUrl(url)}: run \`tg4 db migrate\` first`);
  }
}
