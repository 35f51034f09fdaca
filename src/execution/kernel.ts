// The one accounting and fill kernel. Pure functions on plain numbers and a struct-of-arrays AccountBook, shared by the
// object API (PaperExecutor/Portfolio) and the batched trading vector env, so that both produce the same numbers bit for
// bit. Nothing here allocates: every result is written into the book's columns (see docs/execution.md, "Kernel").
//
// Accounting (margin model): opening a position does not move cash; cash moves by realized PnL, fees and funding.
//   equity = cash + Σ size·(mark − entry)            (size signed: > 0 long, < 0 short)
//   cash   = initialCapital + realizedPnl − feesPaid − fundingPaid
// A book holds nAccounts × nSymbols position slots; slot p = a·nSymbols + s. Accounts are isolated from each other;
// positions of one account share its cash (cross margin inside an account).

/** Status codes returned by order functions (0 = filled). A rejected order leaves the book unchanged. */
export const ORDER_OK = 0;
/** The fill would push the side's notional above its leverage cap × post-fill equity. */
export const REJECT_LEVERAGE = 1;
/** Post-fill equity would be ≤ 0: no new exposure can be taken. */
export const REJECT_NO_EQUITY = 2;
/** qty or price is not a finite number (qty 0 is a no-op, not an error; price must be > 0). */
export const REJECT_INVALID = 3;

/** Why a fill happened (book.lastReason / closed-trade reason). */
export const REASON_NONE = 0;
export const REASON_ORDER = 1;
export const REASON_STOP_LOSS = 2;
export const REASON_TAKE_PROFIT = 3;
export const REASON_MAX_HOLD = 4;
export const REASON_LIQUIDATION = 5;
export const REASON_NAMES = ['none', 'order', 'stop_loss', 'take_profit', 'max_hold', 'liquidation'] as const;
export type FillReason = (typeof REASON_NAMES)[number];

/** Kraken charges rollover per 4 hours of an open margin position. */
export const ROLLOVER_PERIOD_MS = 4 * 3600 * 1000;

/** Relative tolerance: sizes below 1e-10 × the old size are float dust and snap to flat; caps allow 1e-9 slack. */
const SIZE_EPS = 1e-10;
const CAP_EPS = 1e-9;

/** Per-symbol trading parameters, one entry per symbol index. */
export interface KernelParams {
  readonly nSymbols: number;
  /** Fee per side as a fraction of fill notional (0.001 = 0.1%). */
  readonly feeRate: Float64Array;
  /** Market-order slippage as a fraction of the reference price, always against the trader (0.0005 = 0.05%). */
  readonly slippage: Float64Array;
  /** Max long notional / equity after a fill that increases a long (1.5). */
  readonly maxLongLeverage: Float64Array;
  /** Max short notional / equity after a fill that increases a short (2.0). */
  readonly maxShortLeverage: Float64Array;
  /** Liquidation when equity < ratio × |notional| of the account's positions (0.2). Must be in [0, 1). */
  readonly maintenanceMarginRatio: Float64Array;
  /** Rollover charged per elapsed period on |size|·entryPrice (0 = off; Kraken ≈ 0.0002 per 4 h). */
  readonly rolloverRate: Float64Array;
  /** Rollover period in ms (4 h). */
  readonly rolloverPeriodMs: Float64Array;
  /** Limit orders also fill when the bar only touches the limit (low == limit for a buy); default 0 (through only). */
  readonly limitFillOnTouch: Uint8Array;
}

export interface SymbolParamsInput {
  feeRate?: number;
  slippage?: number;
  maxLongLeverage?: number;
  maxShortLeverage?: number;
  maintenanceMarginRatio?: number;
  rolloverRate?: number;
  rolloverPeriodMs?: number;
  limitFillOnTouch?: boolean;
}

/** The bot's defaults: 0.1% fee per side, 0.05% slippage, 1.5x long / 2.0x short, maintenance 20%, no rollover. */
export const DEFAULT_SYMBOL_PARAMS: Readonly<Required<SymbolParamsInput>> = Object.freeze({
  feeRate: 0.001,
  slippage: 0.0005,
  maxLongLeverage: 1.5,
  maxShortLeverage: 2.0,
  maintenanceMarginRatio: 0.2,
  rolloverRate: 0,
  rolloverPeriodMs: ROLLOVER_PERIOD_MS,
  limitFillOnTouch: false,
});

/**
 * The struct-of-arrays book. Account columns have length nAccounts; slot columns nAccounts × nSymbols.
 * "closed*" slot columns describe the last trade that closed on that slot (valid when closedSeq changed).
 */
