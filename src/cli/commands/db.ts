// `tg4 db migrate` and `tg4 db status`: the replay schema in PostgreSQL/TimescaleDB (see docs/replay.md).
import type { Command } from 'commander';
import { redactUrl, resolveDbUrl, withClient } from '../../../replay/db/connect.ts';
import { dbStatus, migrate } from '../../../replay/db/migrate.ts';

export function register(program: Command): void {
  const db = program.command('db').description('PostgreSQL/TimescaleDB schema for historical market data');

  db.command('migrate')
    .description('create or update the tables, hypertables and aggregates (idempotent: a second run does nothing)')
    .option('--db <url>', 'PostgreSQL URL (default: $TG4_PG_URL)')
    .action(async (o: { db?: string }) => {
      const url = resolveDbUrl(o.db);
      const r = await withClient(url, (c) => migrate(c, url));
      process.stdout.write(
        `database: ${redactUrl(url)}\nmode: ${r.mode.mode} (${r.mode.reason}; PostgreSQL ${r.mode.serverVersion})\n`,
      );
      if (r.applied.length === 0)
        process.stdout.write(`up to date: ${r.alreadyApplied} migration(s) already applied, nothing to do\n`);
      for (const m of r.applied) process.stdout.write(`applied ${m.file}\n`);
      for (const ch of r.changed)
        process.stderr.write(
          `warning: ${ch} changed after it was applied; it is not re-run: write a new migration instead\n`,
        );
    });

  db.command('status')
    .description('mode (TimescaleDB or plain PostgreSQL), applied and pending migrations, table sizes')
    .option('--db <url>', 'PostgreSQL URL (default: $TG4_PG_URL)')
    .option('--json', 'print JSON')
    .action(async (o: { db?: string; json?: boolean }) => {
      const url = resolveDbUrl(o.db);
      const s = await withClient(url, (c) => dbStatus(c, url));
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ ...s, pending: s.pending.map((m) => m.file) }, null, 2)}\n`);
        return;
      }
      const lines = [
        `database: ${redactUrl(url)}`,
        `mode: ${s.mode.mode} (${s.mode.reason}; PostgreSQL ${s.mode.serverVersion})`,
        `applied: ${s.applied.length ? s.applied.map((m) => m.file).join(', ') : 'none'}`,
        `pending: ${s.pending.length ? `${s.pending.map((m) => m.file).join(', ')} → run tg4 db migrate` : 'none'}`,
        ...s.tables.map((t) => `table ${t.name}: ≈${t.rows} rows (planner estimate)`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
