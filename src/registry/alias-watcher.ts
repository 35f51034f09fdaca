// Follows one alias (name@alias) for a running process: polls the registry's aliases.json (its mtime and size, then
// its content when they change), and when the alias points to another version, verifies that version against its
// seal and hands it to `onChange` — which loads it and arranges the swap at the next decision boundary. Polling costs
// one stat() per interval off the decision path; a rollback is a move like any other and is picked up the same way.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelRegistry, ResolvedVersion } from './registry.ts';
import { RegistryError } from './errors.ts';

export interface AliasWatcherOptions {
  /** Poll interval (default 1,000 ms). */
  intervalMs?: number;
  /** The alias now points to a verified version other than the current one. Throw to refuse it (onError is told). */
  onChange: (next: ResolvedVersion) => void;
  onError?: (e: Error) => void;
}

export class AliasWatcher {
  readonly ref: string;
  readonly name: string;
  readonly alias: string;
  /** The version followed now (the last one onChange accepted). */
  version: string;
  private readonly reg: ModelRegistry;
  private readonly o: AliasWatcherOptions;
  private readonly file: string;
  private stamp = '';
  private timer: NodeJS.Timeout | null = null;
  /** A version onChange refused: not offered again until the alias moves elsewhere. */
  private refused: string | null = null;

  constructor(reg: ModelRegistry, ref: string, o: AliasWatcherOptions) {
    const at = ref.indexOf('@');
    if (at <= 0) throw new RegistryError(`'${ref}' is not an alias reference (name@alias)`);
    this.reg = reg;
    this.ref = ref;
    this.name = ref.slice(0, at);
    this.alias = ref.slice(at + 1);
    this.o = o;
    this.file = join(reg.root, '.registry', 'aliases.json');
    this.version = reg.resolve(ref).version;
    this.stamp = this.readStamp();
  }

  private readStamp(): string {
    if (!existsSync(this.file)) return '';
    const st = statSync(this.file);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  }

  /** One poll: returns true when onChange accepted a new version. */
  check(): boolean {
    const stamp = this.readStamp();
    if (stamp === this.stamp) return false;
    this.stamp = stamp;
    try {
      const next = this.reg.resolve(this.ref);
      if (next.version === this.version || next.version === this.refused) return false;
      this.refused = null;
      this.reg.verify(`${next.name}/${next.version}`);
      try {
        this.o.onChange(next);
      } catch (e) {
        this.refused = next.version;
        throw e;
      }
      this.version = next.version;
      return true;
    } catch (e) {
      this.o.onError?.(e as Error);
      return false;
    }
  }

  start(): this {
    if (this.timer === null) {
      this.timer = setInterval(() => this.check(), this.o.intervalMs ?? 1000);
      this.timer.unref();
    }
    return this;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
