import { describe, expect, it } from 'vitest';
import { BinaryCopyReader, BinaryCopyWriter, PG_EPOCH_MS } from '../../replay/db/pg-binary.ts';

describe('binary COPY codec', () => {
  it('round-trips timestamps, doubles and NULLs however the stream is chunked', () => {
    const times = [
      Date.UTC(2017, 0, 1),
      Date.UTC(1999, 11, 31, 23, 59),
      Date.UTC(2023, 2, 31, 23, 59, 59, 999),
      PG_EPOCH_MS,
    ];
    const w = new BinaryCopyWriter(8); // tiny: forces growth
    for (const [i, t] of times.entries()) {
      w.row(3);
      w.timestampUs(t * 1000);
      w.float8(i === 2 ? NaN : 0.1 * (i + 1) + 16522.66);
      w.int4(i === 1 ? NaN : i * 1000);
    }
    const payload = w.finish();
    for (const step of [1, 3, 7, 64, payload.length]) {
      const r = new BinaryCopyReader(['timestamptz-ms', 'float8', 'int4']);
      for (let p = 0; p < payload.length; p += step) r.push(payload.subarray(p, p + step));
      const [t, x, n] = r.finish();
      expect(r.length).toBe(4);
      expect([...t!]).toEqual(times);
      expect([...x!]).toEqual([0.1 + 16522.66, 0.2 + 16522.66, NaN, 0.4 + 16522.66]);
      expect([...n!]).toEqual([0, NaN, 2000, 3000]);
    }
  });

  it('every field kind survives the buffer growing under it (the value lands in the grown buffer)', () => {
    const kinds = ['float8', 'int4', 'int8', 'timestamptz-us'] as const;
    for (const kind of kinds) {
      const w = new BinaryCopyWriter(8); // 64 bytes: grows several times, often inside a field
      const values = Array.from({ length: 300 }, (_, i) => (kind === 'timestamptz-us' ? 1.6e15 + i * 1e6 : i * 7 + 1));
      for (const v of values) {
        w.row(1);
        if (kind === 'float8') w.float8(v);
        else if (kind === 'int4') w.int4(v);
        else if (kind === 'int8') w.int8(v);
        else w.timestampUs(v);
      }
      const r = new BinaryCopyReader([kind]);
      r.push(w.finish());
      expect([...r.finish()[0]!], kind).toEqual(values);
    }
  });

  it('a truncated stream is an error, not a silently short result', () => {
    const w = new BinaryCopyWriter();
    w.row(1);
    w.float8(1);
    const payload = w.finish();
    const r = new BinaryCopyReader(['float8']);
    r.push(payload.subarray(0, payload.length - 2));
    expect(() => r.finish()).toThrow(/ended before its trailer/);
  });
});
