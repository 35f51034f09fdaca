import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BUNDLED, bundledPath, DataError, detectGaps, loadBundled, normalizeSymbol } from '../../replay/index.ts';

function rawRows(file: string): number[][] {
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').map(Number));
}

describe('bundled dataset', () => {
  it('default is Kraken BTC/USD 1h with a regular grid and every real row exactly as in the file', () => {
    const f = loadBundled();
    expect(f.symbol).toBe('BTC/USD');
    expect(f.timeframe).toBe('1h');
    expect(f.timeframeMs).toBe(3_600_000);
    const raw = rawRows(bundledPath(BUNDLED[0]!));
    expect(raw.length).toBe(32_800);
    // Regular grid from the first to the last bar.
    expect(f.length).toBe((raw[raw.length - 1]![0]! - raw[0]![0]!) / 3600 + 1);
    let offGrid = 0;
    for (let i = 1; i < f.length; i++) if (f.time[i]! - f.time[i - 1]! !== 3_600_000) offGrid++;
    expect(offGrid).toBe(0);
    // Every real row is present with identical values; the rest are flagged filled.
    let j = 0;
    let filled = 0;
    const mismatches: number[] = [];
    for (let i = 0; i < f.length; i++) {
      if (f.filled![i]) {
        filled++;
        continue;
      }
      const r = raw[j++]!;
      const got = [f.time[i]! / 1000, f.open[i], f.high[i], f.low[i], f.close[i], f.volume[i], f.trades![i]];
      if (got.some((v, k) => v !== r[k])) mismatches.push(i);
    }
    expect(mismatches).toEqual([]);
    expect(j).toBe(raw.length);
    expect(filled).toBe(f.length - raw.length);
    expect(f.vwap).toBeUndefined();
  });

  it('gap policy fill: a filled bar is flat at the previous close with zero volume and trades', () => {
    const f = loadBundled({ symbol: 'BTC/USDC', timeframe: '1m' });
    let seen = 0;
    const wrong: number[] = [];
    for (let i = 1; i < f.length; i++) {
      if (!f.filled![i]) continue;
      seen++;
      const c = f.close[i - 1]!;
      if (
        f.open[i] !== c ||
        f.high[i] !== c ||
        f.low[i] !== c ||
        f.close[i] !== c ||
        f.volume[i] !== 0 ||
        f.trades![i] !== 0
      )
        wrong.push(i);
    }
    expect(wrong).toEqual([]);
    expect(seen).toBe(72_883);
    expect(f.filled![0]).toBe(0);
  });

  it('gap policy keep: rows as stored, gaps reported with their sizes', () => {
    const f = loadBundled({ symbol: 'XBTUSD', gaps: 'keep' });
    expect(f.length).toBe(32_800);
    const g = detectGaps(f.time, f.timeframeMs);
    expect(g.gaps.length).toBe(8);
    expect(g.missingBars).toBe(56);
    expect(g.largest).toBe(23);
  });

  it('accepts aliases, resamples longer timeframes, slices by time', () => {
    expect(normalizeSymbol('XBTUSD')).toBe('BTC/USD');
    expect(normalizeSymbol('btcusdc')).toBe('BTC/USDC');
    expect(normalizeSymbol('xbt/usd')).toBe('BTC/USD');
    const d = loadBundled({ symbol: 'XBT/USD', timeframe: '1d', from: '2019-01-01', to: '2019-02-01' });
    expect(d.timeframe).toBe('1d');
    expect(d.length).toBe(31);
    expect(d.time[0]).toBe(Date.UTC(2019, 0, 1));
    const eth = loadBundled({ symbol: 'ETH/USD', timeframe: '4h' });
    expect(eth.length).toBe(loadBundled({ symbol: 'ETH/USD' }).length / 4);
  });

  it('unknown symbol lists what is bundled; empty range gives the range that exists; bad timeframe says the form', () => {
    expect(() => loadBundled({ symbol: 'DOGE/USD' })).toThrow(DataError);
    expect(() => loadBundled({ symbol: 'DOGE/USD' })).toThrow(/BTC\/USD 1h, ETH\/USD 1h, BTC\/USDC 1m/);
    expect(() => loadBundled({ from: '2030-01-01' })).toThrow(/2017-01-01T00:00:00Z → 2020-09-30T23:00:00Z/);
    expect(() => loadBundled({ timeframe: '1m' })).toThrow(/not a multiple/);
    expect(() => loadBundled({ timeframe: 'hourly' })).toThrow(/<number><m\|h\|d>/);
  });
});
