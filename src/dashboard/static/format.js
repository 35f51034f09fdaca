// The views' number formats: the browser twin of src/report/format.ts (one unit convention — data holds fractions,
// views show percentages). test/dashboard/ checks the page shows what format.ts gives for the same numbers.
(() => {
  window.TG4 ??= { charts: {}, views: {} };
  const TG4 = window.TG4;
  const bad = (v) => v === null || v === undefined || !Number.isFinite(v);
  TG4.format = {
    percent: (v, digits = 2) => (bad(v) ? 'n/a' : `${(v * 100).toFixed(digits)}%`),
    decimal: (v, digits = 2) => (bad(v) ? 'n/a' : v.toFixed(digits)),
    integer: (v) => (bad(v) ? 'n/a' : String(Math.round(v))),
    /** Short form for curves: 4 significant digits, exponent for very small or large values. */
    short: (v) => {
      if (bad(v)) return 'n/a';
      const a = Math.abs(v);
      if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
      return String(Number(v.toPrecision(4)));
    },
    time: (ms) => (bad(ms) ? 'n/a' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ')),
  };
  /** Escapes text for innerHTML. */
  TG4.esc = (s) =>
    String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
})();
