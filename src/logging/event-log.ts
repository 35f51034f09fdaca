// Append-only JSONL event log in the bot's layout, rotated by the UTC day of each event's timestamp:
//   <root>/system/system-YYYY-MM-DD.jsonl
//   <root>/strategies/<strategy>-YYYY-MM-DD.jsonl
//   <root>/trades/trades-YYYY-MM-DD.jsonl
//   <root>/aggregated/aggregated-YYYY-MM-DD.jsonl
// Crash safety: each event is one write() of one full line on an O_APPEND fd; trade-stream events (fills, trades) are
// fsync'ed before write returns; a file whose last line was torn by a crash gets a newline before the next append, so the
// torn line stays alone and the reader can skip it.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Tg4Error } from '../core/errors.ts';
import type { LogEvent, LogStream, MetricsEvent, SignalAction, SignalEvent, SystemEvent } from './event-types.ts';
import { isoTime, LOG_STREAMS } from './event-types.ts';

export interface EventLogOptions {
  /** Log root (the bot's `logs/`). Created if missing. */
  root: string;
  /** Which writes are fsync'ed: 'trades' (default: the trades stream), 'all', or 'none'. */
  fsync?: 'trades' | 'all' | 'none';
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** File name of a stream's day file; `key` is the strategy for the strategies stream. */
export function logFilePath(root: string, stream: LogStream, day: string, key?: string): string {
  const prefix = stream === 'strategies' ? key! : stream;
  return path.join(root, stream, `${prefix}-${day}.jsonl`);
}

/** Parses a log file name back into {prefix, day}, or null when it is not one of ours. */
export function parseLogFileName(name: string): { prefix: string; day: string } | null {
  const m = /^(.+)-(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(name);
  return m ? { prefix: m[1]!, day: m[2]! } : null;
}

/** JSON with a loud failure for values JSON would silently turn into null (NaN, ±Infinity) or drop (undefined, functions). */
function strictJson(event: unknown): string {
  return JSON.stringify(event, (key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new InvalidArgumentError(
        `log event field '${key}' is ${String(v)}: JSON cannot hold it, use null for a missing value`,
      );
    }
    if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') {
      throw new InvalidArgumentError(`log event field '${key}' is a ${typeof v}: only JSON values can be logged`);
    }
    return v;
  });
}

interface OpenFile {
  fd: number;
  day: string;
  path: string;
}

function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* not supported on this platform/filesystem: best effort */
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

export class EventLog {
  readonly root: string;
  private readonly fsyncMode: 'trades' | 'all' | 'none';
  private readonly files = new Map<string, OpenFile>();
  private closed = false;

  constructor(opts: EventLogOptions) {
    if (!opts || typeof opts.root !== 'string' || opts.root.length === 0)
      throw new InvalidArgumentError('EventLog needs {root: "<log folder>"}');
    const fsyncMode = opts.fsync ?? 'trades';
    if (!['trades', 'all', 'none'].includes(fsyncMode))
      throw new InvalidArgumentError(`fsync must be 'trades', 'all' or 'none', got ${JSON.stringify(opts.fsync)}`);
    this.root = opts.root;
    this.fsyncMode = fsyncMode;
    try {
      for (const s of LOG_STREAMS) fs.mkdirSync(path.join(this.root, s), { recursive: true });
    } catch (e) {
      throw new Tg4Error(
        'INVALID_ARGUMENT',
        `cannot create the log folders under ${this.root}: ${(e as Error).message}; choose a writable root`,
        { cause: e },
      );
    }
  }

