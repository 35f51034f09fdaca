// `tg4 dashboard`: an HTTP + WebSocket server for the page in static/. It reads only the project's models/ and reports/
// folders (sources/), serves the page and its two charting libraries from node_modules (no CDN: works offline), and
// pushes appended metrics over ws while a run trains. Loopback by default; any other bind needs a token, and a
// loopback bind still checks the Host header so that a web page elsewhere cannot reach it by DNS rebinding.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { InvalidArgumentError, Tg4Error } from '../core/errors.ts';
import { vendorPath } from '../report/vendor.ts';
import { DashboardError } from './errors.ts';
import { isFolderName, projectFolders, resolveInside, scrubPaths, type ProjectFolders } from './folders.ts';
import type { DataSource } from './source.ts';
import { BacktestsSource } from './sources/backtests.ts';
import { LiveSource } from './sources/live.ts';
import { RegistrySource } from './sources/registry.ts';
import { RunsSource } from './sources/runs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const STATIC_DIR = join(here, 'static');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};
/** Largest file /files/ sends (a run's metrics.jsonl, a report); weights are not served at all. */
const MAX_FILE_BYTES = 64 << 20;
const MAX_SUBSCRIPTIONS = 16;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface DashboardOptions {
  /** Project root holding models/ and reports/ (default: the working directory). */
  root?: string;
  models?: string;
  reports?: string;
  /** The live loop's event-log root, relative to root (default runs/live, where `tg4 live` writes). */
  logs?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Required for a non-loopback host; optional on loopback. At least 16 characters. */
  token?: string;
  /** Extra panels (the live loop, the registry) beside runs and backtests. */
  sources?: readonly DataSource[];
}

export interface Dashboard {
  url: string;
  port: number;
  folders: ProjectFolders;
  close(): Promise<void>;
}

interface Reply {
  status?: number;
  body: string | Buffer;
  type: string;
}

const json = (v: unknown): Reply => ({ body: JSON.stringify(v), type: 'application/json; charset=utf-8' });

function sha(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(body);
}

function sendError(res: ServerResponse, e: unknown, scrub: (s: string) => string): void {
  const status = e instanceof DashboardError ? e.status : e instanceof Tg4Error ? 400 : 500;
  const code = e instanceof Tg4Error ? e.code : 'INTERNAL';
  const message = e instanceof Tg4Error ? scrub(e.message) : 'internal error (see the dashboard process output)';
  if (!(e instanceof Tg4Error)) process.stderr.write(`tg4 dashboard: ${(e as Error).stack ?? String(e)}\n`);
  send(res, status, JSON.stringify({ error: { code, message } }), 'application/json; charset=utf-8');
}