export interface AccountBook {
  readonly nAccounts: number;
  readonly nSymbols: number;
  // ---- per account
  readonly initialCapital: Float64Array;
  readonly cash: Float64Array;
  readonly realizedPnl: Float64Array; // gross of fees/funding
  readonly feesPaid: Float64Array;
  readonly fundingPaid: Float64Array;
  readonly tradedNotional: Float64Array;
  readonly tradeCount: Float64Array; // closed round trips
  readonly winCount: Float64Array; // net PnL > 0
  readonly lossCount: Float64Array; // net PnL < 0
  readonly grossProfit: Float64Array; // Σ net PnL of winning trades
  readonly grossLoss: Float64Array; // Σ |net PnL| of losing trades
  // equity-curve statistics, committed when markAccount sees a later time (see markAccount)
  readonly equity: Float64Array; // last marked equity (pending sample)
  readonly lastMarkTime: Float64Array; // NaN before the first mark
  readonly pendingExposed: Uint8Array; // any position open at the pending sample
  readonly sampleCount: Float64Array; // committed samples
  readonly firstEquity: Float64Array; // first committed sample
  readonly prevEquity: Float64Array; // last committed sample
  readonly peakEquity: Float64Array;
  readonly maxDrawdown: Float64Array; // fraction of peak
  readonly maxDrawdownAbs: Float64Array;
  readonly retCount: Float64Array;
  readonly retMean: Float64Array; // Welford
  readonly retM2: Float64Array;
  readonly downSumSq: Float64Array; // Σ min(r, 0)²
  readonly exposedCount: Float64Array; // committed samples with a position open
  readonly firstMarkTime: Float64Array;
  readonly lastCommitTime: Float64Array;
  // ---- per slot
  readonly size: Float64Array;
  readonly entryPrice: Float64Array; // average entry of the open position
  readonly markPrice: Float64Array; // last price seen for the slot (NaN before any)
  readonly stopLoss: Float64Array; // NaN = none
  readonly takeProfit: Float64Array; // NaN = none
  readonly maxHoldUntil: Float64Array; // ms; NaN = none
  readonly openedAt: Float64Array; // ms of the trade's first fill
  readonly lastRolloverAt: Float64Array; // ms from which the next rollover period counts
  readonly tradeEntryQty: Float64Array; // Σ |qty| of opening fills of the current trade
  readonly tradeEntryNotional: Float64Array;
  readonly tradeExitQty: Float64Array;
  readonly tradeExitNotional: Float64Array;
  readonly tradeGross: Float64Array;
  readonly tradeFees: Float64Array; // entry + exit fees attributed to the current trade
  readonly tradeFunding: Float64Array;
  readonly tradeMaxSize: Float64Array; // largest |size| during the trade
  // last fill on the slot
  readonly lastFillPrice: Float64Array;
  readonly lastFillRef: Float64Array; // the market price the last fill was made against (before slippage)
  readonly lastFillQty: Float64Array; // signed
  readonly lastFillFee: Float64Array;
  readonly lastRealized: Float64Array; // gross realized by the last fill
  readonly lastReason: Uint8Array;
  // last closed trade on the slot
  readonly closedSeq: Float64Array; // increments on each closed trade
  readonly closedSide: Int8Array; // +1 long, -1 short
  readonly closedEntryPrice: Float64Array; // qty-weighted average of opening fills
  readonly closedExitPrice: Float64Array; // qty-weighted average of closing fills
  readonly closedQty: Float64Array; // Σ |qty| closed
  readonly closedGross: Float64Array;
  readonly closedFees: Float64Array;
  readonly closedFunding: Float64Array;
  readonly closedNet: Float64Array;
  readonly closedOpenedAt: Float64Array;
  readonly closedAt: Float64Array;
  readonly closedReason: Uint8Array;
}

const ACCOUNT_COLUMNS = [
  'initialCapital',
  'cash',
  'realizedPnl',
  'feesPaid',
  'fundingPaid',
  'tradedNotional',
  'tradeCount',
  'winCount',
  'lossCount',
  'grossProfit',
  'grossLoss',
  'equity',
  'lastMarkTime',
  'sampleCount',
  'firstEquity',
  'prevEquity',
  'peakEquity',
  'maxDrawdown',
  'maxDrawdownAbs',
  'retCount',
  'retMean',
  'retM2',
  'downSumSq',
  'exposedCount',
  'firstMarkTime',
  'lastCommitTime',
] as const;
const ACCOUNT_U8_COLUMNS = ['pendingExposed'] as const;
const SLOT_COLUMNS = [
  'size',
  'entryPrice',
  'markPrice',
  'stopLoss',
  'takeProfit',
  'maxHoldUntil',
  'openedAt',
  'lastRolloverAt',
  'tradeEntryQty',
  'tradeEntryNotional',
  'tradeExitQty',
  'tradeExitNotional',
  'tradeGross',
  'tradeFees',
  'tradeFunding',
  'tradeMaxSize',
  'lastFillPrice',
  'lastFillRef',
  'lastFillQty',
  'lastFillFee',
  'lastRealized',
  'closedSeq',
  'closedEntryPrice',
  'closedExitPrice',
  'closedQty',
  'closedGross',
  'closedFees',
  'closedFunding',
  'closedNet',
  'closedOpenedAt',
  'closedAt',
] as const;
const SLOT_U8_COLUMNS = ['lastReason', 'closedReason'] as const;
const SLOT_I8_COLUMNS = ['closedSide'] as const;

export type AccountColumn = (typeof ACCOUNT_COLUMNS)[number] | (typeof ACCOUNT_U8_COLUMNS)[number];
export type SlotColumn =
  | (typeof SLOT_COLUMNS)[number]
  | (typeof SLOT_U8_COLUMNS)[number]
  | (typeof SLOT_I8_COLUMNS)[number];
