// PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"): the fast
// path both ways. Doubles travel as 8 raw bytes, so neither side formats or parses decimal text, and timestamps as
// int64 microseconds since 2000-01-01, so the server does no date parsing either.

import { GrowableBuffer } from '../../src/core/growable-buffer.ts';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Milliseconds from the Unix epoch to PostgreSQL's epoch (2000-01-01T00:00:00Z). */
export const PG_EPOCH_MS = 946_684_800_000;

/** Builds one binary COPY payload; call row(n) then the field writers for each of the n fields, then finish(). */
export class BinaryCopyWriter extends GrowableBuffer {
  constructor(capacity = 1 << 16) {
    super(Buffer.allocUnsafe(Math.max(64, capacity)));
    SIGNATURE.copy(this.buf, 0);
    this.buf.writeInt32BE(0, 11); // flags
    this.buf.writeInt32BE(0, 15); // header extension length
    this.pos = 19;
  }

  row(fields: number): void {
    this.room(2);
    this.buf.writeInt16BE(fields, this.pos);
    this.pos += 2;
  }

  null(): void {
    this.room(4);
    this.buf.writeInt32BE(-1, this.pos);
    this.pos += 4;
  }

  /** NaN is written as NULL: true when x was NaN and the NULL is written. */
  private nullForNaN(x: number): boolean {
    if (x === x) return false;
    this.null();
    return true;
  }

  /**
   * Starts a field of `size` bytes (its length, then the value): returns where the value goes. It may grow the buffer:
   * read `this.buf` after calling it.
   */
  private field(size: number): number {
    this.room(4 + size);
    const at = this.pos + 4;
    this.buf.writeInt32BE(size, this.pos);
    this.pos = at + size;
    return at;
  }

  /** float8; NaN is written as NULL. */
  float8(x: number): void {
    if (this.nullForNaN(x)) return;
    const at = this.field(8);
    this.buf.writeDoubleBE(x, at);
  }

  /** int2. */
  int2(x: number): void {
    const at = this.field(2);
    this.buf.writeInt16BE(x, at);
  }

  /** int4; NaN is written as NULL. */
  int4(x: number): void {
    if (this.nullForNaN(x)) return;
    const at = this.field(4);
    this.buf.writeInt32BE(x, at);
  }

  /** int8; NaN is written as NULL. */
  int8(x: number): void {
    if (this.nullForNaN(x)) return;
    const at = this.field(8);
    this.buf.writeBigInt64BE(BigInt(x), at);
  }

  /** timestamptz from Unix microseconds. */
  timestampUs(us: number): void {
    const v = us - PG_EPOCH_MS * 1000; // |v| < 2^53: split into two 32-bit words instead of a BigInt per row
    const hi = Math.floor(v / 4294967296);
    // Out of int64 range the high word would wrap (a year-586,000 time stored as 2000-01-01): never encode that.
    if (!(hi >= -2147483648 && hi <= 2147483647)) throw new RangeError(`timestamp ${us} µs is outside int64 µs`);
    const at = this.field(8);
    this.buf.writeInt32BE(hi, at);
    this.buf.writeUInt32BE(v - hi * 4294967296, at + 4);
  }

  // Symbols and timeframes repeat on every row: encode each distinct string once.
  private readonly encoded = new Map<string, Buffer>();

  /** text (UTF-8). */
  text(s: string): void {
    let bytes = this.encoded.get(s);
    if (!bytes) {
      bytes = Buffer.from(s, 'utf8');
      if (this.encoded.size < 256) this.encoded.set(s, bytes);
    }
    const at = this.field(bytes.length);
    bytes.copy(this.buf, at);
  }

  /** The payload with its trailer. */
  finish(): Buffer {
    this.room(2);
    this.buf.writeInt16BE(-1, this.pos);
    this.pos += 2;
    return this.result();
  }
}

/** Column kinds a BinaryCopyReader decodes into Float64 columns (NULL → NaN). */
export type BinaryColumn = 'timestamptz-ms' | 'float8' | 'int4' | 'int8' | 'timestamptz-us';

/** Streaming decoder of a binary COPY result into Float64Array columns. */
export class BinaryCopyReader {
  private cap = 1 << 14;
  cols: Float64Array[];
  length = 0;
  private rest: Buffer | null = null;
  private headerDone = false;
  private ended = false;

  private readonly codes: number[];

  constructor(kinds: readonly BinaryColumn[]) {
    this.cols = kinds.map(() => new Float64Array(this.cap));
    this.codes = kinds.map((k) => ['timestamptz-ms', 'float8', 'int4', 'int8', 'timestamptz-us'].indexOf(k));
  }

  private grow(): void {
    this.cap *= 2;
    this.cols = this.cols.map((a) => {
      const b = new Float64Array(this.cap);
      b.set(a);
      return b;
    });
  }

  push(chunk: Buffer): void {
    const b = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    const end = b.length;
    let p = 0;
    if (!this.headerDone) {
      if (end < 19) {
        this.rest = Buffer.from(b);
        return;
      }
      if (!b.subarray(0, 11).equals(SIGNATURE)) throw new Error('not a PostgreSQL binary COPY stream');
      p = 19 + dv.getInt32(15);
      this.headerDone = true;
    }
    const codes = this.codes;
    const nk = codes.length;
    for (;;) {
      if (this.ended || p + 2 > end) break;
      const start = p;
      const nf = dv.getInt16(p);
      if (nf === -1) {
        this.ended = true;
        p += 2;
        break;
      }
      if (nf !== nk) throw new Error(`binary COPY row has ${nf} fields, expected ${nk}`);
      p += 2;
      if (this.length === this.cap) this.grow();
      const i = this.length;
      const cols = this.cols;
      let complete = true;
      for (let k = 0; k < nk; k++) {
        if (p + 4 > end) {
          complete = false;
          break;
        }
        const len = dv.getInt32(p);
        p += 4;
        if (len === -1) {
          cols[k]![i] = NaN;
          continue;
        }
        if (p + len > end) {
          complete = false;
          break;
        }
        const code = codes[k]!;
        if (code === 1) cols[k]![i] = dv.getFloat64(p);
        else if (code === 0)
          cols[k]![i] = Math.round((dv.getInt32(p) * 4294967296 + dv.getUint32(p + 4)) / 1000) + PG_EPOCH_MS; // µs since 2000 → ms
        else if (code === 2) cols[k]![i] = dv.getInt32(p);
        else if (code === 4)
          cols[k]![i] = dv.getInt32(p) * 4294967296 + dv.getUint32(p + 4) + PG_EPOCH_MS * 1000; // exact below 2^53 µs
        else cols[k]![i] = Number(dv.getBigInt64(p));
        p += len;
      }
      if (!complete) {
        p = start;
        break;
      }
      this.length++;
    }
    this.rest = p < end ? Buffer.from(b.subarray(p)) : null; // a copy: less than a row, frees the chunk
  }

  /** Columns trimmed to the rows read. */
  finish(): Float64Array[] {
    if (!this.ended) throw new Error('binary COPY stream ended before its trailer');
    return this.cols.map((a) => a.subarray(0, this.length));
  }
}
