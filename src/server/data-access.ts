// What files a network client may make the server read: only regular files inside the folder its operator named
// (`tg4 serve --data-dir DIR`), by a plain relative name, size-bounded and read with a bound; plus the named datasets
// ('bundled'). Nothing else: no absolute paths, no `..`, no hidden files, no symlink out of the folder, no devices,
// FIFOs or sockets (/dev/zero, /dev/stdin). Every refusal carries one message whatever the reason, so an error never
// tells whether something exists, and never quotes a file's contents. In-process use of make() is not affected.
import { constants, realpathSync, statSync } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { gunzip } from 'node:zlib';
import { InvalidArgumentError } from '../core/errors.ts';
import { LimitExceededError } from './errors.ts';

/** Names of the datasets a client may ask for without a data dir. */
export const NAMED_DATASETS: readonly string[] = ['bundled'];

/** One file read for a client: its bytes (gunzipped), and what identifies this version of it for sharing. */
export interface AllowedFile {
  name: string;
  bytes: Buffer;
  /** Real path, size and mtime: two makes over the same unchanged file share their derived data. */
  identity: string;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const MAX_NAME = 512;

/** Why a kwarg value is not a plain relative name; null when it is one. */
function nameProblem(value: string): string | null {
  if (value.length === 0 || value.length > MAX_NAME) return `a name of 1..${MAX_NAME} characters`;
  const segments = value.split('/');
  for (const s of segments) if (!SEGMENT.test(s)) return 'a relative name of plain segments';
  return null;
}

/**
 * True for strings that would name a server path when an env opened them: absolute paths, home or drive prefixes,
 * `..` segments, URLs (file:, postgres://, …), drive letters, backslashes and NUL. Applied to every string in a client's
 * kwargs, whatever its key.
 */
export function looksLikeServerPath(s: string): boolean {
  return (
    s.startsWith('/') ||
    s.startsWith('~') ||
    s.includes('\\') ||
    s.includes('\0') ||
    /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(s) || // URLs: file://, postgres://, http://
    /^file:/i.test(s) ||
    /^[A-Za-z]:[\\/]/.test(s) || // a drive letter
    s.split('/').some((seg) => seg === '..')
  );
}

export class DataAccess {
  private constructor(
    /** Real path of the data dir; null = the server serves no files, only named datasets. */
    readonly root: string | null,
    readonly maxFileBytes: number,
  ) {}

  /** Checks the operator's folder once at start (a missing or non-folder --data-dir is a startup error). */
  static create(dataDir: string | null | undefined, maxFileBytes: number): DataAccess {
    if (dataDir === null || dataDir === undefined) return new DataAccess(null, maxFileBytes);
    let root: string;
    try {
      root = realpathSync(dataDir);
      if (!statSync(root).isDirectory()) throw new Error('not a folder');
    } catch {
      throw new InvalidArgumentError(`--data-dir ${dataDir} is not a readable folder: pass an existing folder`);
    }
    return new DataAccess(root, maxFileBytes);
  }

  /** The one refusal message of a kwarg naming a file, whatever the reason (existence is never revealed). */
  refusal(kwarg: string, value: string): InvalidArgumentError {
    const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
    const where =
      this.root === null
        ? 'this server reads no files (its operator can allow a folder with `tg4 serve --data-dir DIR`)'
        : 'names are relative to the data dir its operator allowed: plain segments of letters, digits, . _ -, no leading dot, no `..`, no absolute path; only regular files are read';
    return new InvalidArgumentError(
      `${kwarg}: ${shown} is not a dataset this server offers: use ${NAMED_DATASETS.map((n) => `'${n}'`).join(', ')} or the name of a file in its data dir; ${where}`,
    );
  }

  /** Reads an allowed file: real path inside the data dir, a regular file, at most `limit` bytes (gunzipped too). */
  async read(kwarg: string, name: string, limit = this.maxFileBytes): Promise<AllowedFile> {
    const root = this.root;
    if (root === null || nameProblem(name) !== null) throw this.refusal(kwarg, name);
    let real: string;
    try {
      real = await realpath(join(root, name));
    } catch {
      throw this.refusal(kwarg, name);
    }
    if (!real.startsWith(root + sep)) throw this.refusal(kwarg, name);
    // O_NONBLOCK: opening a FIFO never waits for a writer; O_NOFOLLOW: the last component was not swapped for a link.
    let fh: Awaited<ReturnType<typeof open>>;
    try {
      fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      throw this.refusal(kwarg, name);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw this.refusal(kwarg, name);
      if (st.size > limit) throw this.tooBig(kwarg, name, limit);
      // Read at most the bound (+1 to notice a file that grew since fstat).
      const buf = Buffer.allocUnsafe(Math.min(st.size, limit) + 1);
      let got = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
        if (got === buf.length) throw this.tooBig(kwarg, name, limit);
      }
      let bytes: Buffer = buf.subarray(0, got);
      if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b)
        bytes = await this.gunzipBounded(kwarg, name, bytes, limit);
      return { name, bytes, identity: `${real}|${st.size}|${st.mtimeMs}|${st.ino}` };
    } finally {
      await fh.close();
    }
  }

  private tooBig(kwarg: string, name: string, limit: number): LimitExceededError {
    const flag =
      limit === this.maxFileBytes
        ? 'restart it with a larger --max-data-file-mb, or split the file'
        : 'make it smaller';
    return new LimitExceededError(
      `${kwarg}: '${name}' is larger than ${limit} bytes (gunzipped), this server's limit for it: ${flag}`,
    );
  }

  private gunzipBounded(kwarg: string, name: string, bytes: Buffer, limit: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      gunzip(bytes, { maxOutputLength: limit }, (err, out) => {
        if (err === null) resolve(out);
        else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
          reject(this.tooBig(kwarg, name, limit));
        else
          reject(
            new InvalidArgumentError(`${kwarg}: '${name}' looks gzipped but does not decompress: the file is corrupt`),
          );
      });
    });
  }
}
