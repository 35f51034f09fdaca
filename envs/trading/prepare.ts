// Async preparation of kwargs whose data cannot be read synchronously (a PostgreSQL URL): loads the frame(s) through
// the replay reader and returns kwargs that carry them (`frame`, or `frames` for Portfolio-v0), so that make() —
// synchronous, as in Gymnasium — gets already loaded data (Portfolio-v0's per-symbol sources too, when one of them is a
// database). Other kwargs are returned unchanged.
import { withClient } from '../../replay/db/connect.ts';
import { loadFromDb } from '../../replay/db/reader.ts';
import { DEFAULT_SYMBOL, DEFAULT_TIMEFRAME } from '../../replay/index.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { parsePortfolioConfig } from './config.ts';
import { isPostgresUrl, loadFrame } from './market-data.ts';
import { portfolioSources } from './setup.ts';

export { isPostgresUrl };

export async function prepareTradingKwargs(kwargs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const url = kwargs.data;
  if (url !== null && typeof url === 'object' && Object.values(url).some(isPostgresUrl)) return loadSources(kwargs);
  if (!isPostgresUrl(url)) return kwargs;
  const timeframe = typeof kwargs.timeframe === 'string' ? kwargs.timeframe : DEFAULT_TIMEFRAME;
  const { data: _data, ...rest } = kwargs;
  void _data;
  if (kwargs.symbols !== undefined) {
    if (!Array.isArray(kwargs.symbols) || !kwargs.symbols.every((s) => typeof s === 'string')) {
      throw new InvalidArgumentError(
        `option 'symbols' must be an array of symbol names, got ${JSON.stringify(kwargs.symbols)}`,
      );
    }
    const symbols = kwargs.symbols as string[];
    const frames = await withClient(url, async (c) =>
      Promise.all(symbols.map((symbol) => loadFromDb(c, url, { symbol, timeframe }))),
    );
    return { ...rest, frames };
  }
  const symbol = typeof kwargs.symbol === 'string' ? kwargs.symbol : DEFAULT_SYMBOL;
  const frame = await withClient(url, (c) => loadFromDb(c, url, { symbol, timeframe }));
  return { ...rest, frame };
}

/** Portfolio-v0 with one source per symbol, some of them databases: every symbol's frame, in the symbols' order. */
async function loadSources(kwargs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const config = parsePortfolioConfig(kwargs);
  const timeframe = config.timeframe ?? DEFAULT_TIMEFRAME;
  const frames = await Promise.all(
    portfolioSources(config, kwargs).map(({ symbol, source }) =>
      isPostgresUrl(source)
        ? withClient(source, (c) => loadFromDb(c, source, { symbol, timeframe }))
        : loadFrame(source, symbol, config.timeframe),
    ),
  );
  const { data: _data, symbols: _symbols, ...rest } = kwargs;
  void _data;
  void _symbols;
  return { ...rest, frames };
}
