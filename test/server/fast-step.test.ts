// The step request's byte reader must return exactly what the general decode + parse returns, or null (then the
// general path runs and gives its errors): over random valid requests and over random damage to them.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { decodeMessage, encodeMessage } from '../../src/server/protocol/codec.ts';
import { readStepRequest } from '../../src/server/protocol/fast-step.ts';
import { parseRequest } from '../../src/server/protocol/messages.ts';

function general(body: Uint8Array): unknown {
  try {
    return parseRequest(decodeMessage(body));
  } catch {
    return 'error';
  }
}
/** Wire arrays compared by value (a view of the request and a decoded copy are equal if their bytes are). */
function plain(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)));
}

function randomRequest(rng: Rng): Record<string, unknown> {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng.random() * xs.length)]!;
  const n = 1 + Math.floor(rng.random() * 300);
  const dtype = pick(['int64', 'int32', 'float32']);
  const width = dtype === 'int64' ? 8 : 4;
  const data = new Uint8Array(n * width).map(() => Math.floor(rng.random() * 256));
  const entries: [string, unknown][] = [
    ['op', 'step'],
    ['session', Array.from({ length: 32 }, () => pick([...'0123456789abcdef'])).join('')],
    ['actions', { dtype, shape: pick([[n], [n, 1]]), data }],
  ];
  if (rng.random() < 0.8) entries.push(['v', 1]);
  if (rng.random() < 0.9) entries.push(['id', pick([0, 7, 200, 70_000, 4_000_000_000, 'req-7', ''])]);
  if (rng.random() < 0.5) entries.push(['env_ids', null]);
  if (rng.random() < 0.7) entries.push(['reuse_reply', pick([true, false, null])]);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(rng.random() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return Object.fromEntries(entries);
}

describe('readStepRequest', () => {
  it('returns what decode + parseRequest return, for random step requests in any key order', () => {
    const rng = new Rng(11);
    for (let t = 0; t < 2000; t++) {
      const body = encodeMessage(randomRequest(rng));
      const fast = readStepRequest(body);
      expect(fast).not.toBeNull();
      expect(plain(fast)).toEqual(plain(general(body)));
    }
  });

  it('returns null or the same as the general path for damaged, truncated or unusual requests, and never throws', () => {
    const rng = new Rng(12);
    let agreed = 0;
    for (let t = 0; t < 20_000; t++) {
      const body = Buffer.from(encodeMessage(randomRequest(rng)));
      const kind = t % 3;
      if (kind === 0) body[Math.floor(rng.random() * body.length)] = Math.floor(rng.random() * 256);
      const bytes = kind === 1 ? body.subarray(0, Math.floor(rng.random() * body.length)) : body;
      const fast = readStepRequest(bytes);
      if (fast === null) continue;
      expect(plain(fast)).toEqual(plain(general(bytes)));
      agreed++;
    }
    expect(agreed).toBeGreaterThan(5000); // the third kept whole, and damage the reader accepts equally
  });

  it('leaves other ops, extra keys, env_ids and non-ASCII text to the general path', () => {
    const base = {
      v: 1,
      id: 1,
      op: 'step',
      session: 'abc',
      actions: { dtype: 'int64', shape: [1], data: new Uint8Array(8) },
    };
    expect(readStepRequest(encodeMessage(base))).not.toBeNull();
    for (const odd of [
      { ...base, op: 'reset' },
      { ...base, extra: 1 },
      { ...base, env_ids: [0] },
      { ...base, session: 'sé' },
      { ...base, v: 2 },
      { ...base, id: -1 },
      { ...base, id: 1.5 },
      { ...base, actions: { ...base.actions, extra: 0 } },
    ])
      expect(readStepRequest(encodeMessage(odd))).toBeNull();
  });
});
