// Parses one CSV line of candles into a reused CandleRow. Two layouts:
//  - 'kraken-ohlcvt': Kraken's OHLCVT archive, no header: unix_seconds,open,high,low,close,volume,trades
//  - 'csv': a header line naming the columns (any order, case-insensitive): time|timestamp|date|datetime|open_time|ts,
//    open, high, low, close, volume|vol, optional trades|count|trade_count, optional vwap. Times may be unix seconds,
//    unix milliseconds, or ISO-8601 (no zone = UTC).
import type { CandleRow } from '../columns.ts';
import { emptyRow } from '../columns.ts';

export type CandleFormat = 'kraken-ohlcvt' | 'csv';
export const CANDLE_FORMATS: readonly CandleFormat[] = ['kraken-ohlcvt', 'csv'];

/** A row that could not be used, with its 1-based line number in the source file. */
export interface BadRow {
  line: number;
  reason: string;
  text: string;
}

const TIME_NAMES = ['time', 'timestamp', 'date', 'datetime', 'open_time', 'ts', 'interval_begin'];
const ALIASES: Record<string, readonly string[]> = {
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'vol', 'v'],
  trades: ['trades', 'count', 'trade_count', 'n'],
  vwap: ['vwap'],
};

/** Bar and trade times accepted: 1970-01-01 up to (not including) the year 10000, UTC. Anything else is a bad row. */
export const MIN_TIME_MS = 0;
export const MAX_TIME_MS = 253_402_300_800_000;

/**
 * A plain decimal number, spaces around it allowed (`1, 2, 3`): sign, digits, optional fraction and exponent. No hex
 * (0x10), binary, octal, Infinity, digit separators or blanks.
 */
export const DECIMAL = /^[ \t]*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?[ \t]*$/;

/** Number(s) for plain decimals only; NaN for everything Number() would also take (hex, '', ' ', 'Infinity'). */
export function decimal(s: string): number {
  return DECIMAL.test(s) ? Number(s) : NaN;
}

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/**
 * Number(text.slice(start, end)) without the slice, and fast for plain decimals ([-]digits[.digits], ≤ 15 digits): the
 * digits as an integer m < 2^53 divided by an exact power of ten is one correctly rounded IEEE division, so the result
 * is bit-identical to Number(). Other decimals (exponents, long mantissas) fall back to Number(); anything that is not a
 * plain decimal (hex such as 0x10, blanks, Infinity) is NaN, so that it is a bad row, never a number.
 */
