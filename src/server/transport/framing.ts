// Length-prefixed frames for the plain Unix-socket transport (unix://PATH): each message is a little-endian uint32 byte
// count, then that many bytes of msgpack. One reader for the server, the client and the tests.
import type { Socket } from 'node:net';

/** A frame header announced more bytes than the reader accepts; the connection cannot be resynchronised after it. */
export class FrameTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`a frame of ${bytes} bytes was announced, over the limit of ${maxBytes}`);
  }
}

/**
 * Turns a byte stream into frames. A frame that lies whole in one chunk is handed out as a view of that chunk (Node
 * gives every read its own buffer); a frame spread over chunks keeps its chunks until the last one arrives and is
 * then copied once into one buffer. Memory follows the bytes received, never the size a header announces (a client
 * announcing 64 MB and sending nothing costs nothing), and a header over `maxFrameBytes` is refused at once.
 */
export class FrameReader {
  private readonly header = Buffer.alloc(4);
  private headerHave = 0;
  /** The announced size of the frame being read, or −1 between frames. */
  private need = -1;
  private parts: Buffer[] = [];
  private bodyHave = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes of an unfinished frame held (for tests and accounting). */
  get pendingBytes(): number {
    return this.headerHave + this.bodyHave;
  }

  /** Feeds one chunk; `emit` gets every frame it completes, in order. Throws FrameTooLargeError (then discard the reader). */
  push(chunk: Buffer, emit: (frame: Buffer) => void): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.need < 0) {
        let n: number;
        if (this.headerHave === 0 && chunk.length - off >= 4) {
          n = chunk.readUInt32LE(off);
          off += 4;
        } else {
          const take = Math.min(4 - this.headerHave, chunk.length - off);
          chunk.copy(this.header, this.headerHave, off, off + take);
          this.headerHave += take;
          off += take;
          if (this.headerHave < 4) return;
          this.headerHave = 0;
          n = this.header.readUInt32LE(0);
        }
        if (n > this.maxFrameBytes) throw new FrameTooLargeError(n, this.maxFrameBytes);
        if (chunk.length - off >= n) {
          emit(chunk.subarray(off, off + n));
          off += n;
          continue;
        }
        this.need = n;
      }
      const take = Math.min(this.need - this.bodyHave, chunk.length - off);
      this.parts.push(chunk.subarray(off, off + take));
      this.bodyHave += take;
      off += take;
      if (this.bodyHave === this.need) {
        const frame = Buffer.concat(this.parts, this.need);
        this.parts = [];
        this.need = -1;
        this.bodyHave = 0;
        emit(frame);
      }
    }
  }
}

/** Writes one frame: the header and the body in one writev, the body not copied. */
export function writeFrame(socket: Socket, body: Uint8Array): void {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32LE(body.byteLength, 0);
  socket.cork();
  socket.write(header);
  socket.write(body);
  socket.uncork();
}
