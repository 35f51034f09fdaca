// The AccountBook: the kernel's struct-of-arrays ledger. The columns are declared once, as the fields of Book below;
// the AccountBook type, the column lists (snapshots, tests) and the storage all derive from that declaration.
//
// Accounting (margin model): opening a position does not move cash; cash moves by realized PnL, fees and funding.
//   equity = cash + Σ size·(mark − entry)            (size signed: > 0 long, < 0 short)
//   cash   = initialCapital + realizedPnl − feesPaid − fundingPaid
// A book holds nAccounts × nSymbols position slots; slot p = a·nSymbols + s. Accounts are isolated from each other;
// positions of one account share its cash (cross margin inside an account).
import { REASON_NONE } from './codes.ts';

/** The book's dimensions, set before the column initializers of Book run (they read them). */
class BookShape {
  readonly nSlots: number;
  constructor(
    readonly nAccounts: number,
    readonly nSymbols: number,
  ) {
    this.nSlots = nAccounts * nSymbols;
  }
}

/**
 * Account columns have length nAccounts, slot columns nAccounts × nSymbols. The "closed*" slot columns describe the last
 * trade that closed on that slot (valid when closedSeq changed). Every column is a class field so that V8 keeps books
 * in fast-properties mode with in-object fields (a book assembled from ~60 computed keys falls back to a dictionary,
 * 20–50x slower on every column access; see docs/execution.md, "Kernel").
 */
