// The content seal of a registered model version: registry.json beside the model's files lists every file (name,
// bytes, SHA-256) and one content hash over that list and the canonical manifest. A version is loaded only if the
// folder still matches its seal exactly: a changed, truncated, added or removed file is refused, with its name.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { RegistryError } from './errors.ts';

export const SEAL_FILE = 'registry.json';
export const SEAL_FORMAT = 'tg4-registry-seal/1';

export interface SealedFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface Seal {
  format: typeof SEAL_FORMAT;
  /** sha256 over the canonical manifest and the sorted file list (see contentHash). */
  contentHash: string;
  files: SealedFile[];
  /** The version this one was trained from or derived from (name/vNNNN), if any. */
  parent: string | null;
  /** Where the model came from: 'tg4 train', 'sb3-export', 'remote', … */
  source: string;
  registered: string;
}

function sha256(buf: Uint8Array | string): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** JSON with object keys sorted at every level: the same value always gives the same bytes. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * The files of a version folder that a seal covers: every regular file but the seal itself, in subfolders too (named
 * 'oos/report.html'), sorted by name. Names starting with '.' (temporary and pending files) are not part of a version.
 */
export function listVersionFiles(dir: string, sub = ''): SealedFile[] {
  const out: SealedFile[] = [];
  for (const name of readdirSync(join(dir, sub)).sort()) {
    if ((sub === '' && name === SEAL_FILE) || name.startsWith('.')) continue;
    const rel = sub === '' ? name : `${sub}/${name}`;
    const p = join(dir, rel);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) {
      throw new RegistryError(`${p} is a symbolic link: a model version holds only its own regular files`);
    }
    if (st.isDirectory()) {
      out.push(...listVersionFiles(dir, rel));
      continue;
    }
    if (!st.isFile()) throw new RegistryError(`${p} is not a regular file: a model version holds only regular files`);
    const buf = readFileSync(p);
    out.push({ name: rel, bytes: buf.length, sha256: sha256(buf) });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function contentHash(manifest: unknown, files: readonly SealedFile[]): string {
  return sha256(canonicalJson({ manifest, files: files.map((f) => [f.name, f.bytes, f.sha256]) }));
}

function readManifest(dir: string): unknown {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) throw new RegistryError(`${dir} has no manifest.json: it is not a model version`);
  try {
    return JSON.parse(readFileSync(p, 'utf8'));
  } catch (err) {
    throw new RegistryError(`${p} is not valid JSON (${(err as Error).message}): the version is corrupt`);
  }
}

/** Seals a version folder (writes registry.json atomically). */
export function sealVersion(dir: string, meta: { parent?: string | null; source: string; registered?: string }): Seal {
  const files = listVersionFiles(dir);
  const seal: Seal = {
    format: SEAL_FORMAT,
    contentHash: contentHash(readManifest(dir), files),
    files,
    parent: meta.parent ?? null,
    source: meta.source,
    registered: meta.registered ?? new Date().toISOString(),
  };
  writeFileAtomic(join(dir, SEAL_FILE), `${JSON.stringify(seal, null, 2)}\n`);
  return seal;
}

const pendingName = (name: string): string => `.${name}.pending`;

/**
 * Adds (or replaces) files of a sealed version (a gate report) so that the version is never seen half-changed: the
 * bytes go to hidden pending files first, then the new seal (listing the files with their hashes) replaces the old one
 * atomically — the commit point — then the pending files are renamed into place. A crash before the seal leaves the old
 * version (pending files are not part of it); a crash after it is rolled forward by the next verifyVersion.
 */
export function addFilesToVersion(dir: string, add: Readonly<Record<string, string | Uint8Array>>): Seal {
  const old = verifyVersion(dir);
  const names = Object.keys(add);
  for (const name of names)
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name) || name === SEAL_FILE || name === 'manifest.json')
      throw new RegistryError(`'${name}' cannot be added to a version (a plain file name, not the manifest or seal)`);
  const added: SealedFile[] = [];
  for (const name of names) {
    const v = add[name]!;
    const buf = typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v);
    writeFileAtomic(join(dir, pendingName(name)), buf);
    added.push({ name, bytes: buf.length, sha256: sha256(buf) });
  }
  const files = [...old.files.filter((f) => !names.includes(f.name)), ...added].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const seal: Seal = { ...old, files, contentHash: contentHash(readManifest(dir), files) };
  writeFileAtomic(join(dir, SEAL_FILE), `${JSON.stringify(seal, null, 2)}\n`);
  for (const name of names) renameSync(join(dir, pendingName(name)), join(dir, name));
  return seal;
}

/** Completes an addFilesToVersion that crashed after its seal was written: the pending file holds the sealed bytes. */
function rollForward(dir: string, seal: Seal): void {
  for (const f of seal.files) {
    const p = join(dir, f.name);
    const pending = join(dir, pendingName(f.name));
    if (!existsSync(pending)) continue;
    const cur = existsSync(p) ? sha256(readFileSync(p)) : null;
    if (cur === f.sha256) continue;
    if (sha256(readFileSync(pending)) === f.sha256) renameSync(pending, p);
  }
}

export function readSeal(dir: string): Seal {
  const p = join(dir, SEAL_FILE);
  if (!existsSync(p)) {
    throw new RegistryError(
      `${dir} is not registered (no ${SEAL_FILE}): register it with \`tg4 models register ${dir}\``,
    );
  }
  let seal: Seal;
  try {
    seal = JSON.parse(readFileSync(p, 'utf8')) as Seal;
  } catch (err) {
    throw new RegistryError(`${p} is not valid JSON (${(err as Error).message}): the registry entry is corrupt`);
  }
  if (seal?.format !== SEAL_FORMAT || !Array.isArray(seal.files) || typeof seal.contentHash !== 'string') {
    throw new RegistryError(`${p} is not a ${SEAL_FORMAT} seal: the registry entry is corrupt`);
  }
  return seal;
}

/** Checks the folder against its seal; throws naming the first difference. Returns the seal when it matches. */
export function verifyVersion(dir: string): Seal {
  const seal = readSeal(dir);
  rollForward(dir, seal);
  const now = listVersionFiles(dir);
  const was = new Map(seal.files.map((f) => [f.name, f]));
  for (const f of now) {
    const s = was.get(f.name);
    if (s === undefined)
      throw new RegistryError(`${join(dir, f.name)} was added after the version was sealed: remove it`);
    if (s.bytes !== f.bytes || s.sha256 !== f.sha256) {
      throw new RegistryError(
        `${join(dir, f.name)} changed after the version was sealed (${f.bytes} bytes, sealed ${s.bytes}; content differs): restore it or register a new version`,
      );
    }
    was.delete(f.name);
  }
  for (const name of was.keys()) throw new RegistryError(`${join(dir, name)} is missing: the version is incomplete`);
  if (contentHash(readManifest(dir), now) !== seal.contentHash) {
    throw new RegistryError(`${dir}: the content hash does not match its seal: the version is corrupt`);
  }
  return seal;
}
