// JSON snapshots of one account of an AccountBook (env reset, live restarts). NaN/±Infinity are stored as tagged strings
// so that every Float64 value round-trips exactly through JSON.stringify/parse.
import { InvalidArgumentError } from '../core/errors.ts';
import { BOOK_ACCOUNT_COLUMNS, BOOK_SLOT_COLUMNS, type AccountBook, type BookColumn } from './book.ts';

export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export interface AccountSnapshot {
  nSymbols: number;
  account: Record<string, JsonNumber>;
  /** Column → one value per symbol slot. */
  slots: Record<string, JsonNumber[]>;
}

export function toJsonNumber(x: number): JsonNumber {
  if (Number.isFinite(x)) return x;
  return x !== x ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

export function fromJsonNumber(x: unknown, where: string): number {
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  if (x === 'NaN') return NaN;
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  throw new InvalidArgumentError(
    `snapshot field ${where} must be a number or "NaN"/"Infinity"/"-Infinity", got ${JSON.stringify(x)}`,
  );
}

type Column = AccountBook[BookColumn];
function col(b: AccountBook, name: BookColumn): Column {
  return b[name];
}

export function snapshotAccount(b: AccountBook, a: number): AccountSnapshot {
  const account: Record<string, JsonNumber> = {};
  for (const c of BOOK_ACCOUNT_COLUMNS) account[c] = toJsonNumber(col(b, c)[a]!);
  const slots: Record<string, JsonNumber[]> = {};
  const S = b.nSymbols;
  for (const c of BOOK_SLOT_COLUMNS) {
    const arr = col(b, c);
    const out: JsonNumber[] = [];
    for (let s = 0; s < S; s++) out.push(toJsonNumber(arr[a * S + s]!));
    slots[c] = out;
  }
  return { nSymbols: S, account, slots };
}

/** Validates the whole snapshot before writing anything, so a bad snapshot leaves the book unchanged. */
export function restoreAccount(b: AccountBook, a: number, snap: AccountSnapshot): void {
  if (!snap || typeof snap !== 'object' || snap.nSymbols !== b.nSymbols) {
    throw new InvalidArgumentError(
      `account snapshot has nSymbols=${String(snap?.nSymbols)}, the book has ${b.nSymbols}: restore into a book built with the same symbols`,
    );
  }
  const acc: [Column, number][] = [];
  for (const c of BOOK_ACCOUNT_COLUMNS) {
    if (!(c in (snap.account ?? {}))) throw new InvalidArgumentError(`account snapshot lacks field account.${c}`);
    acc.push([col(b, c), fromJsonNumber(snap.account[c], `account.${c}`)]);
  }
  const S = b.nSymbols;
  const slot: [Column, number[]][] = [];
  for (const c of BOOK_SLOT_COLUMNS) {
    const v = snap.slots?.[c];
    if (!Array.isArray(v) || v.length !== S)
      throw new InvalidArgumentError(`account snapshot field slots.${c} must be an array of ${S} numbers`);
    slot.push([col(b, c), v.map((x, i) => fromJsonNumber(x, `slots.${c}[${i}]`))]);
  }
  for (const [arr, x] of acc) arr[a] = x;
  for (const [arr, xs] of slot) for (let s = 0; s < S; s++) arr[a * S + s] = xs[s]!;
}