class Book extends BookShape {
  // ---- per account: the ledger
  readonly initialCapital = new Float64Array(this.nAccounts);
  readonly cash = new Float64Array(this.nAccounts);
  /** Gross of fees and funding. */
  readonly realizedPnl = new Float64Array(this.nAccounts);
  readonly feesPaid = new Float64Array(this.nAccounts);
  readonly fundingPaid = new Float64Array(this.nAccounts);
  readonly tradedNotional = new Float64Array(this.nAccounts);
  /** Closed round trips. */
  readonly tradeCount = new Float64Array(this.nAccounts);
  /** Net PnL > 0. */
  readonly winCount = new Float64Array(this.nAccounts);
  /** Net PnL < 0. */
  readonly lossCount = new Float64Array(this.nAccounts);
  /** Σ net PnL of winning trades. */
  readonly grossProfit = new Float64Array(this.nAccounts);
  /** Σ |net PnL| of losing trades. */
  readonly grossLoss = new Float64Array(this.nAccounts);
  // ---- per account: equity-curve statistics, committed when markAccount sees a later time (equity-curve.ts)
  /** Last marked equity (the pending sample). */
  readonly equity = new Float64Array(this.nAccounts);
  /** NaN before the first mark. */
  readonly lastMarkTime = new Float64Array(this.nAccounts);
  /** Any position open at the pending sample. */
  readonly pendingExposed = new Uint8Array(this.nAccounts);
  /** Committed samples. */
  readonly sampleCount = new Float64Array(this.nAccounts);
  /** First committed sample. */
  readonly firstEquity = new Float64Array(this.nAccounts);
  /** Last committed sample. */
  readonly prevEquity = new Float64Array(this.nAccounts);
  readonly peakEquity = new Float64Array(this.nAccounts);
  /** Fraction of the peak. */
  readonly maxDrawdown = new Float64Array(this.nAccounts);
  readonly maxDrawdownAbs = new Float64Array(this.nAccounts);
  /** Welford count, mean and M2 of the per-sample returns. */
  readonly retCount = new Float64Array(this.nAccounts);
  readonly retMean = new Float64Array(this.nAccounts);
  readonly retM2 = new Float64Array(this.nAccounts);
  /** Σ min(r, 0)². */
  readonly downSumSq = new Float64Array(this.nAccounts);
  /** Committed samples with a position open. */
  readonly exposedCount = new Float64Array(this.nAccounts);
  readonly firstMarkTime = new Float64Array(this.nAccounts);
  readonly lastCommitTime = new Float64Array(this.nAccounts);
  // ---- per slot: the open position and its trade so far (cleared when the trade closes)
  readonly size = new Float64Array(this.nSlots);
  /** Average entry of the open position. */
  readonly entryPrice = new Float64Array(this.nSlots);
  /** Last price seen for the slot (NaN before any). */
  readonly markPrice = new Float64Array(this.nSlots);
  /** NaN = none. */
  readonly stopLoss = new Float64Array(this.nSlots);
  /** NaN = none. */
  readonly takeProfit = new Float64Array(this.nSlots);
  /** Ms; NaN = none. */
  readonly maxHoldUntil = new Float64Array(this.nSlots);
  /** Ms of the trade's first fill. */
  readonly openedAt = new Float64Array(this.nSlots);
  /** Ms from which the next rollover period counts. */
  readonly lastRolloverAt = new Float64Array(this.nSlots);
  /** Σ |qty| of the opening fills of the current trade, and their notional. */
  readonly tradeEntryQty = new Float64Array(this.nSlots);
  readonly tradeEntryNotional = new Float64Array(this.nSlots);
  readonly tradeExitQty = new Float64Array(this.nSlots);
  readonly tradeExitNotional = new Float64Array(this.nSlots);
  readonly tradeGross = new Float64Array(this.nSlots);
  /** Entry + exit fees attributed to the current trade. */
  readonly tradeFees = new Float64Array(this.nSlots);
  readonly tradeFunding = new Float64Array(this.nSlots);
  /** Largest |size| during the trade. */
  readonly tradeMaxSize = new Float64Array(this.nSlots);
  // ---- per slot: the last fill
  readonly lastFillPrice = new Float64Array(this.nSlots);
  /** The market price the last fill was made against (before slippage). */
  readonly lastFillRef = new Float64Array(this.nSlots);
  /** Signed. */
  readonly lastFillQty = new Float64Array(this.nSlots);
  readonly lastFillFee = new Float64Array(this.nSlots);
  /** Gross realized by the last fill. */
  readonly lastRealized = new Float64Array(this.nSlots);
  readonly lastReason = new Uint8Array(this.nSlots);
  // ---- per slot: the last closed trade
  /** Increments on each closed trade. */
  readonly closedSeq = new Float64Array(this.nSlots);
  /** +1 long, −1 short. */
  readonly closedSide = new Int8Array(this.nSlots);
  /** Qty-weighted average of the opening fills. */
  readonly closedEntryPrice = new Float64Array(this.nSlots);
  /** Qty-weighted average of the closing fills. */
  readonly closedExitPrice = new Float64Array(this.nSlots);
  /** Σ |qty| closed. */
  readonly closedQty = new Float64Array(this.nSlots);
  readonly closedGross = new Float64Array(this.nSlots);
  readonly closedFees = new Float64Array(this.nSlots);
  readonly closedFunding = new Float64Array(this.nSlots);
  readonly closedNet = new Float64Array(this.nSlots);
  readonly closedOpenedAt = new Float64Array(this.nSlots);
  readonly closedAt = new Float64Array(this.nSlots);
  readonly closedReason = new Uint8Array(this.nSlots);
}

/** The struct-of-arrays book. Read any column; write only through the kernel's functions. */
export type AccountBook = Book;
type Column = Float64Array | Uint8Array | Int8Array;
/** Names of the book's columns (every field but the dimensions). */
export type BookColumn = { [K in keyof Book]: Book[K] extends Column ? K : never }[keyof Book];

/** Column names by scope, read off a probe book whose account and slot columns differ in length. */
function columnsOfLength(probe: Book, length: number): readonly BookColumn[] {
  return (Object.keys(probe) as (keyof Book)[]).filter((k): k is BookColumn => {
    const v = probe[k];
    return typeof v === 'object' && v.length === length;
  });
}
const probe = new Book(2, 3);
export const BOOK_ACCOUNT_COLUMNS = columnsOfLength(probe, 2);
export const BOOK_SLOT_COLUMNS = columnsOfLength(probe, 6);

