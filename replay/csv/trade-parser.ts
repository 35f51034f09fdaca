// Trade ticks from CSV. Headerless (Kraken's trade archive): unix_seconds,price,volume[,side]. With a header: columns
// named time|timestamp|ts, price, volume|qty|amount|size, optional side (b/s/buy/sell), optional trade_id|id.
import { decimal, MAX_TIME_MS, MIN_TIME_MS, parseNumber, parseTimeMs, timeRangeProblem } from './candle-parser.ts';

export interface TradeRow {
  /** Microseconds since the epoch (exact for Kraken's 4-decimal seconds). */
  timeUs: number;
  price: number;
  volume: number;
  /** 'b', 's' or '' (unknown). */
  side: string;
  /** NaN when absent. */
  tradeId: number;
}

function num(s: string | undefined): number {
  return s === undefined ? NaN : parseNumber(s, 0, s.length);
}

export function parseSide(s: string | undefined): string | null {
  if (s === undefined) return '';
  const v = s.trim().toLowerCase();
  if (v === '') return '';
  if (v === 'b' || v === 'buy') return 'b';
  if (v === 's' || v === 'sell') return 's';
  return null;
}

/** Seconds/ms/µs number or ISO text → µs since the epoch. */
export function parseTimeUs(s: string): number {
  const t = s.trim();
  const n = decimal(t);
  if (Number.isFinite(n)) {
    if (n < 1e11) return Math.round(n * 1e6); // seconds
    if (n < 1e14) return Math.round(n * 1e3); // ms
    return Math.round(n); // µs
  }
  // ISO with up to 9 fractional digits: keep the µs that Date.parse would drop.
  const ms = parseTimeMs(t);
  if (!Number.isFinite(ms)) return NaN;
  const frac = /\.(\d{4,9})/.exec(t);
  const extraUs = frac ? Number(frac[1]!.padEnd(6, '0').slice(3, 6)) : 0;
  return ms * 1000 + extraUs;
}

export function checkTrade(r: TradeRow): string | null {
  if (!Number.isFinite(r.timeUs)) return 'time is not a number or a date';
  if (r.timeUs < MIN_TIME_MS * 1000 || r.timeUs >= MAX_TIME_MS * 1000) return timeRangeProblem(r.timeUs / 1000);
  if (!Number.isFinite(r.price) || r.price <= 0) return 'price must be a number > 0';
  if (!Number.isFinite(r.volume) || r.volume < 0) return 'volume must be a number ≥ 0';
  return null;
}

export class TradeLineParser {
  readonly row: TradeRow = { timeUs: NaN, price: NaN, volume: NaN, side: '', tradeId: NaN };
  private idx: number[] | null = null; // time, price, volume, side, id
  private first = true;
  headerError: string | null = null;

  parse(line: string): 'row' | 'skip' | string {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.length === 0) return 'skip';
    const f = text.split(',');
    if (this.first) {
      this.first = false;
      if (!Number.isFinite(Number(f[0]))) {
        const names = f.map((s) => s.trim().toLowerCase());
        const find = (alts: string[]): number => alts.map((a) => names.indexOf(a)).find((i) => i >= 0) ?? -1;
        this.idx = [
          find(['time', 'timestamp', 'ts', 'date']),
          find(['price']),
          find(['volume', 'qty', 'amount', 'size']),
          find(['side']),
          find(['trade_id', 'id']),
        ];
        const missing = ['time', 'price', 'volume'].filter((_, i) => this.idx![i]! < 0);
        if (missing.length) this.headerError = `trades header '${text}' lacks column(s) ${missing.join(', ')}`;
        return 'skip';
      }
    }
    const idx = this.idx ?? [0, 1, 2, 3, -1];
    if (!this.idx && (f.length < 3 || f.length > 4))
      return `expected 3 or 4 fields (unix_time,price,volume[,side]), got ${f.length}`;
    const r = this.row;
    r.timeUs = parseTimeUs(f[idx[0]!] ?? '');
    r.price = num(f[idx[1]!]);
    r.volume = num(f[idx[2]!]);
    const side = parseSide(idx[3]! >= 0 ? f[idx[3]!] : undefined);
    if (side === null) return `side '${f[idx[3]!]}' is not b/s/buy/sell`;
    r.side = side;
    r.tradeId = idx[4]! >= 0 ? num(f[idx[4]!]) : NaN;
    return checkTrade(r) ?? 'row';
  }
}