  /**
   * Appends one event to a stream (strategies: the event's `strategy` picks the file). The file is chosen by the UTC day of
   * event.timestamp. Returns the file written.
   */
  write(stream: LogStream, event: LogEvent): string {
    if (this.closed) throw new InvalidArgumentError('the event log is closed: open a new EventLog');
    if (!LOG_STREAMS.includes(stream))
      throw new InvalidArgumentError(`unknown log stream '${String(stream)}': use one of ${LOG_STREAMS.join(', ')}`);
    if (!event || typeof event !== 'object') throw new InvalidArgumentError('a log event must be an object');
    if (typeof event.event_type !== 'string' || event.event_type.length === 0)
      throw new InvalidArgumentError('a log event needs a string event_type');
    const ms = typeof event.timestamp === 'string' ? Date.parse(event.timestamp) : NaN;
    if (!Number.isFinite(ms))
      throw new InvalidArgumentError(
        `log event timestamp must be an ISO-8601 string, got ${JSON.stringify(event.timestamp)}`,
      );
    let key: string | undefined;
    if (stream === 'strategies') {
      key = (event as { strategy?: unknown }).strategy as string;
      if (typeof key !== 'string' || !NAME_RE.test(key))
        throw new InvalidArgumentError(
          `strategy name ${JSON.stringify(key)} must match ${NAME_RE} (it names the log file)`,
        );
    }
    const line = strictJson(event) + '\n';
    const day = isoTime(ms).slice(0, 10);
    const file = this.fileFor(stream, day, key);
    fs.writeSync(file.fd, line);
    if (this.fsyncMode === 'all' || (this.fsyncMode === 'trades' && stream === 'trades')) fs.fsyncSync(file.fd);
    return file.path;
  }

  private fileFor(stream: LogStream, day: string, key: string | undefined): OpenFile {
    const id = `${stream}/${key ?? ''}`;
    const cur = this.files.get(id);
    if (cur && cur.day === day) return cur;
    if (cur) {
      fs.closeSync(cur.fd);
      this.files.delete(id);
    }
    if (!DAY_RE.test(day)) throw new InvalidArgumentError(`timestamp day ${day} is outside 0000–9999`);
    const p = logFilePath(this.root, stream, day, key);
    const fd = fs.openSync(p, 'a+');
    // A crash mid-write leaves a torn last line: start on a fresh line so that it is not glued to our first event.
    const size = fs.fstatSync(fd).size;
    if (size === 0) fsyncDir(path.dirname(p)); // a new file: make its directory entry durable too
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) fs.writeSync(fd, '\n');
    }
    const f = { fd, day, path: p };
    this.files.set(id, f);
    return f;
  }

  /** The bot's signal event, into logs/strategies/<strategy>-<day>.jsonl. */
  signal(e: {
    time: number;
    strategy: string;
    symbol?: string;
    action: SignalAction;
    price: number;
    stopLoss?: number | null;
    takeProfit?: number | null;
    indicators?: Record<string, number | null>;
    dataHash: string;
  }): string {
    if (!['buy', 'sell', 'hold', 'close'].includes(e.action))
      throw new InvalidArgumentError(`signal action must be buy, sell, hold or close, got ${JSON.stringify(e.action)}`);
    const ev: SignalEvent = {
      timestamp: isoTime(e.time),
      event_type: 'signal',
      strategy: e.strategy,
      ...(e.symbol !== undefined ? { symbol: e.symbol } : {}),
      signal: { action: e.action, price: e.price, stop_loss: e.stopLoss ?? null, take_profit: e.takeProfit ?? null },
      indicators: e.indicators ?? {},
      data_hash: e.dataHash,
    };
    return this.write('strategies', ev);
  }

  system(e: {
    time: number;
    level: SystemEvent['level'];
    component: string;
    message: string;
    data?: Record<string, unknown>;
  }): string {
    const ev: SystemEvent = {
      timestamp: isoTime(e.time),
      event_type: 'system',
      level: e.level,
      component: e.component,
      message: e.message,
      ...(e.data ? { data: e.data } : {}),
    };
    return this.write('system', ev);
  }

  metrics(e: { time: number; strategy: string; metrics: MetricsEvent['metrics'] }): string {
    return this.write('aggregated', {
      timestamp: isoTime(e.time),
      event_type: 'metrics',
      strategy: e.strategy,
      metrics: e.metrics,
    });
  }

  /** fsyncs and closes every open file. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const f of this.files.values()) {
      try {
        fs.fsyncSync(f.fd);
      } finally {
        fs.closeSync(f.fd);
      }
    }
    this.files.clear();
  }
}
