// The model registry over a folder (models/ by default): model names (<algo>-<env slug>) holding sealed versions
// (vNNNN), and aliases rather than stages — named, movable pointers such as champion, challenger, paper — as MLflow
// settled on. Every alias move is appended to an audit log (when, from, to, the reason, the gate report) before the
// pointer file is replaced, both durably; aliases.json is what readers follow, history.jsonl is why it moved.
//   <root>/<name>/vNNNN/          manifest.json, weights.bin, … and registry.json (the seal: content.ts)
//   <root>/.registry/aliases.json {format, aliases: {<name>: {<alias>: "vNNNN"}}}
//   <root>/.registry/history.jsonl one AliasMove per line
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { appendLineDurable, writeFileAtomic } from '../core/atomic-file.ts';
import { RegistryError } from './errors.ts';
import { addFilesToVersion, sealVersion, verifyVersion, type Seal } from './content.ts';

const ALIASES_FORMAT = 'tg4-registry-aliases/1';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const VERSION_RE = /^v\d{4,}$/;
const ALIAS_RE = /^[a-z][a-z0-9_-]{0,31}$/;

export interface ResolvedVersion {
  name: string;
  version: string;
  dir: string;
  /** The alias the reference went through, if any. */
  alias?: string;
}

export interface AliasMove {
  time: string;
  name: string;
  alias: string;
  /** The version the alias pointed to before (null: it was new). */
  from: string | null;
  /** The version it points to now (null: the alias was removed). */
  to: string | null;
  action: 'promote' | 'rollback' | 'remove';
  reason: string;
  /** The gate's report file in the target version's folder and its verdict, when a gate ran. */
  gate: { passed: boolean; report: string } | null;
  /** A failing gate overridden with --force. */
  forced: boolean;
}

export interface MoveOptions {
  reason: string;
  gate?: AliasMove['gate'];
  forced?: boolean;
}

interface AliasesFile {
  format: typeof ALIASES_FORMAT;
  aliases: Record<string, Record<string, string>>;
}

function checkName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new RegistryError(`'${name}' is not a model name (letters, digits, '.', '_', '-'; e.g. ppo-tg4_Trading-v0)`);
  }
}