export const BOOK_ACCOUNT_COLUMNS: readonly AccountColumn[] = [...ACCOUNT_COLUMNS, ...ACCOUNT_U8_COLUMNS];
export const BOOK_SLOT_COLUMNS: readonly SlotColumn[] = [...SLOT_COLUMNS, ...SLOT_U8_COLUMNS, ...SLOT_I8_COLUMNS];

/**
 * Storage with every column declared as a class field, so that V8 keeps the object in fast-properties mode (an object
 * built with ~60 computed keys falls back to a slow dictionary, 20–50x slower on every column access).
 */
class BookStorage implements AccountBook {
  readonly nAccounts: number;
  readonly nSymbols: number;
  readonly initialCapital: Float64Array;
  readonly cash: Float64Array;
  readonly realizedPnl: Float64Array;
  readonly feesPaid: Float64Array;
  readonly fundingPaid: Float64Array;
  readonly tradedNotional: Float64Array;
  readonly tradeCount: Float64Array;
  readonly winCount: Float64Array;
  readonly lossCount: Float64Array;
  readonly grossProfit: Float64Array;
  readonly grossLoss: Float64Array;
  readonly equity: Float64Array;
  readonly lastMarkTime: Float64Array;
  readonly sampleCount: Float64Array;
  readonly firstEquity: Float64Array;
  readonly prevEquity: Float64Array;
  readonly peakEquity: Float64Array;
  readonly maxDrawdown: Float64Array;
  readonly maxDrawdownAbs: Float64Array;
  readonly retCount: Float64Array;
  readonly retMean: Float64Array;
  readonly retM2: Float64Array;
  readonly downSumSq: Float64Array;
  readonly exposedCount: Float64Array;
  readonly firstMarkTime: Float64Array;
  readonly lastCommitTime: Float64Array;
  readonly pendingExposed: Uint8Array;
  readonly size: Float64Array;
  readonly entryPrice: Float64Array;
  readonly markPrice: Float64Array;
  readonly stopLoss: Float64Array;
  readonly takeProfit: Float64Array;
  readonly maxHoldUntil: Float64Array;
  readonly openedAt: Float64Array;
  readonly lastRolloverAt: Float64Array;
  readonly tradeEntryQty: Float64Array;
  readonly tradeEntryNotional: Float64Array;
  readonly tradeExitQty: Float64Array;
  readonly tradeExitNotional: Float64Array;
  readonly tradeGross: Float64Array;
  readonly tradeFees: Float64Array;
  readonly tradeFunding: Float64Array;
  readonly tradeMaxSize: Float64Array;
  readonly lastFillPrice: Float64Array;
  readonly lastFillRef: Float64Array;
  readonly lastFillQty: Float64Array;
  readonly lastFillFee: Float64Array;
  readonly lastRealized: Float64Array;
  readonly closedSeq: Float64Array;
  readonly closedEntryPrice: Float64Array;
  readonly closedExitPrice: Float64Array;
  readonly closedQty: Float64Array;
  readonly closedGross: Float64Array;
  readonly closedFees: Float64Array;
  readonly closedFunding: Float64Array;
  readonly closedNet: Float64Array;
  readonly closedOpenedAt: Float64Array;
  readonly closedAt: Float64Array;
  readonly lastReason: Uint8Array;
  readonly closedReason: Uint8Array;
  readonly closedSide: Int8Array;
  constructor(nAccounts: number, nSymbols: number) {
    const nSlots = nAccounts * nSymbols;
    this.nAccounts = nAccounts;
    this.nSymbols = nSymbols;
    this.initialCapital = new Float64Array(nAccounts);
    this.cash = new Float64Array(nAccounts);
    this.realizedPnl = new Float64Array(nAccounts);
    this.feesPaid = new Float64Array(nAccounts);
    this.fundingPaid = new Float64Array(nAccounts);
    this.tradedNotional = new Float64Array(nAccounts);
    this.tradeCount = new Float64Array(nAccounts);
    this.winCount = new Float64Array(nAccounts);
    this.lossCount = new Float64Array(nAccounts);
    this.grossProfit = new Float64Array(nAccounts);
    this.grossLoss = new Float64Array(nAccounts);
    this.equity = new Float64Array(nAccounts);
    this.lastMarkTime = new Float64Array(nAccounts);
    this.sampleCount = new Float64Array(nAccounts);
    this.firstEquity = new Float64Array(nAccounts);
    this.prevEquity = new Float64Array(nAccounts);
    this.peakEquity = new Float64Array(nAccounts);
    this.maxDrawdown = new Float64Array(nAccounts);
    this.maxDrawdownAbs = new Float64Array(nAccounts);
    this.retCount = new Float64Array(nAccounts);
    this.retMean = new Float64Array(nAccounts);
    this.retM2 = new Float64Array(nAccounts);
    this.downSumSq = new Float64Array(nAccounts);
    this.exposedCount = new Float64Array(nAccounts);
    this.firstMarkTime = new Float64Array(nAccounts);
    this.lastCommitTime = new Float64Array(nAccounts);
    this.pendingExposed = new Uint8Array(nAccounts);
    this.size = new Float64Array(nSlots);
    this.entryPrice = new Float64Array(nSlots);
    this.markPrice = new Float64Array(nSlots);
    this.stopLoss = new Float64Array(nSlots);
    this.takeProfit = new Float64Array(nSlots);
    this.maxHoldUntil = new Float64Array(nSlots);
    this.openedAt = new Float64Array(nSlots);
    this.lastRolloverAt = new Float64Array(nSlots);
    this.tradeEntryQty = new Float64Array(nSlots);
    this.tradeEntryNotional = new Float64Array(nSlots);
    this.tradeExitQty = new Float64Array(nSlots);
    this.tradeExitNotional = new Float64Array(nSlots);
    this.tradeGross = new Float64Array(nSlots);
    this.tradeFees = new Float64Array(nSlots);
    this.tradeFunding = new Float64Array(nSlots);
    this.tradeMaxSize = new Float64Array(nSlots);
    this.lastFillPrice = new Float64Array(nSlots);
    this.lastFillRef = new Float64Array(nSlots);
    this.lastFillQty = new Float64Array(nSlots);
    this.lastFillFee = new Float64Array(nSlots);
    this.lastRealized = new Float64Array(nSlots);
    this.closedSeq = new Float64Array(nSlots);
    this.closedEntryPrice = new Float64Array(nSlots);
    this.closedExitPrice = new Float64Array(nSlots);
    this.closedQty = new Float64Array(nSlots);
    this.closedGross = new Float64Array(nSlots);
    this.closedFees = new Float64Array(nSlots);
    this.closedFunding = new Float64Array(nSlots);
    this.closedNet = new Float64Array(nSlots);
    this.closedOpenedAt = new Float64Array(nSlots);
    this.closedAt = new Float64Array(nSlots);
    this.lastReason = new Uint8Array(nSlots);
    this.closedReason = new Uint8Array(nSlots);
    this.closedSide = new Int8Array(nSlots);
  }
}

