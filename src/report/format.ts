// The one unit convention of reports: data (metrics.json, backtest.json, the dashboard's API) holds plain numbers, with
// ratios as fractions (0.05 = 5 %); only views format, and they format with these.

/** A fraction as a percentage, e.g. 0.0512 → "5.12%"; null/NaN → "n/a". */
export function formatPercent(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(digits)}%`;
}

/** A plain number with fixed decimals; null/NaN → "n/a". */
export function formatDecimal(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);
}

/** Ranges shorter than this are too short for an annualised figure to mean anything: views show "n/a (short range)". */
export const MIN_ANNUALISE_DAYS = 90;

/** Whether annualised figures (annualised return, Sharpe, Sortino, Calmar) are meaningful over a range of this length. */
export function annualisedMeaningful(rangeMs: number): boolean {
  return rangeMs >= MIN_ANNUALISE_DAYS * 86_400_000;
}
