// Base class of every space: owns the seeded sampling stream (one per space, as in Gymnasium).
import type { Dtype, Space, SpaceJSON } from '../types.ts';
import { Rng } from '../rng.ts';

export abstract class BaseSpace<T> implements Space<T> {
  abstract readonly shape: readonly number[] | null;
  abstract readonly dtype: Dtype | null;
  private rng: Rng | null = null;

  /** The sampling stream; created from OS entropy on first use when seed() was never called. */
  protected get npRandom(): Rng {
    if (this.rng === null) this.rng = new Rng();
    return this.rng;
  }

  seed(seed?: number): number[] {
    this.rng = new Rng(seed);
    return [this.rng.seed];
  }

  abstract sample(): T;
  abstract contains(x: unknown): boolean;
  abstract toJSON(): SpaceJSON;
  /** Gymnasium-style description, used in error messages, e.g. `Box(-1.0, 1.0, (3,), float32)`. */
  abstract toString(): string;
}

/** Short, bounded rendering of a value for error messages. */
export function describeValue(x: unknown): string {
  if (typeof x === 'number' || typeof x === 'boolean' || x === null || x === undefined) return String(x);
  if (typeof x === 'string') return JSON.stringify(x);
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const arr = x as unknown as ArrayLike<number>;
    const head = Array.from({ length: Math.min(arr.length, 8) }, (_, i) => String(arr[i]));
    return `${x.constructor.name}[${head.join(', ')}${arr.length > 8 ? ', …' : ''}] (length ${arr.length})`;
  }
  if (Array.isArray(x)) {
    const head = x.slice(0, 8).map(describeValue);
    return `[${head.join(', ')}${x.length > 8 ? ', …' : ''}] (length ${x.length})`;
  }
  try {
    const s = JSON.stringify(x);
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return Object.prototype.toString.call(x);
  }
}