/** Allocates a book (the only allocation); every account starts flat with `initialCapital` cash. */
export function createBook(nAccounts: number, nSymbols: number, initialCapital: number): AccountBook {
  const b = new BookStorage(nAccounts, nSymbols);
  for (let a = 0; a < nAccounts; a++) resetAccount(b, a, initialCapital);
  return b;
}

/** Per-symbol params from plain objects (missing fields take the bot's defaults). */
export function createParams(symbols: readonly SymbolParamsInput[]): KernelParams {
  const n = symbols.length;
  const p = {
    nSymbols: n,
    feeRate: new Float64Array(n),
    slippage: new Float64Array(n),
    maxLongLeverage: new Float64Array(n),
    maxShortLeverage: new Float64Array(n),
    maintenanceMarginRatio: new Float64Array(n),
    rolloverRate: new Float64Array(n),
    rolloverPeriodMs: new Float64Array(n),
    limitFillOnTouch: new Uint8Array(n),
  };
  for (let s = 0; s < n; s++) {
    const x = { ...DEFAULT_SYMBOL_PARAMS, ...stripUndefined(symbols[s]!) };
    p.feeRate[s] = x.feeRate;
    p.slippage[s] = x.slippage;
    p.maxLongLeverage[s] = x.maxLongLeverage;
    p.maxShortLeverage[s] = x.maxShortLeverage;
    p.maintenanceMarginRatio[s] = x.maintenanceMarginRatio;
    p.rolloverRate[s] = x.rolloverRate;
    p.rolloverPeriodMs[s] = x.rolloverPeriodMs;
    p.limitFillOnTouch[s] = x.limitFillOnTouch ? 1 : 0;
  }
  return p;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) r[k] = o[k];
  return r;
}

/** Returns account `a` to a flat start with `initialCapital` cash (env reset). */
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

