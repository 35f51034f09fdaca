// Reads a text file (plain or gzip, detected by its magic bytes) as lines with 1-based line numbers, streaming, with the
// count of file bytes consumed so far for progress bars.
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { DataError } from './errors.ts';

export interface LineSource {
  totalBytes: number;
  /** File bytes read so far (compressed bytes for .gz). */
  bytesRead(): number;
  /** Lines in file order, handed out a chunk at a time (an await per line would dominate the cost). */
  chunks(): AsyncGenerator<string[], void, void>;
}

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    const n = readSync(fd, b, 0, 2, 0);
    return n === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

export function openLines(path: string): LineSource {
  let total: number;
  try {
    total = statSync(path).size;
  } catch (err) {
    throw new DataError(
      `cannot read '${path}' (${(err as NodeJS.ErrnoException).code ?? String(err)}): check the path`,
      { cause: err },
    );
  }
  let read = 0;
  const gz = total >= 2 && isGzip(path);
  return {
    totalBytes: total,
    bytesRead: () => read,
    async *chunks() {
      const raw = createReadStream(path, { highWaterMark: 1 << 20 });
      raw.on('data', (c) => {
        read += (c as Buffer).length;
      });
      const src = gz ? raw.pipe(createGunzip()) : raw;
      if (gz) raw.on('error', (e) => src.destroy(e));
      const dec = new StringDecoder('utf8');
      let rest = '';
      try {
        for await (const chunk of src) {
          const text = rest + dec.write(chunk as Buffer);
          const out: string[] = [];
          let pos = 0;
          for (;;) {
            const nl = text.indexOf('\n', pos);
            if (nl < 0) break;
            out.push(text.slice(pos, nl));
            pos = nl + 1;
          }
          rest = text.slice(pos);
          if (out.length > 0) yield out;
        }
      } catch (err) {
        throw new DataError(`reading '${path}' failed (${(err as Error).message}): the file is corrupt or truncated`, {
          cause: err,
        });
      } finally {
        raw.destroy(); // also when the consumer stops early (a bad row under --on-error stop)
      }
      rest += dec.end();
      if (rest.length > 0) yield [rest];
    },
  };
}
