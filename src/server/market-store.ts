// The server's store of market data derived for sessions: loaded frames (per dataset, symbol, timeframe) and feature
// matrices (per frame and feature-spec hash). Sessions over the same data and spec get the same objects, read-only, so
// 64 sessions over the bundled data hold one matrix, not 64 copies. An entry lives while a session holds it (leases
// count references) and its bytes count against the server's memory limit.
import type { MarketFrame } from '../../replay/market-frame.ts';

interface Entry {
  value: unknown;
  bytes: number;
  refs: number;
}

/** The entries one session holds; release() when the session closes (or its make fails). */
export class StoreLease {
  private readonly keys: string[] = [];
  private released = false;
  constructor(private readonly store: MarketStore) {}
  hold(key: string): void {
    this.keys.push(key);
  }
  /** Bytes of the entries this lease holds (shared ones included). */
  get bytes(): number {
    return this.store.bytesOf(this.keys);
  }
  release(): void {
    if (this.released) return;
    this.released = true;
    this.store.drop(this.keys);
  }
}

export class MarketStore {
  private readonly entries = new Map<string, Entry>();

  /** Bytes of every entry held by some session. */
  totalBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.bytes;
    return n;
  }

  get size(): number {
    return this.entries.size;
  }

  lease(): StoreLease {
    return new StoreLease(this);
  }

  /** The entry under `key`, built once by `build` (which may refuse, e.g. over the memory limit); held by `lease`. */
  async get<T>(lease: StoreLease, key: string, build: () => Promise<{ value: T; bytes: number }>): Promise<T> {
    let e = this.entries.get(key);
    if (e === undefined) {
      const built = await build();
      // Another make may have built the same entry while this one awaited: keep the first.
      e = this.entries.get(key) ?? { value: built.value, bytes: built.bytes, refs: 0 };
      this.entries.set(key, e);
    }
    e.refs++;
    lease.hold(key);
    return e.value as T;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  bytesOf(keys: readonly string[]): number {
    let n = 0;
    for (const k of new Set(keys)) n += this.entries.get(k)?.bytes ?? 0;
    return n;
  }

  drop(keys: readonly string[]): void {
    for (const k of keys) {
      const e = this.entries.get(k);
      if (e === undefined) continue;
      if (--e.refs <= 0) this.entries.delete(k);
    }
  }
}

/** Bytes of a frame's columns. */
export function frameBytes(f: MarketFrame): number {
  let n = 0;
  for (const v of Object.values(f)) if (ArrayBuffer.isView(v)) n += v.byteLength;
  return n;
}