function clearSlot(b: AccountBook, p: number): void {
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

// ------------------------------------------------------------------------------------------------ prices and equity

/** Market fill price: reference price moved against the trader by the slippage fraction (buy up, sell down). */
export function marketFillPrice(params: KernelParams, s: number, qty: number, refPrice: number): number {
  return qty > 0 ? refPrice * (1 + params.slippage[s]!) : refPrice * (1 - params.slippage[s]!);
}

/**
 * Limit fill price within a bar, or NaN when it does not fill. Rule: a buy limit fills when the bar trades *through* it
 * (low < limit), at the limit; if the bar opens below the limit it fills at the open (the better price). Touch-only
 * (low == limit) does not fill unless limitFillOnTouch is set (queue position is unknown, so assume we were not filled).
 * Sells mirror this with high. No slippage on limit fills.
 */
export function limitFillPrice(
  params: KernelParams,
  s: number,
  qty: number,
  limit: number,
  open: number,
  high: number,
  low: number,
): number {
  const touch = params.limitFillOnTouch[s] === 1;
  if (qty > 0) {
    if (open < limit || (touch && open === limit)) return open;
    if (low < limit || (touch && low === limit)) return limit;
  } else {
    if (open > limit || (touch && open === limit)) return open;
    if (high > limit || (touch && high === limit)) return limit;
  }
  return NaN;
}

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

/** Σ maintenance margin (ratio × |size| × mark) over the account's open slots. */
export function maintenanceMargin(b: AccountBook, params: KernelParams, a: number): number {
  const S = b.nSymbols;
  let m = 0;
  for (let s = 0; s < S; s++) {
    const p = a * S + s;
    const sz = b.size[p]!;
    if (sz !== 0) m += params.maintenanceMarginRatio[s]! * Math.abs(sz) * b.markPrice[p]!;
  }
  return m;
}

/**
 * Price of symbol s at which account a's equity falls to its maintenance margin (other slots held at their marks),
 * or NaN when flat / unreachable. Long: liquidated when price ≤ it; short: when price ≥ it.
 */
export function liquidationPrice(b: AccountBook, params: KernelParams, a: number, s: number): number {
  const S = b.nSymbols;
  const p = a * S + s;
  const sz = b.size[p]!;
  if (sz === 0) return NaN;
  let restEquity = b.cash[a]!;
  let restMargin = 0;
  for (let t = 0; t < S; t++) {
    if (t === s) continue;
    const q = a * S + t;
    const z = b.size[q]!;
    if (z !== 0) {
      restEquity += z * (b.markPrice[q]! - b.entryPrice[q]!);
      restMargin += params.maintenanceMarginRatio[t]! * Math.abs(z) * b.markPrice[q]!;
    }
  }
  // restEquity + sz·(x − entry) = m·|sz|·x + restMargin  →  x = (sz·entry − restEquity + restMargin) / (sz − m·|sz|)
  const m = params.maintenanceMarginRatio[s]!;
  const x = (sz * b.entryPrice[p]! - restEquity + restMargin) / (sz - m * Math.abs(sz));
  return x > 0 ? x : NaN;
}

// ------------------------------------------------------------------------------------------------ fills

/**
 * Would a fill of `qty` (signed) at `fillPrice`, with the market at `refPrice`, break the leverage cap? Returns a status.
 * Only fills that increase exposure on a side (open, add, or the new side of a flip) are checked; reductions always pass.
 * Post-fill equity = equity with the slot marked at refPrice − |qty|·|fill − ref| − fee; the side's notional at refPrice
 * must be ≤ cap × post-fill equity.
 */
export function checkLeverage(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  qty: number,
  fillPrice: number,
  refPrice: number,
): number {
  const p = a * b.nSymbols + s;
  const old = b.size[p]!;
  const next = old + qty;
  const increases = (next > 0 && next > (old > 0 ? old : 0)) || (next < 0 && next < (old < 0 ? old : 0));
  if (!increases) return ORDER_OK;
  const savedMark = b.markPrice[p]!;
  b.markPrice[p] = refPrice;
  const e0 = accountEquity(b, a);
  const side = next > 0 ? 1 : -1;
  const otherSame = sideNotional(b, a, side) - (old * side > 0 ? Math.abs(old) * refPrice : 0);
  b.markPrice[p] = savedMark;
  const aq = Math.abs(qty);
  const e1 = e0 - aq * Math.abs(fillPrice - refPrice) - params.feeRate[s]! * aq * fillPrice;
  if (!(e1 > 0)) return REJECT_NO_EQUITY;
  const cap = side > 0 ? params.maxLongLeverage[s]! : params.maxShortLeverage[s]!;
  const notional = otherSame + Math.abs(next) * refPrice;
  return notional <= cap * e1 * (1 + CAP_EPS) ? ORDER_OK : REJECT_LEVERAGE;
}

/**
 * Largest |qty| on `side` (+1 buy, −1 sell) that a market order at refPrice may have without breaking the cap
 * (closed form of checkLeverage; used by envs to clip target exposure). Always ≥ the size that closes an opposite position.
 */
export function maxMarketQty(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  side: number,
  refPrice: number,
): number {
  const p = a * b.nSymbols + s;
  const old = b.size[p]!;
  const savedMark = b.markPrice[p]!;
  b.markPrice[p] = refPrice;
  const e0 = accountEquity(b, a);
  const otherSame = sideNotional(b, a, side) - (old * side > 0 ? Math.abs(old) * refPrice : 0);
  b.markPrice[p] = savedMark;
  const fill = side > 0 ? refPrice * (1 + params.slippage[s]!) : refPrice * (1 - params.slippage[s]!);
  const c = Math.abs(fill - refPrice) + params.feeRate[s]! * fill; // equity lost per unit traded
  const cap = side > 0 ? params.maxLongLeverage[s]! : params.maxShortLeverage[s]!;
  // (otherSame + (side·old + q)·ref) ≤ cap·(e0 − q·c)  →  q ≤ (cap·e0 − otherSame − side·old·ref) / (ref + cap·c)
  const q = (cap * e0 - otherSame - side * old * refPrice) / (refPrice + cap * c);
  const closing = old * side < 0 ? Math.abs(old) : 0;
  return Math.max(q, closing, 0);
}

/**
 * Books a fill with no checks (exits and already-checked orders): fee on notional, average entry on opens/adds, realized
 * PnL on reductions, trade closed when the slot goes flat, remainder opened at the fill price on a flip (a flip clears
 * the old stop/target/max-hold). Updates the slot's mark to refPrice.
 */
export function applyFill(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  qty: number,
  fillPrice: number,
  refPrice: number,
  timeMs: number,
  reason: number,
): void {
  const p = a * b.nSymbols + s;
  const aq = Math.abs(qty);
  const fee = params.feeRate[s]! * aq * fillPrice;
  const old = b.size[p]!;
  b.cash[a] = b.cash[a]! - fee;
  b.feesPaid[a] = b.feesPaid[a]! + fee;
  b.tradedNotional[a] = b.tradedNotional[a]! + aq * fillPrice;
  b.markPrice[p] = refPrice;
  b.lastFillPrice[p] = fillPrice;
  b.lastFillRef[p] = refPrice;
  b.lastFillQty[p] = qty;
  b.lastFillFee[p] = fee;
  b.lastReason[p] = reason;
  if (old === 0 || old > 0 === qty > 0) {
    if (old === 0) {
      b.openedAt[p] = timeMs;
      b.lastRolloverAt[p] = timeMs;
    }
    const next = old + qty;
    b.entryPrice[p] = old === 0 ? fillPrice : (old * b.entryPrice[p]! + qty * fillPrice) / next;
    b.size[p] = next;
    b.tradeEntryQty[p] = b.tradeEntryQty[p]! + aq;
    b.tradeEntryNotional[p] = b.tradeEntryNotional[p]! + aq * fillPrice;
    b.tradeFees[p] = b.tradeFees[p]! + fee;
    if (Math.abs(next) > b.tradeMaxSize[p]!) b.tradeMaxSize[p] = Math.abs(next);
    b.lastRealized[p] = 0;
    return;
  }
  const closeQty = aq < Math.abs(old) ? aq : Math.abs(old);
  const closeFee = aq === closeQty ? fee : fee * (closeQty / aq);
  const gross = closeQty * (fillPrice - b.entryPrice[p]!) * (old > 0 ? 1 : -1);
  b.cash[a] = b.cash[a]! + gross;
  b.realizedPnl[a] = b.realizedPnl[a]! + gross;
  b.lastRealized[p] = gross;
  b.tradeGross[p] = b.tradeGross[p]! + gross;
  b.tradeFees[p] = b.tradeFees[p]! + closeFee;
  b.tradeExitQty[p] = b.tradeExitQty[p]! + closeQty;
  b.tradeExitNotional[p] = b.tradeExitNotional[p]! + closeQty * fillPrice;
  let next = old + qty;
  if (Math.abs(next) <= SIZE_EPS * Math.abs(old)) next = 0;
  if (next !== 0 && next > 0 === old > 0) {
    b.size[p] = next;
    return;
  } // partial close
  closeTrade(b, a, p, old > 0 ? 1 : -1, timeMs, reason);
  if (next !== 0) {
    // flip: the remainder opens a new trade at the fill price
    b.size[p] = next;
    b.entryPrice[p] = fillPrice;
    b.openedAt[p] = timeMs;
    b.lastRolloverAt[p] = timeMs;
    b.tradeEntryQty[p] = Math.abs(next);
    b.tradeEntryNotional[p] = Math.abs(next) * fillPrice;
    b.tradeFees[p] = fee - closeFee;
    b.tradeMaxSize[p] = Math.abs(next);
  }
}

function closeTrade(b: AccountBook, a: number, p: number, side: number, timeMs: number, reason: number): void {
  const net = b.tradeGross[p]! - b.tradeFees[p]! - b.tradeFunding[p]!;
  b.closedSeq[p] = b.closedSeq[p]! + 1;
  b.closedSide[p] = side;
  b.closedEntryPrice[p] = b.tradeEntryNotional[p]! / b.tradeEntryQty[p]!;
  b.closedExitPrice[p] = b.tradeExitNotional[p]! / b.tradeExitQty[p]!;
  b.closedQty[p] = b.tradeExitQty[p]!;
  b.closedGross[p] = b.tradeGross[p]!;
  b.closedFees[p] = b.tradeFees[p]!;
  b.closedFunding[p] = b.tradeFunding[p]!;
  b.closedNet[p] = net;
  b.closedOpenedAt[p] = b.openedAt[p]!;
  b.closedAt[p] = timeMs;
  b.closedReason[p] = reason;
  b.tradeCount[a] = b.tradeCount[a]! + 1;
  if (net > 0) {
    b.winCount[a] = b.winCount[a]! + 1;
    b.grossProfit[a] = b.grossProfit[a]! + net;
  } else if (net < 0) {
    b.lossCount[a] = b.lossCount[a]! + 1;
    b.grossLoss[a] = b.grossLoss[a]! - net;
  }
  clearSlot(b, p);
}

/** Validated, cap-checked fill at an explicit price (used by market and limit orders). Returns a status; rejected → unchanged. */
export function executeFill(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  qty: number,
  fillPrice: number,
  refPrice: number,
  timeMs: number,
): number {
  if (
    !Number.isFinite(qty) ||
    !(fillPrice > 0) ||
    !(refPrice > 0) ||
    !Number.isFinite(fillPrice) ||
    !Number.isFinite(refPrice)
  )
    return REJECT_INVALID;
  if (qty === 0) return ORDER_OK;
  const st = checkLeverage(b, params, a, s, qty, fillPrice, refPrice);
  if (st !== ORDER_OK) return st;
  applyFill(b, params, a, s, qty, fillPrice, refPrice, timeMs, REASON_ORDER);
  return ORDER_OK;
}

/** Market order of signed `qty` at the next price `refPrice` (+ slippage against the trader). Returns a status. */
export function marketOrder(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  qty: number,
  refPrice: number,
  timeMs: number,
): number {
  if (!(refPrice > 0) || !Number.isFinite(refPrice)) return REJECT_INVALID;
  return executeFill(b, params, a, s, qty, marketFillPrice(params, s, qty, refPrice), refPrice, timeMs);
}

/** Market order that takes slot s to `targetSize` (signed); clipped to the cap when clip is set. Returns a status. */
export function orderToTarget(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  targetSize: number,
  refPrice: number,
  timeMs: number,
  clip: boolean,
): number {
  const p = a * b.nSymbols + s;
  let qty = targetSize - b.size[p]!;
  if (qty === 0) return ORDER_OK;
  if (clip) {
    const m = maxMarketQty(b, params, a, s, qty > 0 ? 1 : -1, refPrice);
    if (Math.abs(qty) > m) qty = qty > 0 ? m : -m;
    if (qty === 0) return ORDER_OK;
  }
  return marketOrder(b, params, a, s, qty, refPrice, timeMs);
}

/** Sets (or clears with NaN) the exits of an open slot. */
export function setExits(
  b: AccountBook,
  a: number,
  s: number,
  stopLoss: number,
  takeProfit: number,
  maxHoldUntil: number,
): void {
  const p = a * b.nSymbols + s;
  b.stopLoss[p] = stopLoss;
  b.takeProfit[p] = takeProfit;
  b.maxHoldUntil[p] = maxHoldUntil;
}

/** Charges rollover for every full period elapsed since lastRolloverAt, on |size|·entryPrice. */
export function accrueRollover(b: AccountBook, params: KernelParams, a: number, s: number, timeMs: number): void {
  const p = a * b.nSymbols + s;
  const sz = b.size[p]!;
  const rate = params.rolloverRate[s]!;
  if (sz === 0 || rate === 0) return;
  const period = params.rolloverPeriodMs[s]!;
  const n = Math.floor((timeMs - b.lastRolloverAt[p]!) / period);
  if (!(n > 0)) return;
  const cost = n * rate * Math.abs(sz) * b.entryPrice[p]!;
  b.lastRolloverAt[p] = b.lastRolloverAt[p]! + n * period;
  b.cash[a] = b.cash[a]! - cost;
  b.fundingPaid[a] = b.fundingPaid[a]! + cost;
  b.tradeFunding[p] = b.tradeFunding[p]! + cost;
}

/** Closes slot s entirely at fillPrice (ref = refPrice) for `reason`. */
function exitAt(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  fillPrice: number,
  refPrice: number,
  timeMs: number,
  reason: number,
): number {
  const p = a * b.nSymbols + s;
  applyFill(b, params, a, s, -b.size[p]!, fillPrice, refPrice, timeMs, reason);
  return reason;
}

/**
 * One bar (or one tick with open = high = low = close) for slot s of account a. In order:
 *  1. rollover for the periods elapsed up to the bar's open;
 *  2. max-hold: if timeMs ≥ maxHoldUntil the position closes at the open (market: slippage);
 *  3. adverse exits (pessimistic: before any target): the adverse level is the stop or the liquidation price, whichever the
 *     price reaches first from the open (long: the higher, short: the lower). A gap through it fills at the open; a bar
 *     that reaches it fills at the level. Stops and liquidations are market exits (slippage);
 *  4. take-profit (a limit order, same rule as limitFillPrice): a gap through it fills at the open, else a bar that trades
 *     through it fills at the target (no slippage); a touch only fills with limitFillOnTouch;
 *  5. the slot is marked at the close.
 * Returns the exit reason (REASON_NONE when the position, if any, survives the bar).
 */
export function processBar(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  open: number,
  high: number,
  low: number,
  close: number,
  timeMs: number,
): number {
  const row = barScratch;
  row[0] = timeMs;
  row[1] = open;
  row[2] = high;
  row[3] = low;
  row[4] = close;
  return processPackedBar(b, params, a, s, row, 0, 1);
}

/** One bar's [time, open, high, low, close] for processBar (module scratch: processPackedBar never re-enters it). */
const barScratch = new Float64Array(5);

/**
 * processBar with the bar read from a packed price array: time at bars[row], open/high/low/close at bars[q … q + 3]
 * (the trading envs pack every symbol's bars of one time in a row). Only integers and arrays cross the call, so that
 * V8 boxes no doubles when it does not inline this (it is too large to be inlined into the env's step).
 */
export function processPackedBar(
  b: AccountBook,
  params: KernelParams,
  a: number,
  s: number,
  bars: Float64Array,
  row: number,
  q: number,
): number {
  const p = a * b.nSymbols + s;
  const close = bars[q + 3]!;
  let reason = REASON_NONE;
  const sz = b.size[p]!;
  if (sz !== 0) {
    const timeMs = bars[row]!;
    const open = bars[q]!;
    const high = bars[q + 1]!;
    const low = bars[q + 2]!;
    if (params.rolloverRate[s] !== 0) accrueRollover(b, params, a, s, timeMs);
    const slip = params.slippage[s]!;
    const long = sz > 0;
    const touch = params.limitFillOnTouch[s] === 1; // the take-profit is a limit order: same through/touch rule
    const dn = 1 - slip; // closing a long sells: price × (1 − slippage)
    const up = 1 + slip; // closing a short buys: price × (1 + slippage)
    const mh = b.maxHoldUntil[p]!;
    if (timeMs >= mh) {
      reason = exitAt(b, params, a, s, long ? open * dn : open * up, open, timeMs, REASON_MAX_HOLD);
    } else {
      b.markPrice[p] = open; // liquidation price depends on the other slots only, but keep the mark current
      const sl = b.stopLoss[p]!;
      const tp = b.takeProfit[p]!;
      const liq = liquidationPrice(b, params, a, s);
      let level = NaN;
      let levelReason = REASON_NONE;
      if (long) {
        if (sl === sl) {
          level = sl;
          levelReason = REASON_STOP_LOSS;
        }
        if (liq === liq && !(liq <= level)) {
          level = liq;
          levelReason = REASON_LIQUIDATION;
        }
        if (level === level && open <= level) reason = exitAt(b, params, a, s, open * dn, open, timeMs, levelReason);
        else if (tp === tp && (open > tp || (touch && open === tp)))
          reason = exitAt(b, params, a, s, open, open, timeMs, REASON_TAKE_PROFIT);
        else if (level === level && low <= level)
          reason = exitAt(b, params, a, s, level * dn, level, timeMs, levelReason);
        else if (tp === tp && (high > tp || (touch && high === tp)))
          reason = exitAt(b, params, a, s, tp, tp, timeMs, REASON_TAKE_PROFIT);
      } else {
        if (sl === sl) {
          level = sl;
          levelReason = REASON_STOP_LOSS;
        }
        if (liq === liq && !(liq >= level)) {
          level = liq;
          levelReason = REASON_LIQUIDATION;
        }
        if (level === level && open >= level) reason = exitAt(b, params, a, s, open * up, open, timeMs, levelReason);
        else if (tp === tp && (open < tp || (touch && open === tp)))
          reason = exitAt(b, params, a, s, open, open, timeMs, REASON_TAKE_PROFIT);
        else if (level === level && high >= level)
          reason = exitAt(b, params, a, s, level * up, level, timeMs, levelReason);
        else if (tp === tp && (low < tp || (touch && low === tp)))
          reason = exitAt(b, params, a, s, tp, tp, timeMs, REASON_TAKE_PROFIT);
      }
    }
  }
  b.markPrice[p] = close;
  return reason;
}

// ------------------------------------------------------------------------------------------------ equity curve

/**
 * Marks account a at time t: equity = cash + unrealized at the slots' current marks. Samples are committed to the
 * statistics (peak, drawdown, returns, exposure) when a *later* t arrives, so several symbols marked at the same time
 * give one sample (the last). Call once per step in the vector env. Returns the equity.
 */
export function markAccount(b: AccountBook, a: number, timeMs: number): number {
  const S = b.nSymbols;
  const size = b.size;
  const mark = b.markPrice;
  const entry = b.entryPrice;
  let e = b.cash[a]!;
  let exposed = 0;
  for (let p = a * S, end = a * S + S; p < end; p++) {
    const sz = size[p]!;
    if (sz !== 0) {
      e += sz * (mark[p]! - entry[p]!);
      exposed = 1;
    }
  }
  const last = b.lastMarkTime[a]!;
  if (last === last && timeMs !== last && b.lastCommitTime[a] !== last) commitSample(b, a);
  b.equity[a] = e;
  b.lastMarkTime[a] = timeMs;
  b.pendingExposed[a] = exposed;
  return e;
}

/** Commits the pending sample (b.equity / pendingExposed / lastMarkTime). Reads it from the book: no doubles cross the call. */
function commitSample(b: AccountBook, a: number): void {
  const e = b.equity[a]!;
  const exposed = b.pendingExposed[a]!;
  const t = b.lastMarkTime[a]!;
  const n = b.sampleCount[a]!;
  if (n === 0) {
    b.firstEquity[a] = e;
    b.firstMarkTime[a] = t;
  } else {
    const prev = b.prevEquity[a]!;
    if (prev > 0) {
      const r = e / prev - 1;
      const k = b.retCount[a]! + 1;
      const d = r - b.retMean[a]!;
      const mean = b.retMean[a]! + d / k;
      b.retM2[a] = b.retM2[a]! + d * (r - mean);
      b.retMean[a] = mean;
      b.retCount[a] = k;
      if (r < 0) b.downSumSq[a] = b.downSumSq[a]! + r * r;
    }
  }
  if (e > b.peakEquity[a]!) b.peakEquity[a] = e;
  const peak = b.peakEquity[a]!;
  const ddAbs = peak - e;
  if (ddAbs > b.maxDrawdownAbs[a]!) b.maxDrawdownAbs[a] = ddAbs;
  const dd = peak > 0 ? ddAbs / peak : 0;
  if (dd > b.maxDrawdown[a]!) b.maxDrawdown[a] = dd;
  if (exposed) b.exposedCount[a] = b.exposedCount[a]! + 1;
  b.prevEquity[a] = e;
  b.sampleCount[a] = n + 1;
  b.lastCommitTime[a] = t;
}

/** Commits the pending sample now (end of an episode / before reading metrics). Idempotent until the next mark. */
export function flushMarks(b: AccountBook, a: number): void {
  const last = b.lastMarkTime[a]!;
  if (last === last && b.lastCommitTime[a] !== last) commitSample(b, a);
}