/** Allocates a book (the only allocation); every account starts flat with `initialCapital` cash. */
export function createBook(nAccounts: number, nSymbols: number, initialCapital: number): AccountBook {
  const b = new Book(nAccounts, nSymbols);
  for (let a = 0; a < nAccounts; a++) resetAccount(b, a, initialCapital);
  return b;
}

/** Returns account `a` to a flat start with `initialCapital` cash (env reset). The last closed trades stay readable. */
export function resetAccount(b: AccountBook, a: number, initialCapital: number): void {
  b.initialCapital[a] = initialCapital;
  b.cash[a] = initialCapital;
  b.realizedPnl[a] = 0;
  b.feesPaid[a] = 0;
  b.fundingPaid[a] = 0;
  b.tradedNotional[a] = 0;
  b.tradeCount[a] = 0;
  b.winCount[a] = 0;
  b.lossCount[a] = 0;
  b.grossProfit[a] = 0;
  b.grossLoss[a] = 0;
  b.equity[a] = initialCapital;
  b.lastMarkTime[a] = NaN;
  b.pendingExposed[a] = 0;
  b.sampleCount[a] = 0;
  b.firstEquity[a] = NaN;
  b.prevEquity[a] = NaN;
  b.peakEquity[a] = -Infinity;
  b.maxDrawdown[a] = 0;
  b.maxDrawdownAbs[a] = 0;
  b.retCount[a] = 0;
  b.retMean[a] = 0;
  b.retM2[a] = 0;
  b.downSumSq[a] = 0;
  b.exposedCount[a] = 0;
  b.firstMarkTime[a] = NaN;
  b.lastCommitTime[a] = NaN;
  const S = b.nSymbols;
  for (let p = a * S; p < a * S + S; p++) {
    b.markPrice[p] = NaN;
    b.lastFillPrice[p] = NaN;
    b.lastFillRef[p] = NaN;
    b.lastFillQty[p] = 0;
    b.lastFillFee[p] = 0;
    b.lastRealized[p] = 0;
    b.lastReason[p] = REASON_NONE;
    b.closedSeq[p] = 0;
    clearSlot(b, p);
  }
}

/** Flat slot p with no trade in progress (after a close, or at reset). */
export function clearSlot(b: AccountBook, p: number): void {
  b.size[p] = 0;
  b.entryPrice[p] = 0;
  b.stopLoss[p] = NaN;
  b.takeProfit[p] = NaN;
  b.maxHoldUntil[p] = NaN;
  b.openedAt[p] = NaN;
  b.lastRolloverAt[p] = NaN;
  b.tradeEntryQty[p] = 0;
  b.tradeEntryNotional[p] = 0;
  b.tradeExitQty[p] = 0;
  b.tradeExitNotional[p] = 0;
  b.tradeGross[p] = 0;
  b.tradeFees[p] = 0;
  b.tradeFunding[p] = 0;
  b.tradeMaxSize[p] = 0;
}

// ------------------------------------------------------------------------------------------------ valuation

/** Unrealized PnL of slot p at its mark (0 when flat or never priced). */
export function unrealizedPnl(b: AccountBook, p: number): number {
  const sz = b.size[p]!;
  return sz === 0 ? 0 : sz * (b.markPrice[p]! - b.entryPrice[p]!);
}

/** Equity of account a: cash + Σ unrealized PnL at the slots' marks. */
export function accountEquity(b: AccountBook, a: number): number {
  const S = b.nSymbols;
  let e = b.cash[a]!;
  for (let p = a * S; p < a * S + S; p++) {
    const sz = b.size[p]!;
    if (sz !== 0) e += sz * (b.markPrice[p]! - b.entryPrice[p]!);
  }
  return e;
}

/** Σ |size|·mark over the account's slots on one side (+1 long, −1 short). */
export function sideNotional(b: AccountBook, a: number, side: number): number {
  const S = b.nSymbols;
  let n = 0;
  for (let p = a * S; p < a * S + S; p++) {
    const sz = b.size[p]!;
    if (sz * side > 0) n += Math.abs(sz) * b.markPrice[p]!;
  }
  return n;
}
