// Streams JSONL event logs back (the replay ingester's input). Lines are parsed one at a time (constant memory).
// A torn last line (no trailing newline, not valid JSON: a crash mid-write) is skipped and reported in the stats; a bad
// line elsewhere is skipped and reported too, or throws DATA_ERROR naming file:line when `strict` is set.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { InvalidArgumentError, Tg4Error } from '../core/errors.ts';
import type { LogEvent, LogStream } from './event-types.ts';
import { LOG_STREAMS } from './event-types.ts';
import { parseLogFileName } from './event-log.ts';

export interface ReadStats {
  files: number;
  events: number;
  /** Lines that were not a JSON object with string timestamp and event_type: {file, line, reason}. */
  badLines: { file: string; line: number; reason: string }[];
  /** Files whose last line was torn (no newline and unparsable): skipped. */
  tornTails: string[];
}

export interface ReadOptions {
  /** Throw DATA_ERROR on a bad line that is not a torn tail (default false: skip and report in stats). */
  strict?: boolean;
  stats?: ReadStats;
}

export function newReadStats(): ReadStats {
  return { files: 0, events: 0, badLines: [], tornTails: [] };
}

function parseLine(text: string): { ok: true; ev: LogEvent } | { ok: false; reason: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON: ${(e as Error).message}` };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { ok: false, reason: 'not a JSON object' };
  const o = v as Record<string, unknown>;
  if (typeof o.timestamp !== 'string' || !Number.isFinite(Date.parse(o.timestamp)))
    return { ok: false, reason: 'missing or bad timestamp' };
  if (typeof o.event_type !== 'string') return { ok: false, reason: 'missing event_type' };
  return { ok: true, ev: o as unknown as LogEvent };
}

/** Events of one file, in file order. */
export async function* readEventFile(file: string, opts: ReadOptions = {}): AsyncGenerator<LogEvent> {
  const stats = opts.stats ?? newReadStats();
  let endsWithNewline = true;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new Tg4Error('DATA_ERROR', `cannot open event log ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size > 0) {
      const b = Buffer.alloc(1);
      fs.readSync(fd, b, 0, 1, size - 1);
      endsWithNewline = b[0] === 0x0a;
    }
  } finally {
    fs.closeSync(fd);
  }
  stats.files += 1;
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  // Hold one line back: only when the stream ends do we know whether it was the (possibly torn) last line.
  let pending: string | null = null;
  let pendingNo = 0;
  let no = 0;
  const emit = (text: string, lineNo: number, isLast: boolean): LogEvent | null => {
    if (text.trim() === '') return null;
    const r = parseLine(text);
    if (r.ok) {
      stats.events += 1;
      return r.ev;
    }
    if (isLast && !endsWithNewline) {
      stats.tornTails.push(file);
      return null;
    }
    if (opts.strict)
      throw new Tg4Error(
        'DATA_ERROR',
        `${file}:${lineNo}: bad event line (${r.reason}); fix or remove the line, or read without strict`,
      );
    stats.badLines.push({ file, line: lineNo, reason: r.reason });
    return null;
  };
  for await (const line of rl) {
    no += 1;
    if (pending !== null) {
      const ev = emit(pending, pendingNo, false);
      if (ev) yield ev;
    }
    pending = line;
    pendingNo = no;
  }
  if (pending !== null) {
    const ev = emit(pending, pendingNo, true);
    if (ev) yield ev;
  }
}

export interface StreamQuery {
  root: string;
  stream: LogStream;
  /** Only this strategy's file (strategies stream). */
  strategy?: string;
  /** Inclusive UTC days 'YYYY-MM-DD'. */
  fromDay?: string;
  toDay?: string;
}

/** The day files of a stream in chronological order (strategies: all strategies unless one is named). */
export function listLogFiles(q: StreamQuery): string[] {
  if (!LOG_STREAMS.includes(q.stream))
    throw new InvalidArgumentError(`unknown log stream '${String(q.stream)}': use one of ${LOG_STREAMS.join(', ')}`);
  const dir = path.join(q.root, q.stream);
  if (!fs.existsSync(dir))
    throw new InvalidArgumentError(`no ${q.stream} logs under ${q.root} (missing ${dir}): check the log root`);
  const out: { day: string; prefix: string; file: string }[] = [];
  for (const name of fs.readdirSync(dir)) {
    const p = parseLogFileName(name);
    if (!p) continue;
    if (q.stream !== 'strategies' && p.prefix !== q.stream) continue;
    if (q.strategy !== undefined && p.prefix !== q.strategy) continue;
    if (q.fromDay !== undefined && p.day < q.fromDay) continue;
    if (q.toDay !== undefined && p.day > q.toDay) continue;
    out.push({ day: p.day, prefix: p.prefix, file: path.join(dir, name) });
  }
  out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
  return out.map((x) => x.file);
}

/**
 * Every event of a stream: day by day; within a day, file by file (written order), or — with `mergeByTime` — the
 * day's files (several strategies, each in time order as a live run writes them) merged by timestamp (ties keep
 * strategy-name order).
 */
export async function* readEventStream(
  q: StreamQuery,
  opts: ReadOptions & { mergeByTime?: boolean } = {},
): AsyncGenerator<LogEvent> {
  const files = listLogFiles(q);
  if (!opts.mergeByTime) {
    for (const f of files) yield* readEventFile(f, opts);
    return;
  }
  const byDay = new Map<string, string[]>();
  for (const f of files) {
    const d = parseLogFileName(path.basename(f))!.day;
    (byDay.get(d) ?? byDay.set(d, []).get(d)!).push(f);
  }
  for (const group of byDay.values()) {
    const heads: { gen: AsyncGenerator<LogEvent>; ev: LogEvent; t: number }[] = [];
    for (const f of group) {
      const gen = readEventFile(f, opts);
      const r = await gen.next();
      if (!r.done) heads.push({ gen, ev: r.value, t: Date.parse(r.value.timestamp) });
    }
    while (heads.length > 0) {
      let k = 0;
      for (let j = 1; j < heads.length; j++) if (heads[j]!.t < heads[k]!.t) k = j;
      const h = heads[k]!;
      yield h.ev;
      const r = await h.gen.next();
      if (r.done) heads.splice(k, 1);
      else {
        h.ev = r.value;
        h.t = Date.parse(r.value.timestamp);
      }
    }
  }
}
