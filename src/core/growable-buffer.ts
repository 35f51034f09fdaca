// A byte buffer written front to back that doubles when a write would not fit: the one growth rule of the binary
// encoders (PostgreSQL's COPY payloads, the server's step replies). Subclasses write at `pos` after `room(n)`.
export class GrowableBuffer {
  protected buf: Buffer;
  protected pos = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  /** The whole buffer written into (it may have grown past the one the writer started with). */
  get buffer(): Buffer {
    return this.buf;
  }

  /** What is written so far (a view, no copy). */
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Makes room for n more bytes at pos: what is written moves into a buffer twice as large when they do not fit. */
  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