function checkAlias(alias: string): void {
  if (!ALIAS_RE.test(alias)) {
    throw new RegistryError(
      `'${alias}' is not an alias name: lower-case letters, digits, '_' or '-', starting with a letter (e.g. champion)`,
    );
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A line cut short by a crash mid-append described a move that never happened: cut it off before appending. */
function dropTornTail(path: string): void {
  if (!existsSync(path)) return;
  const buf = readFileSync(path);
  if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return;
  truncateSync(path, buf.lastIndexOf(0x0a) + 1);
}

export class ModelRegistry {
  readonly root: string;
  private readonly meta: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.meta = join(this.root, '.registry');
  }

  /** Model names that hold at least one version folder. */
  names(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root)
      .filter((n) => NAME_RE.test(n) && statSync(join(this.root, n)).isDirectory())
      .filter((n) => this.versions(n).length > 0)
      .sort();
  }

  versions(name: string): string[] {
    checkName(name);
    const dir = join(this.root, name);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((v) => VERSION_RE.test(v) && existsSync(join(dir, v, 'manifest.json')))
      .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  }

  versionDir(name: string, version: string): string {
    checkName(name);
    if (!VERSION_RE.test(version)) throw new RegistryError(`'${version}' is not a version (v0001, v0002, …)`);
    return join(this.root, name, version);
  }

  /**
   * Resolves 'name/vNNNN', 'name@alias', 'name' (its latest version) or a version folder inside the registry.
   * Does not verify the content: load through `verify` (or `open`) for that.
   */
  resolve(ref: string): ResolvedVersion {
    const at = ref.indexOf('@');
    if (at > 0) {
      const name = ref.slice(0, at);
      const alias = ref.slice(at + 1);
      checkName(name);
      checkAlias(alias);
      const version = this.aliases(name)[alias];
      if (version === undefined) {
        const known = Object.keys(this.aliases(name));
        throw new RegistryError(
          `${name} has no alias '${alias}'` +
            (known.length ? ` (it has: ${known.join(', ')})` : ': promote a version first'),
        );
      }
      return { name, version, dir: this.versionDir(name, version), alias };
    }
    const abs = resolve(ref);
    const rel = relative(this.root, abs);
    const parts = existsSync(abs) && !rel.startsWith('..') && rel !== '' ? rel.split(sep) : ref.split('/');
    if (parts.length === 2 && VERSION_RE.test(parts[1]!)) {
      const [name, version] = parts as [string, string];
      const dir = this.versionDir(name, version);
      if (!existsSync(join(dir, 'manifest.json')))
        throw new RegistryError(`no model version ${name}/${version} in ${this.root}`);
      return { name, version, dir };
    }
    if (parts.length === 1) {
      const name = parts[0]!;
      const vs = this.versions(name);
      if (vs.length === 0) {
        throw new RegistryError(
          `no model '${name}' in ${this.root} (models: ${this.names().join(', ') || 'none yet'})`,
        );
      }
      const version = vs[vs.length - 1]!;
      return { name, version, dir: this.versionDir(name, version) };
    }
    throw new RegistryError(`'${ref}' is not a model reference: use name/vNNNN, name@alias or name`);
  }

  /** Checks a version against its seal and returns the seal (REGISTRY_ERROR naming what changed). */
  verify(ref: string): Seal & ResolvedVersion {
    const r = this.resolve(ref);
    return { ...verifyVersion(r.dir), ...r };
  }

  /** Seals a version folder already inside the registry (written by `tg4 train`). */
  register(ref: string, meta: { source: string; parent?: string | null }): Seal & ResolvedVersion {
    const r = this.resolve(ref);
    return { ...sealVersion(r.dir, meta), ...r };
  }

  /**
   * Copies a model folder from elsewhere into `<name>/<next version>` and seals it; the copy is built in a temporary
   * folder and renamed into place, so a crash never leaves a half version behind.
   */
  importVersion(src: string, name: string, meta: { source: string; parent?: string | null }): Seal & ResolvedVersion {
    checkName(name);
    if (!existsSync(join(src, 'manifest.json')))
      throw new RegistryError(`${src} holds no manifest.json: not a model folder`);
    const base = join(this.root, name);
    mkdirSync(base, { recursive: true });
    return this.withLock(() => {
      const vs = this.versions(name);
      const next = `v${String((vs.length ? Number(vs[vs.length - 1]!.slice(1)) : 0) + 1).padStart(4, '0')}`;
      const tmp = join(base, `.${next}.${process.pid}.tmp`);
      rmSync(tmp, { recursive: true, force: true });
      cpSync(src, tmp, { recursive: true, dereference: false, filter: (s) => basename(s) !== 'registry.json' });
      const seal = sealVersion(tmp, meta);
      renameSync(tmp, join(base, next));
      return { ...seal, name, version: next, dir: join(base, next) };
    });
  }

  /** Adds files (a gate report) to a sealed version under the writer lock, atomically (content.ts addFilesToVersion). */
  addFiles(ref: string, files: Readonly<Record<string, string | Uint8Array>>): Seal & ResolvedVersion {
    const r = this.resolve(ref);
    return this.withLock(() => ({ ...addFilesToVersion(r.dir, files), ...r }));
  }

  aliases(name: string): Record<string, string> {
    checkName(name);
    return { ...(this.readAliases().aliases[name] ?? {}) };
  }

  /** Points `alias` of `name` at `version` (verified first); logs the move, then replaces the pointer file. */
  setAlias(
    name: string,
    alias: string,
    version: string,
    opts: MoveOptions & { action?: AliasMove['action'] },
  ): AliasMove {
    checkAlias(alias);
    if (!opts.reason?.trim()) throw new RegistryError('every alias move needs a reason (--reason "…")');
    verifyVersion(this.versionDir(name, version));
    return this.withLock(() => {
      const file = this.readAliases();
      const from = file.aliases[name]?.[alias] ?? null;
      const move: AliasMove = {
        time: new Date().toISOString(),
        name,
        alias,
        from,
        to: version,
        action: opts.action ?? 'promote',
        reason: opts.reason,
        gate: opts.gate ?? null,
        forced: opts.forced ?? false,
      };
      this.commitMove(file, move);
      return move;
    });
  }

  /** Moves `alias` back to where it pointed before its last move (logged as a rollback). */
  rollback(name: string, alias: string, reason: string): AliasMove {
    checkAlias(alias);
    if (!reason?.trim()) throw new RegistryError('a rollback needs a reason (--reason "…")');
    return this.withLock(() => {
      const file = this.readAliases();
      const current = file.aliases[name]?.[alias];
      if (current === undefined) throw new RegistryError(`${name}@${alias} is not set: nothing to roll back`);
      const last = this.history(name, alias)
        .filter((m) => m.to === current)
        .pop();
      if (last === undefined || last.from === null) {
        throw new RegistryError(
          `${name}@${alias} has no earlier version to roll back to (see \`tg4 models history ${name}\`)`,
        );
      }
      verifyVersion(this.versionDir(name, last.from));
      const move: AliasMove = {
        time: new Date().toISOString(),
        name,
        alias,
        from: current,
        to: last.from,
        action: 'rollback',
        reason,
        gate: null,
        forced: false,
      };
      this.commitMove(file, move);
      return move;
    });
  }

  /** The audit log, oldest first (optionally of one model and alias). A torn last line (a crash mid-append) is skipped. */
  history(name?: string, alias?: string): AliasMove[] {
    const p = join(this.meta, 'history.jsonl');
    if (!existsSync(p)) return [];
    const lines = readFileSync(p, 'utf8').split('\n');
    const out: AliasMove[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line === '') continue;
      let m: AliasMove;
      try {
        m = JSON.parse(line) as AliasMove;
      } catch {
        if (i === lines.length - 1) continue; // torn tail: the move it described never reached aliases.json
        throw new RegistryError(`${p}: line ${i + 1} is not valid JSON: the audit log is corrupt`);
      }
      if ((name === undefined || m.name === name) && (alias === undefined || m.alias === alias)) out.push(m);
    }
    return out;
  }

  /** The seal and manifest of a version, verified. */
  describe(ref: string): {
    resolved: ResolvedVersion;
    seal: Seal;
    manifest: Record<string, unknown>;
    aliases: string[];
  } {
    const v = this.verify(ref);
    const manifest = JSON.parse(readFileSync(join(v.dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const aliases = Object.entries(this.aliases(v.name))
      .filter(([, ver]) => ver === v.version)
      .map(([a]) => a);
    return { resolved: { name: v.name, version: v.version, dir: v.dir }, seal: v, manifest, aliases };
  }

  private readAliases(): AliasesFile {
    const p = join(this.meta, 'aliases.json');
    if (!existsSync(p)) return { format: ALIASES_FORMAT, aliases: {} };
    let f: AliasesFile;
    try {
      f = JSON.parse(readFileSync(p, 'utf8')) as AliasesFile;
    } catch (err) {
      throw new RegistryError(
        `${p} is not valid JSON (${(err as Error).message}): restore it; history.jsonl records every move`,
      );
    }
    if (f?.format !== ALIASES_FORMAT || f.aliases === null || typeof f.aliases !== 'object') {
      throw new RegistryError(`${p} is not a ${ALIASES_FORMAT} file: restore it; history.jsonl records every move`);
    }
    return f;
  }

  private commitMove(file: AliasesFile, move: AliasMove): void {
    mkdirSync(this.meta, { recursive: true });
    // The log first: a crash between the two leaves a logged move that did not happen (readers still follow the old
    // pointer), never a move that was not logged.
    const log = join(this.meta, 'history.jsonl');
    dropTornTail(log);
    appendLineDurable(log, JSON.stringify(move));
    const byName = { ...(file.aliases[move.name] ?? {}) };
    if (move.to === null) delete byName[move.alias];
    else byName[move.alias] = move.to;
    const next: AliasesFile = { format: ALIASES_FORMAT, aliases: { ...file.aliases, [move.name]: byName } };
    writeFileAtomic(join(this.meta, 'aliases.json'), `${JSON.stringify(next, null, 2)}\n`);
  }

  /** One writer at a time per registry (an O_EXCL lock file holding the writer's pid; a dead writer's lock is taken over). */
  private withLock<T>(fn: () => T): T {
    mkdirSync(this.meta, { recursive: true });
    const lock = join(this.meta, 'lock');
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const fd = openSync(lock, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = Number(readFileSync(lock, 'utf8').trim());
        if (!Number.isInteger(holder) || holder <= 0 || !pidAlive(holder)) {
          rmSync(lock, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new RegistryError(
            `the registry at ${this.root} is locked by process ${holder}: wait for it, or remove ${lock} if it is gone`,
          );
        }
        sleepMs(50);
      }
    }
    try {
      return fn();
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

/** The registry folder: --registry, else TG4_REGISTRY, else ./models. */
export function registryRoot(flag?: string): string {
  return flag ?? process.env.TG4_REGISTRY ?? 'models';
}