export function parseNumber(text: string, start: number, end: number): number {
  if (start >= end) return NaN;
  let i = start;
  let neg = false;
  if (text.charCodeAt(i) === 45 /* - */) {
    neg = true;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = -1; // digits after the point; -1 = no point yet
  for (; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      m = m * 10 + (ch - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (ch === 46 /* . */ && frac < 0) {
      frac = 0;
    } else {
      return decimal(text.slice(start, end));
    }
  }
  if (digits === 0 || digits > 15) return decimal(text.slice(start, end));
  const v = frac > 0 ? m / POW10[frac]! : m;
  return neg ? -v : v;
}

function num(s: string): number {
  return parseNumber(s, 0, s.length);
}

/** Unix seconds, unix ms, or an ISO date (UTC when no zone is given) → ms; NaN when not a time. */
export function parseTimeMs(s: string): number {
  const t = s.trim();
  if (t.length === 0) return NaN;
  const n = decimal(t);
  if (Number.isFinite(n)) return n < 1e11 ? Math.round(n * 1000) : n >= 1e14 ? Math.round(n / 1000) : n;
  if (/^[-+]?\d+$/.test(t) || /^0[xob]/i.test(t)) return NaN; // a number too large, or not decimal: no date either
  let iso = t.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) iso += 'Z';
  return Date.parse(iso);
}

/** The reason a time (ms since the epoch) is outside the accepted range. */
export function timeRangeProblem(ms: number): string {
  return `time ${ms} ms since the epoch is outside 1970-01-01 … 9999-12-31 UTC (a unit mix-up, or a corrupt row)`;
}

/** Checks prices and volume of a parsed row; returns the reason it is unusable, or null. */
export function checkCandle(r: CandleRow): string | null {
  if (!Number.isFinite(r.time)) return 'time is not a number or a date';
  if (r.time < MIN_TIME_MS || r.time >= MAX_TIME_MS) return timeRangeProblem(r.time);
  if (!(Number.isFinite(r.open) && Number.isFinite(r.high) && Number.isFinite(r.low) && Number.isFinite(r.close))) {
    return 'open/high/low/close must be finite numbers';
  }
  if (!Number.isFinite(r.volume) || r.volume < 0) return 'volume must be a finite number ≥ 0';
  if (r.low > r.high || r.high < r.open || r.high < r.close || r.low > r.open || r.low > r.close) {
    return `inconsistent prices: need low ≤ open,close ≤ high (o=${r.open} h=${r.high} l=${r.low} c=${r.close})`;
  }
  if (r.open <= 0 || r.low <= 0) return 'prices must be > 0';
  if (r.trades === r.trades && (r.trades < 0 || !Number.isInteger(r.trades))) return 'trades must be an integer ≥ 0';
  return null;
}

export class CandleLineParser {
  readonly row: CandleRow = emptyRow();
  private readonly format: CandleFormat;
  private idx: number[] | null = null; // csv: field index of time,open,high,low,close,volume,trades,vwap (-1 = absent)

  constructor(format: CandleFormat) {
    this.format = format;
  }

  /**
   * Parses one line (no newline). Returns 'row' (this.row holds it), 'skip' (blank or header), or the reason the
   * line is bad. Throws only for a header that lacks required columns (the whole file is unusable then).
   */
  parse(line: string): 'row' | 'skip' | string {
    if (line.length === 0 || (line.length === 1 && line === '\r')) return 'skip';
    const text = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    if (this.format === 'kraken-ohlcvt') return this.parseKraken(text);
    if (this.idx === null) {
      this.readHeader(text);
      return 'skip';
    }
    return this.parseNamed(text);
  }

  /** The header problem, if the csv header lacks a required column; else null. */
  headerError: string | null = null;

  private parseKraken(text: string): 'row' | string {
    // Fields are read in place (no split, no substrings): this loop is the ingest hot path.
    const r = this.row;
    const out = this.kraken;
    let start = 0;
    let k = 0;
    for (;;) {
      let end = text.indexOf(',', start);
      if (end < 0) end = text.length;
      if (k < 7) out[k] = parseNumber(text, start, end);
      k++;
      if (end === text.length) break;
      start = end + 1;
    }
    if (k !== 7) return `expected 7 fields (unix_time,open,high,low,close,volume,trades), got ${k}`;
    const t = out[0]!;
    r.time = Number.isFinite(t) ? Math.round(t * 1000) : NaN;
    r.open = out[1]!;
    r.high = out[2]!;
    r.low = out[3]!;
    r.close = out[4]!;
    r.volume = out[5]!;
    r.trades = out[6]!;
    r.vwap = NaN;
    if (!Number.isFinite(r.trades)) return 'trades is not a number';
    return checkCandle(r) ?? 'row';
  }

  private readonly kraken = new Float64Array(7);

  private readHeader(text: string): void {
    const names = text.split(',').map((s) => s.trim().toLowerCase().replace(/^"|"$/g, ''));
    const find = (alts: readonly string[]): number => {
      for (const a of alts) {
        const i = names.indexOf(a);
        if (i >= 0) return i;
      }
      return -1;
    };
    const idx = [
      find(TIME_NAMES),
      find(ALIASES.open!),
      find(ALIASES.high!),
      find(ALIASES.low!),
      find(ALIASES.close!),
      find(ALIASES.volume!),
      find(ALIASES.trades!),
      find(ALIASES.vwap!),
    ];
    const required = ['time', 'open', 'high', 'low', 'close', 'volume'];
    const missing = required.filter((_, i) => idx[i]! < 0);
    if (missing.length > 0) {
      this.headerError =
        `header '${text}' lacks column(s) ${missing.join(', ')} (time may be named ${TIME_NAMES.join('|')}; ` +
        `or use --format kraken-ohlcvt for headerless Kraken archives)`;
    }
    this.idx = idx;
  }

  private parseNamed(text: string): 'row' | string {
    const f = text.split(',');
    const idx = this.idx!;
    const need = Math.max(idx[0]!, idx[1]!, idx[2]!, idx[3]!, idx[4]!, idx[5]!);
    if (f.length <= need) return `expected at least ${need + 1} fields as in the header, got ${f.length}`;
    const r = this.row;
    r.time = parseTimeMs(f[idx[0]!]!.replace(/^"|"$/g, ''));
    r.open = num(f[idx[1]!]!);
    r.high = num(f[idx[2]!]!);
    r.low = num(f[idx[3]!]!);
    r.close = num(f[idx[4]!]!);
    r.volume = num(f[idx[5]!]!);
    r.trades = idx[6]! >= 0 && f[idx[6]!] !== undefined && f[idx[6]!] !== '' ? num(f[idx[6]!]!) : NaN;
    r.vwap = idx[7]! >= 0 && f[idx[7]!] !== undefined && f[idx[7]!] !== '' ? num(f[idx[7]!]!) : NaN;
    if (idx[7]! >= 0 && f[idx[7]!] !== '' && !Number.isFinite(r.vwap)) return 'vwap is not a number';
    return checkCandle(r) ?? 'row';
  }
}
