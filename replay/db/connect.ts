// Reaching PostgreSQL: the URL from --db or TG4_PG_URL, a client with a connect timeout, and PostgreSQL errors turned
// into one-line DB_ERRORs that say what to do.
import pg from 'pg';
import { DbError } from '../errors.ts';

export type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/** The database URL: an explicit one (e.g. --db), else TG4_PG_URL; DB_ERROR when neither is given. */
export function resolveDbUrl(explicit?: string): string {
  const url = explicit ?? process.env.TG4_PG_URL;
  if (!url) {
    throw new DbError(
      'no database given: pass --db postgres://user@host:port/db or set TG4_PG_URL (the bundled dataset needs no database)',
    );
  }
  return url;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

const CONNECT_CODES: Record<string, string> = {
  ECONNREFUSED: 'nothing listens there: start PostgreSQL or fix the host/port',
  ENOTFOUND: 'the host name does not resolve: fix the host',
  EAI_AGAIN: 'the host name does not resolve: fix the host',
  ETIMEDOUT: 'the connection timed out: check the host, port and firewall',
  EHOSTUNREACH: 'the host is unreachable',
  '28P01': 'password authentication failed: fix the user/password',
  '28000': 'the server rejected this user: fix the user or pg_hba.conf',
  '3D000': 'the database does not exist: create it (createdb) or fix the name in the URL',
};

/** Maps a pg/socket error to a DbError with the fix; `what` names the operation for the message. */
export function toDbError(err: unknown, url: string, what: string): DbError {
  if (err instanceof DbError) return err;
  const e = err as { code?: string; message?: string; table?: string };
  const code = e.code ?? '';
  if (code === '42P01') {
    return new DbError(`${what}: a table is missing (${e.message}): run \`tg4 db migrate --db ${redactUrl(url)}\``, {
      cause: err,
    });
  }
  const hint = CONNECT_CODES[code];
  if (hint) return new DbError(`cannot use PostgreSQL at ${redactUrl(url)} (${code}): ${hint}`, { cause: err });
  if (/timeout/i.test(e.message ?? '')) {
    return new DbError(
      `cannot reach PostgreSQL at ${redactUrl(url)} (timeout): check the host, port and that the server runs`,
      { cause: err },
    );
  }
  return new DbError(`${what} failed on ${redactUrl(url)}: ${code ? `[${code}] ` : ''}${e.message ?? String(err)}`, {
    cause: err,
  });
}

/** A connected client (caller ends it). Connection failures become DB_ERRORs naming the fix. */
export async function connectClient(url: string): Promise<pg.Client> {
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: 'tg4' });
  } catch (err) {
    throw new DbError(`'${redactUrl(url)}' is not a PostgreSQL URL: use postgres://user:password@host:port/database`, {
      cause: err,
    });
  }
  client.on('error', () => undefined); // a dropped connection surfaces on the next query instead of crashing
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw toDbError(err, url, 'connect');
  }
  return client;
}

/** Runs fn with a fresh client and always closes it. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await connectClient(url);
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}
