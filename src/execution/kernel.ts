// The one accounting and fill kernel: pure functions on plain numbers and a struct-of-arrays AccountBook, shared by the
// object API (PaperExecutor/Portfolio) and the trading envs, so that both produce the same numbers bit for bit. Nothing
// here allocates but createBook/createParams: every result is written into the book's columns (docs/execution.md,
// "Kernel"). One file per concern:
//   book.ts          the columns (declared once), reset, equity and side notional
//   params.ts        per-symbol parameters and the bot's defaults
//   fills.ts         fill prices, the leverage cap, booking a fill (average entry, realized PnL, flips, trade records)
//   bars.ts          one bar of a held position: rollover, max-hold, stop / liquidation / take-profit, mark
//   equity-curve.ts  equity samples folded into running statistics (metrics.ts reads them)
export * from './codes.ts';
export * from './params.ts';
export * from './book.ts';
export * from './fills.ts';
export * from './bars.ts';
export * from './equity-curve.ts';
