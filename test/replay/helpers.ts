// Shared helpers for the replay tests: a fresh database per test file on the test PostgreSQL (TG4_TEST_PG_URL, started
// by test/setup/postgres.ts), and temp files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export function testPgUrl(): string {
  const url = process.env.TG4_TEST_PG_URL;
  if (!url) {
    const why = process.env.TG4_TEST_PG_ERROR;
    throw new Error(
      why
        ? `the test PostgreSQL did not start: ${why}`
        : 'TG4_TEST_PG_URL is not set: run the tests through vitest (globalSetup starts PostgreSQL)',
    );
  }
  return url;
}

/** Creates an empty database and returns its URL; drop() removes it. */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = testPgUrl();
  const name = `${prefix}_${process.pid}_${Math.floor(performance.now() * 1000) % 1e9}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const c = new pg.Client(admin);
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = new pg.Client(admin);
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

export function tempDir(): { dir: string; file: (name: string, text: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tg4-replay-'));
  return {
    dir,
    file: (name, text) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
