// data_hash of the bot's signal events: SHA-256 (hex, first 16 chars) of the canonical JSON of the inputs a decision saw
// (keys sorted, so that the same data hashes the same in any process). Typed arrays hash as plain number arrays.
import { createHash } from 'node:crypto';

function canonical(v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) o[k] = canonical((v as Record<string, unknown>)[k]);
    return o;
  }
  return v;
}

export function dataHash(data: unknown, length = 16): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(data)) ?? 'undefined')
    .digest('hex')
    .slice(0, length);
}
