// A Kraken WS v2 level-2 book (channel `book`) kept from the wire text of every price and quantity, so that the CRC32
// checksum Kraken sends with the snapshot and every update can be verified. Algorithm (Kraken's "book checksum v2"):
// the top 10 asks low→high, then the top 10 bids high→low; for each level the price text and the quantity text with the
// '.' removed and leading zeros stripped, concatenated; CRC32 of the whole string as an unsigned 32-bit integer.
// Prices and quantities must be the exchange's text at the pair's precision (0.10000000, not 0.1): a float round trip
// loses the trailing zeros and the checksum with them, which is why levels keep their text.
import { crc32 } from 'node:zlib';

/** One level as received: the number and its wire text. */
export interface BookLevel {
  price: number;
  qty: number;
  priceText: string;
  qtyText: string;
}

/** A level's text for the checksum: '.' removed, leading zeros stripped ("0.00100000" → "100000"). */
export function checksumToken(text: string): string {
  const s = text.replace('.', '').replace(/^0+/, '');
  return s === '' ? '0' : s;
}

/**
 * Wire text at `precision` decimals. The client keeps the exchange's own text; this pads a shorter decimal text (a
 * float that went through a round trip) or formats an exponent form, so that either gives the exchange's digits.
 */
export function textAtPrecision(text: string, precision: number | undefined): string {
  if (precision === undefined) return text;
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (m === null) return Number(text).toFixed(precision);
  const frac = m[2] ?? '';
  if (frac.length >= precision) return text;
  return `${m[1]}.${frac.padEnd(precision, '0')}`;
}

/** CRC32 (unsigned) of the book's top 10 levels per side. */
export function bookChecksum(asks: readonly BookLevel[], bids: readonly BookLevel[]): number {
  let s = '';
  for (let i = 0; i < asks.length && i < 10; i++)
    s += checksumToken(asks[i]!.priceText) + checksumToken(asks[i]!.qtyText);
  for (let i = 0; i < bids.length && i < 10; i++)
    s += checksumToken(bids[i]!.priceText) + checksumToken(bids[i]!.qtyText);
  return crc32(s) >>> 0;
}

export class OrderBook {
  readonly symbol: string;
  readonly depth: number;
  /** Ascending by price. */
  asks: BookLevel[] = [];
  /** Descending by price. */
  bids: BookLevel[] = [];
  /** Checksum of the last snapshot/update applied (as Kraken sent it). */
  lastChecksum = 0;
  /** Updates applied since the snapshot. */
  updates = 0;

  constructor(symbol: string, depth: number) {
    this.symbol = symbol;
    this.depth = depth;
  }

  /** Replaces the book with a snapshot. */
  snapshot(bids: readonly BookLevel[], asks: readonly BookLevel[]): void {
    this.bids = [...bids].sort((a, b) => b.price - a.price).slice(0, this.depth);
    this.asks = [...asks].sort((a, b) => a.price - b.price).slice(0, this.depth);
    this.updates = 0;
  }

  /** Applies one update: qty 0 deletes a level, another qty replaces or inserts it; each side is cut to the depth. */
  update(bids: readonly BookLevel[], asks: readonly BookLevel[]): void {
    for (const l of bids) apply(this.bids, l, -1);
    for (const l of asks) apply(this.asks, l, 1);
    if (this.bids.length > this.depth) this.bids.length = this.depth;
    if (this.asks.length > this.depth) this.asks.length = this.depth;
    this.updates++;
  }

  checksum(): number {
    return bookChecksum(this.asks, this.bids);
  }

  bestBid(): number {
    return this.bids[0]?.price ?? Number.NaN;
  }
  bestAsk(): number {
    return this.asks[0]?.price ?? Number.NaN;
  }
}

/** Inserts/replaces/deletes one level in a side kept sorted by dir·price ascending (asks dir 1, bids dir −1). */
function apply(side: BookLevel[], l: BookLevel, dir: number): void {
  let i = 0;
  while (i < side.length && dir * side[i]!.price < dir * l.price) i++;
  const same = i < side.length && side[i]!.price === l.price;
  if (l.qty === 0) {
    if (same) side.splice(i, 1);
    return;
  }
  if (same) side[i] = l;
  else side.splice(i, 0, l);
}