export async function startDashboard(opts: DashboardOptions = {}): Promise<Dashboard> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`--port must be an integer 0–65535 (got ${port})`);
  const loopback = LOOPBACK.has(host);
  const token = opts.token;
  if (token !== undefined && token.length < 16)
    throw new InvalidArgumentError('--token must be at least 16 characters (e.g. `openssl rand -hex 16`)');
  if (!loopback && token === undefined)
    throw new InvalidArgumentError(
      `binding ${host} serves the dashboard beyond this machine: pass --token <secret> (or set TG4_DASHBOARD_TOKEN), ` +
        'or keep the default loopback host 127.0.0.1',
    );
  const tokenHash = token === undefined ? null : sha(token);
  const cookieName = `tg4_dashboard_${randomBytes(4).toString('hex')}`;
  const folders = projectFolders(opts.root ?? process.cwd(), opts.models, opts.reports);
  const sources = new Map<string, DataSource>();
  for (const s of [
    new RunsSource(folders),
    new BacktestsSource(folders),
    new RegistrySource(folders),
    new LiveSource(resolve(opts.root ?? process.cwd(), opts.logs ?? 'runs/live')),
    ...(opts.sources ?? []),
  ])
    sources.set(s.name, s);
  const staticFiles = new Set(
    [
      'index.html',
      'app.js',
      'runs-view.js',
      'backtest-view.js',
      'live-view.js',
      'registry-view.js',
      'format.js',
      'style.css',
    ].filter((f) => existsSync(join(STATIC_DIR, f))),
  );
  let boundPort = port;

  /** Token from the cookie, an Authorization: Bearer header or ?token=; true when none is needed. */
  const authorised = (req: IncomingMessage, url: URL): boolean => {
    if (tokenHash === null) return true;
    const cookie = (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim().split('='))
      .find(([k]) => k === cookieName)?.[1];
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const given = cookie ?? bearer ?? url.searchParams.get('token') ?? '';
    return timingSafeEqual(sha(decodeURIComponent(given)), tokenHash);
  };
  /** On loopback, only requests addressed to loopback names (a rebinding page elsewhere sends its own Host). */
  const hostAllowed = (req: IncomingMessage): boolean => {
    if (!loopback) return true;
    const h = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    return LOOPBACK.has(h);
  };

  /** What a GET answers: a body and its content type (errors are thrown as DashboardError). */
  const handle = (req: IncomingMessage, res: ServerResponse): Reply => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (!hostAllowed(req)) throw new DashboardError(403, 'refused: Host header is not a loopback name');
    if (!authorised(req, url)) throw new DashboardError(401, 'a token is required: open the URL tg4 dashboard printed');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new DashboardError(405, 'only GET');
    if (tokenHash !== null && url.searchParams.has('token'))
      res.setHeader(
        'set-cookie',
        `${cookieName}=${encodeURIComponent(url.searchParams.get('token')!)}; HttpOnly; SameSite=Strict; Path=/`,
      );
    // The path as sent (URL() would fold '..' away first), its segments decoded one by one: an encoded '/' or '..'
    // is checked, and refused, like a literal one.
    const raw = (req.url ?? '/').split(/[?#]/)[0]!.split('/').slice(1);
    let segs: string[];
    try {
      segs = raw.map((s) => decodeURIComponent(s));
    } catch {
      throw new DashboardError(400, 'malformed percent-encoding in the path');
    }
    const [head, ...rest] = segs;
    if (head === '' || head === undefined || (head === 'index.html' && rest.length === 0))
      return { body: readFileSync(join(STATIC_DIR, 'index.html')), type: TYPES['.html']! };
    if (head === 'favicon.ico' && rest.length === 0) return { status: 204, body: '', type: 'image/x-icon' };
    if (head === 'static' && rest.length === 1 && staticFiles.has(rest[0]!))
      return { body: readFileSync(join(STATIC_DIR, rest[0]!)), type: TYPES[extname(rest[0]!)]! };
    if (head === 'vendor' && rest.length === 1) {
      const p = vendorPath(rest[0]!);
      if (p === null) throw new DashboardError(404, `no vendor file '${rest[0]}'`);
      return { body: readFileSync(p), type: TYPES[extname(p)] ?? 'application/octet-stream' };
    }
    if (head === 'api') {
      const [name, ...id] = rest;
      if (name === 'panels' && id.length === 0)
        return json([...sources.values()].map((s) => ({ name: s.name, reads: s.reads, live: s.watch !== undefined })));
      const source = name === undefined ? undefined : sources.get(name);
      if (source === undefined) throw new DashboardError(404, `no panel '${String(name)}': see /api/panels`);
      return json(id.length === 0 ? source.list() : source.get(id.join('/')));
    }
    if (head === 'files' && rest.length >= 2 && isFolderName(rest[0]!)) {
      const p = resolveInside(folders, rest[0], rest.slice(1).join('/'));
      const type = TYPES[extname(p).toLowerCase()];
      if (type === undefined || !statSync(p).isFile())
        throw new DashboardError(
          403,
          `refused: the dashboard serves report files (${Object.keys(TYPES).join(' ')}), not this one`,
        );
      if (statSync(p).size > MAX_FILE_BYTES) throw new DashboardError(413, 'file too large to serve');
      return { body: readFileSync(p), type };
    }
    throw new DashboardError(404, `not found: ${url.pathname.slice(0, 100)}`);
  };

  const server: Server = createServer((req, res) => {
    try {
      const r = handle(req, res);
      send(res, r.status ?? 200, r.body, r.type);
    } catch (e) {
      sendError(res, e, (m) => scrubPaths(folders, m));
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const origin = req.headers.origin;
    const sameOrigin = origin === undefined || new URL(origin).host === req.headers.host;
    if (url.pathname !== '/ws' || !hostAllowed(req) || !authorised(req, url) || !sameOrigin) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  const serveSocket = (ws: WebSocket): void => {
    const subs = new Map<string, () => void>();
    const reply = (m: Record<string, unknown>): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    ws.on('message', (data) => {
      let m: { op?: unknown; source?: unknown; id?: unknown };
      try {
        m = JSON.parse(String(data)) as typeof m;
      } catch {
        return reply({ type: 'error', message: 'messages are JSON: {"op":"subscribe","source":"runs","id":"…"}' });
      }
      const key = `${String(m.source)}:${String(m.id)}`;
      if (m.op === 'unsubscribe') {
        subs.get(key)?.();
        subs.delete(key);
        return;
      }
      if (m.op !== 'subscribe' || typeof m.source !== 'string' || typeof m.id !== 'string')
        return reply({ type: 'error', message: 'expected {"op":"subscribe","source":<panel>,"id":<item id>}' });
      if (subs.has(key)) return;
      if (subs.size >= MAX_SUBSCRIPTIONS)
        return reply({ type: 'error', message: `at most ${MAX_SUBSCRIPTIONS} subscriptions per connection` });
      const source = sources.get(m.source);
      if (source?.watch === undefined)
        return reply({ type: 'error', message: `panel '${m.source}' has no live updates` });
      try {
        subs.set(key, source.watch(m.id, reply));
      } catch (e) {
        reply({
          type: 'error',
          source: m.source,
          id: m.id,
          message: e instanceof Tg4Error ? scrubPaths(folders, e.message) : 'internal error',
        });
      }
    });
    ws.on('close', () => {
      for (const stop of subs.values()) stop();
      subs.clear();
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new InvalidArgumentError(`port ${port} on ${host} is in use: pass another --port (0 picks a free one)`)
          : e,
      ),
    );
    server.listen(port, host, () => {
      boundPort = (server.address() as AddressInfo).port;
      resolve();
    });
  });
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  return {
    url: `http://${shownHost}:${boundPort}/${query}`,
    port: boundPort,
    folders,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
