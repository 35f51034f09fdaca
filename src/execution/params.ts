// Per-symbol trading parameters of the kernel: one typed-array entry per symbol index, built from plain objects whose
// missing fields take the bot's defaults. The columns are declared once, as the fields of SymbolParams.

/** Kraken charges rollover per 4 hours of an open margin position. */
export const ROLLOVER_PERIOD_MS = 4 * 3600 * 1000;

/** Set before the column initializers of SymbolParams run (they read it). */
class ParamsShape {
  constructor(readonly nSymbols: number) {}
}

/** One column per parameter, one entry per symbol. */
class SymbolParams extends ParamsShape {
  /** Fee per side as a fraction of fill notional (0.001 = 0.1%). */
  readonly feeRate = new Float64Array(this.nSymbols);
  /** Market-order slippage as a fraction of the reference price, always against the trader (0.0005 = 0.05%). */
  readonly slippage = new Float64Array(this.nSymbols);
  /** Max long notional / equity after a fill that increases a long (1.5). */
  readonly maxLongLeverage = new Float64Array(this.nSymbols);
  /** Max short notional / equity after a fill that increases a short (2.0). */
  readonly maxShortLeverage = new Float64Array(this.nSymbols);
  /** Liquidation when equity < ratio × |notional| of the account's positions (0.2). Must be in [0, 1). */
  readonly maintenanceMarginRatio = new Float64Array(this.nSymbols);
  /** Rollover charged per elapsed period on |size|·entryPrice (0 = off; Kraken ≈ 0.0002 per 4 h). */
  readonly rolloverRate = new Float64Array(this.nSymbols);
  /** Rollover period in ms (4 h). */
  readonly rolloverPeriodMs = new Float64Array(this.nSymbols);
  /** Limit orders also fill when the bar only touches the limit (low == limit for a buy); default 0 (through only). */
  readonly limitFillOnTouch = new Uint8Array(this.nSymbols);
}

export type KernelParams = SymbolParams;
type ParamName = Exclude<keyof SymbolParams, 'nSymbols'>;

/** One symbol's parameters as a plain object (booleans where the column is a 0/1 flag). */
export type SymbolParamsInput = {
  [K in ParamName]?: SymbolParams[K] extends Uint8Array ? boolean : number;
};

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

const PARAM_NAMES = Object.keys(DEFAULT_SYMBOL_PARAMS) as ParamName[];

/** Per-symbol params from plain objects (missing or undefined fields take the bot's defaults). */
export function createParams(symbols: readonly SymbolParamsInput[]): KernelParams {
  const p = new SymbolParams(symbols.length);
  symbols.forEach((given, s) => {
    for (const k of PARAM_NAMES) {
      const v = given[k] ?? DEFAULT_SYMBOL_PARAMS[k];
      p[k][s] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    }
  });
  return p;
}
