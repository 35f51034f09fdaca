// The kernel's small integer codes: order statuses and fill reasons (stored in Uint8 book columns, compared in hot loops).

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
