// The planted-signal markets as registered envs: tg4/PlantedRegime-v0, tg4/PlantedMeanRevert-v0 and
// tg4/PlantedMomentum-v0 are tg4/Trading-v0 (the same executor, costs, rewards and actions) over candles drawn from a
// seed by a process whose best policy is known (processes.ts; its oracle is agents/baselines/planted-oracle.ts).
// Train on one draw (marketSeed), evaluate out of sample on another: a fresh draw of the same process.
import { fileURLToPath } from 'node:url';
import { register, registeredIds } from '../../src/core/registry.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { loadFeatureSpec, type FeatureSpec } from '../../src/features/spec.ts';
import { TradingEnv } from '../trading/trading-env.ts';
import { TradingVectorEnv } from '../trading/trading-vector-env.ts';
import { drawPlantedMarket, PLANTED_KINDS, type PlantedKind, type PlantedMarket } from './processes.ts';

export {
  drawPlantedMarket,
  PLANTED_KINDS,
  PLANTED_DEFAULTS,
  DRIFT_FLOOR,
  type PlantedKind,
  type PlantedMarket,
  type PlantedParams,
} from './processes.ts';

/**
 * Each market's default feature spec. spec.json: multi-horizon returns (1–96 bars), EMA distances, z-scores,
 * volatility (window 4). The mean-reversion market's adds the price's deviation from its 500- and 1,000-bar means
 * (raw, not rolling-z-scored): the oracle trades the deviation from the process's anchor, and with a half-life of ~34
 * bars a mean over 96 bars follows the deviation itself too closely to estimate the anchor (docs/evaluation.md).
 */
export const PLANTED_SPEC_PATHS: { readonly [K in PlantedKind]: string } = {
  regime: fileURLToPath(new URL('./spec.json', import.meta.url)),
  'mean-revert': fileURLToPath(new URL('./spec-mean-revert.json', import.meta.url)),
  momentum: fileURLToPath(new URL('./spec.json', import.meta.url)),
};

/** The default feature spec of the planted market `kind`. */
export function plantedSpec(kind: PlantedKind): FeatureSpec {
  return loadFeatureSpec(PLANTED_SPEC_PATHS[kind]);
}

export const PLANTED_ENV_IDS: { readonly [K in PlantedKind]: string } = {
  regime: 'tg4/PlantedRegime-v0',
  'mean-revert': 'tg4/PlantedMeanRevert-v0',
  momentum: 'tg4/PlantedMomentum-v0',
};

/** Which draw a planted env trades: the market's own kwargs, taken out before the rest reaches the trading env. */
export interface PlantedKwargs {
  /** Seed of the drawn market (default 0); the env's own seed (reset) still picks episode starts. */
  marketSeed?: number;
  /** Bars in the draw (default 8,760). */
  bars?: number;
  /** Process parameters to change from the defaults (docs/evaluation.md). */
  params?: Record<string, number>;
}

/** Splits a planted env's kwargs into the draw and the trading env's kwargs (frame and feature spec filled in). */
export function plantedTradingKwargs(
  kind: PlantedKind,
  kwargs: Record<string, unknown>,
): { market: PlantedMarket; kwargs: Record<string, unknown> } {
  const { marketSeed, bars, params, ...rest } = kwargs as PlantedKwargs & Record<string, unknown>;
  for (const k of ['data', 'frame', 'timeframe', 'symbol'] as const) {
    if (rest[k] !== undefined) {
      throw new InvalidArgumentError(
        `${PLANTED_ENV_IDS[kind]} draws its own candles: '${k}' is not accepted (use marketSeed, bars, params)`,
      );
    }
  }
  const market = drawPlantedMarket(kind, {
    seed: marketSeed ?? 0,
    ...(bars !== undefined ? { bars } : {}),
    ...(params !== undefined ? { params } : {}),
  });
  // The traded range starts where the draw was detrended from, so that buy-and-hold over it loses by construction.
  const range = rest.range ?? `${new Date(market.frame.time[market.tradeFrom]!).toISOString()}..`;
  return { market, kwargs: { features: plantedSpec(kind), ...rest, range, frame: market.frame } };
}

export function registerPlantedEnvs(): void {
  for (const kind of PLANTED_KINDS) {
    const id = PLANTED_ENV_IDS[kind];
    if (registeredIds().includes(id)) continue;
    register({
      id,
      entryPoint: (kwargs) => new TradingEnv(plantedTradingKwargs(kind, kwargs).kwargs),
      vectorEntryPoint: ({ numEnvs, autoresetMode, kwargs }) =>
        new TradingVectorEnv({
          numEnvs,
          autoresetMode,
          kwargs: plantedTradingKwargs(kind, kwargs).kwargs,
          kind: 'trading',
        }),
      description: `tg4/Trading-v0 over a seeded synthetic '${kind}' market whose best policy is known (oracle in agents/baselines/planted-oracle.ts).`,
    });
  }
}

registerPlantedEnvs();
