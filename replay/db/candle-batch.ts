// A batch of candles for ingest, columnar (Float64Arrays, reused from batch to batch), and its encoder into PostgreSQL's
// binary COPY format. The encoder writes each row straight into one preallocated Buffer through a DataView: no per-row
// strings, no per-field bounds checks or method calls, no reallocation. Symbol and timeframe bytes are encoded once per
// distinct string. Layout per row (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"): int16 field
// count, then per field int32 byte length (-1 = NULL) and the value big-endian; timestamptz is int64 µs since 2000-01-01.
import { CandleColumnsBuilder, type CandleColumns, type CandleRow } from '../columns.ts';
import { DataError } from '../errors.ts';
import { PG_EPOCH_MS } from './pg-binary.ts';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const PG_EPOCH_US = PG_EPOCH_MS * 1000;
const TWO32 = 4294967296;

/** Candles with their symbol and timeframe, in replay's candle columns but for `time`: µs since the Unix epoch. */
export class CandleBatch {
  sym: string[] = [];
  tf: string[] = [];
  /** NaN trades/vwap = NULL. */
  readonly columns: CandleColumns;
  /** One symbol/timeframe, strictly ascending times: eligible for the direct COPY. */
  simple = true;
  private readonly rows: CandleColumnsBuilder;

  constructor(capacity = 1024) {
    this.rows = new CandleColumnsBuilder(capacity);
    this.columns = this.rows.columns;
  }

  get length(): number {
    return this.columns.length;
  }

  push(sym: string, tf: string, tUs: number, r: CandleRow): void {
    const k = this.columns.length;
    if (k === 0) {
      this.sym.push(sym);
      this.tf.push(tf);
    } else {
      if (this.simple && (tUs <= this.columns.time[k - 1]! || sym !== this.sym[0] || tf !== this.tf[0])) {
        this.simple = false;
        this.fillStrings(k);
      }
      // A simple batch keeps its one symbol/timeframe at index 0 only: no per-row strings.
      if (!this.simple) {
        this.sym.push(sym);
        this.tf.push(tf);
      }
    }
    this.rows.pushAt(tUs, r);
  }

  /** Symbol of row i. */
  symbolAt(i: number): string {
    return i < this.sym.length ? this.sym[i]! : this.sym[0]!;
  }
  /** Timeframe of row i. */
  timeframeAt(i: number): string {
    return i < this.tf.length ? this.tf[i]! : this.tf[0]!;
  }

  // Rows 1..k-1 of a batch that was simple until now share row 0's strings: write them out before the first that differs.
  private fillStrings(k: number): void {
    const s = this.sym[0]!;
    const f = this.tf[0]!;
    while (this.sym.length < k) {
      this.sym.push(s);
      this.tf.push(f);
    }
  }

  clear(): void {
    this.sym.length = 0;
    this.tf.length = 0;
    this.rows.clear();
    this.simple = true;
  }
}

/** A float8 field at p: its length (8), then the value. Returns the position after it. */
function float8At(dv: DataView, p: number, x: number): number {
  dv.setInt32(p, 8);
  dv.setFloat64(p + 4, x);
  return p + 12;
}

/**
 * Binary COPY payload of the batch's rows in the column order (symbol, timeframe, time, open, high, low, close, volume,
 * trades, vwap), preceded by the row's position in the batch as int4 when `withOrd` (staging keeps it for last-wins).
 * NaN open…volume cannot occur (the parsers reject them); NaN trades/vwap become NULL. With `keep`, only rows i with
 * keep[i] = 1 are written.
 */
export function encodeCandleBatch(b: CandleBatch, withOrd: boolean, keep?: Uint8Array): Buffer {
  const rows = b.length;
  const bytesOf = new Map<string, Buffer>();
  const enc = (s: string): Buffer => {
    let x = bytesOf.get(s);
    if (!x) {
      x = Buffer.from(s, 'utf8');
      bytesOf.set(s, x);
    }
    return x;
  };
  let textBytes = 0;
  let sym = enc(b.symbolAt(0));
  let tf = enc(b.timeframeAt(0));
  const perString = b.sym.length > 1;
  if (perString) for (let i = 0; i < rows; i++) textBytes += enc(b.sym[i]!).length + enc(b.tf[i]!).length;
  else textBytes = rows * (sym.length + tf.length);
  // Upper bound: every field present.
  const fixed = 2 + (withOrd ? 8 : 0) + 8 + 12 * 6 + 8 + 12;
  const buf = Buffer.allocUnsafe(19 + rows * fixed + textBytes + 2);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  SIGNATURE.copy(buf, 0);
  dv.setInt32(11, 0); // flags
  dv.setInt32(15, 0); // header extension length
  let p = 19;
  const fields = withOrd ? 11 : 10;
  const { time: t, open: o, high: h, low: l, close: c, volume: v, trades: n, vwap: w } = b.columns;
  for (let i = 0; i < rows; i++) {
    if (keep !== undefined && keep[i] === 0) continue;
    dv.setInt16(p, fields);
    p += 2;
    if (withOrd) {
      dv.setInt32(p, 4);
      dv.setInt32(p + 4, i);
      p += 8;
    }
    if (perString) {
      sym = enc(b.sym[i]!);
      tf = enc(b.tf[i]!);
    }
    dv.setInt32(p, sym.length);
    p += 4;
    for (let k = 0; k < sym.length; k++) buf[p + k] = sym[k]!;
    p += sym.length;
    dv.setInt32(p, tf.length);
    p += 4;
    for (let k = 0; k < tf.length; k++) buf[p + k] = tf[k]!;
    p += tf.length;
    // |µs since 2000| < 2^53: two 32-bit words instead of a BigInt per row.
    const us = t[i]! - PG_EPOCH_US;
    const hi = Math.floor(us / TWO32);
    // Out of int64 range the high word would wrap (the parsers refuse such times; this is the last line).
    if (!(hi >= -2147483648 && hi <= 2147483647))
      throw new DataError(`candle time ${t[i]} µs is outside PostgreSQL's timestamp range: the row is corrupt`);
    dv.setInt32(p, 8);
    dv.setInt32(p + 4, hi);
    dv.setUint32(p + 8, us - hi * TWO32);
    p += 12;
    p = float8At(dv, p, o[i]!);
    p = float8At(dv, p, h[i]!);
    p = float8At(dv, p, l[i]!);
    p = float8At(dv, p, c[i]!);
    p = float8At(dv, p, v[i]!);
    const ni = n[i]!;
    if (ni > 0x7fffffff)
      throw new DataError(
        `trades ${ni} at ${new Date(t[i]! / 1000).toISOString()} exceeds the int4 column: check the file`,
      );
    if (ni === ni) {
      dv.setInt32(p, 4);
      dv.setInt32(p + 4, ni);
      p += 8;
    } else {
      dv.setInt32(p, -1);
      p += 4;
    }
    const wi = w[i]!;
    if (wi === wi) p = float8At(dv, p, wi);
    else {
      dv.setInt32(p, -1);
      p += 4;
    }
  }
  dv.setInt16(p, -1); // trailer
  return buf.subarray(0, p + 2);
}
