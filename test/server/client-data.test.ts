// Market data a client sends as columns (src/server/client-data.ts): checked like a candle CSV, gap-filled like it,
// bounded before allocating, shared by content, extra columns carried onto the filled bars. End to end from Python:
// test/python/test_real_libraries.py (OwnDataTests).
import { describe, expect, it } from 'vitest';
import { CLIENT_DATA_LIMITS, clientFrameFor, isClientData } from '../../src/server/client-data.ts';
import { MarketStore } from '../../src/server/market-store.ts';
import type { WireArray } from '../../src/server/protocol/arrays.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

function f64(values: number[]): WireArray {
  const a = Float64Array.from(values);
  return { dtype: 'float64', shape: [a.length], data: new Uint8Array(a.buffer) };
}

function candles(times: number[], extra: Record<string, number[]> = {}): { columns: Record<string, WireArray> } {
  const p = times.map((_, i) => 100 + i);
  return {
    columns: {
      time: f64(times),
      open: f64(p),
      high: f64(p.map((x) => x + 1)),
      low: f64(p.map((x) => x - 1)),
      close: f64(p),
      volume: f64(times.map(() => 1)),
      ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, f64(v)])),
    },
  };
}

function setup(reserved: number[] = []) {
  const store = new MarketStore();
  const ctx = { store, reserve: (bytes: number) => void reserved.push(bytes) };
  return { store, ctx, lease: store.lease() };
}

async function frameOf(data: unknown, timeframe?: string) {
  const { ctx, lease } = setup();
  return (await clientFrameFor(ctx, lease, data, 0, 1, 'SYN/USD', timeframe)).frame;
}

describe('client data sent as columns', () => {
  it('tells columns from names and paths', () => {
    expect(isClientData(candles([T0]))).toBe(true);
    expect(isClientData([candles([T0]), candles([T0])])).toBe(true);
    expect(isClientData('bundled')).toBe(false);
    expect(isClientData({ notColumns: 1 })).toBe(false);
    expect(isClientData(new Uint8Array(4))).toBe(false);
  });

  it('builds a frame with the timeframe inferred, seconds read as the CSV loader reads them, extra columns kept', async () => {
    const secs = [0, 1, 2].map((i) => (T0 + i * H) / 1000);
    const f = await frameOf(candles(secs, { sentiment: [10, 20, 30] }));
    expect(f.timeframe).toBe('1h');
    expect(Array.from(f.time)).toEqual([T0, T0 + H, T0 + 2 * H]);
    expect(Array.from(f.close)).toEqual([100, 101, 102]);
    expect(Array.from(f.extra!.sentiment!)).toEqual([10, 20, 30]);
    expect(f.symbol).toBe('SYN/USD');
  });

  it('fills gaps as the CSV loader does and carries extra columns over the filled bars', async () => {
    const f = await frameOf(candles([T0, T0 + H, T0 + 4 * H], { signal: [1, 2, 5] }), '1h');
    expect(f.length).toBe(5);
    expect(Array.from(f.filled!)).toEqual([0, 0, 1, 1, 0]);
    expect(Array.from(f.close)).toEqual([100, 101, 101, 101, 102]);
    expect(Array.from(f.extra!.signal!)).toEqual([1, 2, 2, 2, 5]);
  });

  it('refuses bad rows with the row, like a CSV', async () => {
    const bad = candles([T0, T0 + H, T0 + 2 * H]);
    bad.columns.high = f64([101, 0.5, 103]);
    await expect(frameOf(bad)).rejects.toMatchObject({ code: 'DATA_ERROR', message: expect.stringMatching(/row 1/) });
    await expect(frameOf(candles([T0, T0]))).rejects.toThrow(/rows must ascend/);
    await expect(frameOf(candles([T0, T0 + H, T0 + H + 60_000]), '1h')).rejects.toThrow(/off the 1h grid/);
    await expect(frameOf(candles([T0, T0 + H], { s: [1, Number.NaN] }))).rejects.toThrow(/not a finite number/);
    const missing = candles([T0]);
    delete (missing.columns as Record<string, unknown>).volume;
    await expect(frameOf(missing)).rejects.toThrow(/missing column\(s\) volume/);
    const short = candles([T0, T0 + H]);
    short.columns.open = f64([1]);
    await expect(frameOf(short)).rejects.toThrow(/2 rows/);
  });

  it('bounds rows, filled bars, columns and symbols before allocating them', async () => {
    const twoYearsOf1m = [T0, T0 + 2 * 365 * 24 * H];
    await expect(frameOf(candles(twoYearsOf1m), '1m')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    const wide = candles([T0], Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`c${i}`, [1]])));
    await expect(frameOf(wide)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    const { ctx, lease } = setup();
    await expect(
      clientFrameFor(ctx, lease, [candles([T0])], 0, CLIENT_DATA_LIMITS.maxSymbols + 1, undefined, undefined),
    ).rejects.toThrow(/column set/);
    const reserved: number[] = [];
    const s = setup(reserved);
    await clientFrameFor(s.ctx, s.lease, candles([T0, T0 + 9 * H]), 0, 1, undefined, '1h');
    expect(reserved[0]).toBeGreaterThanOrEqual(10 * 8 * 6); // asked before the 10 filled bars were allocated
  });

  it('shares one frame between makes of the same bytes, and names a mismatch of symbols and column sets', async () => {
    const { store, ctx } = setup();
    const a = await clientFrameFor(ctx, store.lease(), candles([T0, T0 + H]), 0, 1, 'X/USD', undefined);
    const b = await clientFrameFor(ctx, store.lease(), candles([T0, T0 + H]), 0, 1, 'X/USD', undefined);
    expect(b.frame).toBe(a.frame);
    expect(store.size).toBe(1);
    await expect(clientFrameFor(ctx, store.lease(), candles([T0]), 0, 2, undefined, undefined)).rejects.toThrow(
      /1 column set\(s\) for 2 symbol\(s\)/,
    );
  });
});
