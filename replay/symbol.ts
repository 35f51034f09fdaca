// Symbol names. Canonical form is Kraken WebSocket v2's 'BASE/QUOTE' with BTC (not XBT), e.g. 'BTC/USD'; the archive
// style 'XBTUSD' and 'xbt/usd' are accepted and mapped onto it so that one market has one name everywhere.

const QUOTES = ['USDC', 'USDT', 'USD', 'EUR', 'GBP', 'CAD', 'JPY', 'CHF', 'AUD', 'BTC', 'ETH'];
const ALIASES: Record<string, string> = { XBT: 'BTC', XXBT: 'BTC', XETH: 'ETH', ZUSD: 'USD', ZEUR: 'EUR', XDG: 'DOGE' };

function canonAsset(a: string): string {
  return ALIASES[a] ?? a;
}

/** 'XBTUSD' → 'BTC/USD', 'eth/usd' → 'ETH/USD', 'BTCUSDC' → 'BTC/USDC'; unknown shapes are upper-cased and kept. */
export function normalizeSymbol(symbol: string): string {
  const s = symbol.trim().toUpperCase().replace(/[-_:]/g, '/');
  if (s.includes('/')) {
    const [base, quote] = s.split('/', 2) as [string, string];
    return `${canonAsset(base)}/${canonAsset(quote)}`;
  }
  for (const q of QUOTES) {
    if (s.length > q.length && s.endsWith(q)) return `${canonAsset(s.slice(0, -q.length))}/${q}`;
  }
  return s;
}
