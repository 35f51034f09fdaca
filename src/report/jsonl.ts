// JSONL as written by a run that may still be appending, or that was cut off mid-line: complete lines are parsed one by
// one, a line that is not a JSON object is reported (line number, why) instead of failing the whole file, and an
// unterminated last line is held back while the writer may still finish it.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface BadLine {
  /** 1-based line number in the file. */
  line: number;
  /** Why it was skipped, e.g. "not JSON: Unexpected end of JSON input". */
  reason: string;
  /** The line's first 200 characters. */
  text: string;
}

export interface JsonlChunk<T> {
  records: T[];
  bad: BadLine[];
}

/** Longest line kept pending while waiting for its newline; a longer one is reported bad rather than buffered. */
const MAX_LINE_BYTES = 1 << 20;

function parseLine<T>(text: string, line: number, out: JsonlChunk<T>): void {
  if (text.trim() === '') return;
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      out.bad.push({ line, reason: 'not a JSON object', text: text.slice(0, 200) });
      return;
    }
    out.records.push(v as T);
  } catch (e) {
    out.bad.push({ line, reason: `not JSON: ${(e as Error).message}`, text: text.slice(0, 200) });
  }
}

/**
 * Follows one JSONL file by byte offset: each `read()` returns the records appended since the last call. A final line
 * without its newline is kept pending (a writer mid-append) unless `final` is set (the file is complete: a run that
 * was cut off), when it is parsed and, if broken, reported. A file that shrank (rewritten) is read again from the start.
 */
export class JsonlFollower<T = Record<string, unknown>> {
  private offset = 0;
  private lineNo = 0;
  private pending = Buffer.alloc(0);

  constructor(readonly path: string) {}

  read(final = false): JsonlChunk<T> & { reset: boolean } {
    const out: JsonlChunk<T> & { reset: boolean } = { records: [], bad: [], reset: false };
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return out; // not written yet
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) {
        this.offset = 0;
        this.lineNo = 0;
        this.pending = Buffer.alloc(0);
        out.reset = true;
      }
      const n = size - this.offset;
      let data = this.pending;
      if (n > 0) {
        const buf = Buffer.allocUnsafe(n);
        let got = 0;
        while (got < n) {
          const r = readSync(fd, buf, got, n - got, this.offset + got);
          if (r === 0) break;
          got += r;
        }
        this.offset += got;
        data = this.pending.length > 0 ? Buffer.concat([this.pending, buf.subarray(0, got)]) : buf.subarray(0, got);
      }
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        this.lineNo++;
        parseLine(data.toString('utf8', start, nl), this.lineNo, out);
        start = nl + 1;
      }
      this.pending = Buffer.from(data.subarray(start));
      if (this.pending.length > 0 && (final || this.pending.length > MAX_LINE_BYTES)) {
        this.lineNo++;
        const before = out.bad.length;
        parseLine(this.pending.toString('utf8'), this.lineNo, out);
        if (out.bad.length > before) out.bad[out.bad.length - 1]!.reason += ' (last line, no newline: truncated?)';
        this.pending = Buffer.alloc(0);
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }
}

/** A whole JSONL file: its records and the lines that could not be read (a truncated last line included). */
export function readJsonl<T = Record<string, unknown>>(path: string): JsonlChunk<T> {
  const { records, bad } = new JsonlFollower<T>(path).read(true);
  return { records, bad };
}
