import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED, bundledPath, DataError, detectGaps, loadCsv, loadCsvWithReport } from '../../replay/index.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// A real slice: the first 3,000 rows of Kraken BTC/USDC 1m (headerless OHLCVT), as text lines.
const lines = gunzipSync(readFileSync(bundledPath(BUNDLED[2]!)))
  .toString('utf8')
  .trim()
  .split('\n')
  .slice(0, 3000);

describe('loadCsv', () => {
  it('reads a header-named CSV with ISO times, columns in any order, optional vwap', () => {
    const p = tmp.file(
      'binance.csv',
      [
        'Close,open_time,Open,High,Low,Volume,VWAP',
        '101.5,2023-03-01 00:00:00+00:00,100,102,99.5,3.25,101',
        '102,2023-03-01 00:01:00+00:00,101.5,102.5,101,1.5,',
        '103,2023-03-01T00:03:00Z,102,103,101.75,2,102.5',
      ].join('\n'),
    );
    const r = loadCsvWithReport(p, { symbol: 'btcusd', gaps: 'keep' });
    const f = r.frame;
    expect(f.symbol).toBe('BTC/USD');
    expect(f.timeframe).toBe('1m');
    expect([...f.time]).toEqual([Date.UTC(2023, 2, 1, 0, 0), Date.UTC(2023, 2, 1, 0, 1), Date.UTC(2023, 2, 1, 0, 3)]);
    expect([...f.close]).toEqual([101.5, 102, 103]);
    expect([...f.vwap!]).toEqual([101, NaN, 102.5]);
    expect(f.trades).toBeUndefined();
    expect(r.gaps.gaps).toEqual([{ start: Date.UTC(2023, 2, 1, 0, 2), end: Date.UTC(2023, 2, 1, 0, 2), bars: 1 }]);
  });

  it('reports a malformed row with its line number (stop throws, skip lists it and keeps the rest)', () => {
    const bad = [...lines.slice(0, 10)];
    bad[6] = bad[6]!.replace(/,[^,]*,/, ',abc,'); // line 7: open is not a number
    bad[8] = `${bad[8]},extra`; // line 9: 8 fields
    const p = tmp.file('bad.csv', bad.join('\n'));
    expect(() => loadCsv(p, { format: 'kraken-ohlcvt' })).toThrow(DataError);
    expect(() => loadCsv(p, { format: 'kraken-ohlcvt' })).toThrow(
      /bad\.csv:7: bad row \(open\/high\/low\/close must be finite numbers\)/,
    );
    const r = loadCsvWithReport(p, { format: 'kraken-ohlcvt', onError: 'skip', gaps: 'keep' });
    expect(r.bad.map((b) => b.line)).toEqual([7, 9]);
    expect(r.bad[1]!.reason).toMatch(/expected 7 fields/);
    expect(r.rowsRead).toBe(10);
    expect(r.frame.length).toBe(8);
  });

  it('rejects inconsistent prices, negative volume and rows out of time order, each with its line', () => {
    const rows = lines.slice(0, 6);
    const f = rows[2]!.split(',');
    rows[2] = [f[0], f[1], String(Number(f[3]) - 1), f[3], f[4], f[5], f[6]].join(','); // high < low
    const g = rows[3]!.split(',');
    rows[3] = [g[0], g[1], g[2], g[3], g[4], '-1', g[6]].join(',');
    rows[5] = rows[0]!; // earlier time again
    const p = tmp.file('inconsistent.csv', rows.join('\n'));
    const r = loadCsvWithReport(p, { onError: 'skip', gaps: 'keep' });
    expect(r.bad.map((b) => [b.line, b.reason.split(' ')[0]])).toEqual([
      [3, 'inconsistent'],
      [4, 'volume'],
      [6, 'time'],
    ]);
  });

  it('detects gaps cut into a real file: positions and sizes', () => {
    // The slice has its own natural gaps; cut three more holes and expect exactly those extra missing bars.
    const base = detectGaps(
      lines.map((l) => Number(l.split(',')[0]) * 1000),
      60_000,
    );
    const cut = new Set([100, 101, 102, 1500, 2500, 2501, 2502, 2503, 2504, 2505, 2506]);
    const kept = lines.filter((_, i) => !cut.has(i));
    const p = tmp.file('holes.csv', kept.join('\n'));
    const r = loadCsvWithReport(p, { gaps: 'keep' });
    expect(r.gaps.missingBars - base.missingBars).toBe(cut.size); // each cut row is one more missing minute
    // Each hole is one gap from the bar after the row before it to the bar before the row after it.
    const t = (i: number): number => Number(lines[i]!.split(',')[0]) * 1000;
    for (const [first, last] of [
      [100, 102],
      [1500, 1500],
      [2500, 2506],
    ] as const) {
      const expected = {
        start: t(first - 1) + 60_000,
        end: t(last + 1) - 60_000,
        bars: (t(last + 1) - t(first - 1)) / 60_000 - 1,
      };
      expect(r.gaps.gaps).toContainEqual(expected);
    }
    const filled = loadCsv(p); // default 'fill': flagged bars fill exactly the missing ones
    expect(filled.filled!.reduce((s, x) => s + x, 0)).toBe(r.gaps.missingBars);
  });

  it('guesses the Kraken archive layout and the symbol/timeframe from a Kraken file name', () => {
    const p = tmp.file('ETHUSD_60.csv', lines.slice(0, 50).join('\n'));
    const f = loadCsv(p, { gaps: 'keep' });
    expect(f.symbol).toBe('ETH/USD');
    expect(f.timeframe).toBe('1h');
  });

  it('a missing file, an empty file and a header without required columns are clear errors', () => {
    expect(() => loadCsv(`${tmp.dir}/nope.csv`)).toThrow(/cannot read .*nope\.csv.*ENOENT/);
    expect(() => loadCsv(tmp.file('empty.csv', ''))).toThrow(/no candle rows/);
    expect(() => loadCsv(tmp.file('hdr.csv', 'time,open,high,low\n1,2,3,1\n'))).toThrow(
      /:1: header .* lacks column\(s\) close, volume/,
    );
  });
});

describe('parseNumber (the CSV hot path)', () => {
  it('is bit-identical to Number() on decimals, and NaN for anything that is not a plain decimal (0x10, Infinity)', async () => {
    const fc = await import('fast-check');
    const { DECIMAL, parseNumber } = await import('../../replay/csv/candle-parser.ts');
    const same = (s: string): boolean => Object.is(parseNumber(s, 0, s.length), DECIMAL.test(s) ? Number(s) : NaN);
    fc.assert(fc.property(fc.stringMatching(/^-?[0-9]{0,18}(\.[0-9]{0,18})?$/), same), { numRuns: 20_000 });
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => same(String(x))),
      { numRuns: 20_000 },
    );
    fc.assert(fc.property(fc.string({ maxLength: 8 }), same), { numRuns: 5_000 });
    for (const s of ['0', '-0', '.5', '5.', '1e5', ' 5', '-', '.', '1.2.3', '0x10', 'Infinity'])
      expect(same(s)).toBe(true);
    for (const s of ['0x10', '0b1', 'Infinity', ' ', '1_0']) expect(parseNumber(s, 0, s.length)).toBeNaN();
    expect(parseNumber(' 5', 0, 2)).toBe(5);
  });
});
