// From kwargs to the pieces every trading env is built from: validated config, action scheme, MarketData and the
// core's options. All checks (options, data range, feature spec vs data, reward name) run here, before any step.
import type { MarketFrame } from '../../replay/market-frame.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { createActionScheme, type ActionScheme } from './actions.ts';
import { parsePortfolioConfig, parseTradingConfig, type PortfolioConfig, type TradingConfig } from './config.ts';
import { specWindow } from './features.ts';
import { isPostgresUrl, loadFrame, resolveMarketData, type MarketData } from './market-data.ts';
import { createReward } from './rewards/index.ts';
import type { CoreOptions } from './trading-core.ts';

const DEFAULT_WINDOW = 32;

export interface TradingSetup {
  config: TradingConfig;
  scheme: ActionScheme;
  data: MarketData;
  core: Omit<CoreOptions, 'numEnvs'>;
}

function coreOptions(
  c: TradingConfig | PortfolioConfig,
  windowSize: number,
  discrete: boolean,
): Omit<CoreOptions, 'numEnvs'> {
  return {
    windowSize,
    executor: c.executor,
    reward: c.reward,
    episodeLength: c.episodeLength,
    start: c.start,
    ruinFraction: c.ruinFraction,
    maxDrawdown: c.maxDrawdown,
    cooldownBars: c.cooldownBars,
    decisionInterval: c.decisionInterval,
    timeScale: c.timeScale,
    discrete,
    rebalanceThreshold: c.rebalanceThreshold,
  };
}

/**
 * windowSize: the kwarg, else the spec's `window` (the default spec's for data of `timeframeMs`), else 32; an explicit
 * spec whose window disagrees is an error.
 */
function windowOf(c: TradingConfig | PortfolioConfig, timeframeMs: number): number {
  const fromSpec =
    c.features !== undefined && c.features !== 'default' ? specWindow(c.features, timeframeMs) : undefined;
  if (c.windowSize !== undefined && fromSpec !== undefined && c.windowSize !== fromSpec) {
    throw new InvalidArgumentError(
      `windowSize ${c.windowSize} differs from the feature spec's window ${fromSpec} (which its hash covers): set one of them, or make them equal`,
    );
  }
  return c.windowSize ?? fromSpec ?? specWindow(undefined, timeframeMs) ?? DEFAULT_WINDOW;
}

function atrPeriod(c: TradingConfig | PortfolioConfig): number | null {
  return c.executor.stopLossAtr !== null || c.executor.takeProfitAtr !== null ? c.executor.atrPeriod : null;
}

export function tradingSetup(kwargs: Record<string, unknown>): TradingSetup {
  const config = parseTradingConfig(kwargs);
  if (config.featureMatrix !== undefined && config.features !== undefined) {
    throw new InvalidArgumentError(
      "pass either 'features' (a spec to build the matrix from) or 'featureMatrix' (an already built one), not both",
    );
  }
  if (config.featureMatrix !== undefined && config.frame === undefined) {
    throw new InvalidArgumentError("'featureMatrix' needs the 'frame' it was built from");
  }
  createReward(config.reward, 1); // unknown reward names fail here, before any data is read
  const scheme = createActionScheme(config.actionScheme, config.exposure, config.levels);
  const frame: MarketFrame = config.frame ?? loadFrame(config.data, config.symbol, config.timeframe);
  const windowSize = windowOf(config, frame.timeframeMs);
  const data = resolveMarketData([frame], config, {
    windowSize,
    atrPeriod: atrPeriod(config),
    episodeLength: config.episodeLength,
    decisionInterval: config.decisionInterval,
    matrices: config.featureMatrix ? [config.featureMatrix] : undefined,
  });
  return { config, scheme, data, core: coreOptions(config, windowSize, scheme.discrete) };
}

export interface PortfolioSetup {
  config: PortfolioConfig;
  data: MarketData;
  core: Omit<CoreOptions, 'numEnvs'>;
}

/** Where a multi-symbol source holds every symbol: the bundled data and a database (one CSV file holds one). */
function holdsEverySymbol(source: string): boolean {
  return source === 'bundled' || isPostgresUrl(source);
}

/**
 * One source per symbol of a Portfolio-v0: `data` as { symbol: source } (its keys are the symbols unless `symbols`
 * names them), or one source that holds every symbol. A single CSV file for several symbols is refused: it holds one
 * symbol's bars, and using it for all of them would trade one price series under several names.
 */
export function portfolioSources(
  config: PortfolioConfig,
  kwargs: Record<string, unknown>,
): { symbol: string; source: string }[] {
  const data = config.data;
  if (typeof data === 'string') {
    if (!holdsEverySymbol(data)) {
      const eg = config.symbols.map((s, i) => `${JSON.stringify(s)}: "file${i + 1}.csv"`).join(', ');
      throw new InvalidArgumentError(
        `data: '${data}' is one CSV file, which holds one symbol's bars, but tg4/Portfolio-v0 trades ${config.symbols.length} symbols (${config.symbols.join(', ')}): ` +
          `give one source per symbol, data: { ${eg} }, or 'bundled' / a postgres:// URL, or pass the loaded 'frames'`,
      );
    }
    return config.symbols.map((symbol) => ({ symbol, source: data }));
  }
  const keys = Object.keys(data);
  const symbols = kwargs.symbols === undefined ? keys : config.symbols;
  const missing = symbols.filter((s) => !(s in data));
  const extra = keys.filter((k) => !symbols.includes(k));
  if (missing.length > 0 || extra.length > 0) {
    throw new InvalidArgumentError(
      `data: the sources name ${keys.join(', ')} but symbols are ${symbols.join(', ')}` +
        `${missing.length ? ` (no source for ${missing.join(', ')})` : ''}${extra.length ? ` (${extra.join(', ')} not in symbols)` : ''}: give one source per symbol`,
    );
  }
  if (symbols.length < 2)
    throw new InvalidArgumentError(
      `data: tg4/Portfolio-v0 needs at least 2 symbols, the sources name ${symbols.length}: use tg4/Trading-v0 for one`,
    );
  return symbols.map((symbol) => ({ symbol, source: data[symbol]! }));
}

export function portfolioSetup(kwargs: Record<string, unknown>): PortfolioSetup {
  const config = parsePortfolioConfig(kwargs);
  if (config.featureMatrices !== undefined && config.features !== undefined) {
    throw new InvalidArgumentError(
      "pass either 'features' (a spec to build the matrices from) or 'featureMatrices', not both",
    );
  }
  if (
    config.featureMatrices !== undefined &&
    (config.frames === undefined || config.featureMatrices.length !== config.frames.length)
  ) {
    throw new InvalidArgumentError("'featureMatrices' needs the 'frames' they were built from, one matrix per frame");
  }
  createReward(config.reward, 1);
  const frames =
    config.frames ?? portfolioSources(config, kwargs).map((p) => loadFrame(p.source, p.symbol, config.timeframe));
  const windowSize = windowOf(config, frames[0]!.timeframeMs);
  const data = resolveMarketData(frames, config, {
    windowSize,
    atrPeriod: atrPeriod(config),
    episodeLength: config.episodeLength,
    decisionInterval: config.decisionInterval,
    matrices: config.featureMatrices,
  });
  return { config, data, core: coreOptions(config, windowSize, false) };
}
