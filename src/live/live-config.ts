// The trading kwargs of a live run, resolved exactly as Trading-v0 resolves them (envs/trading/config.ts): the same
// executor defaults, action scheme, feature spec for the bar length, window and cooldown, so that a model trained or
// backtested with some kwargs runs live with the same ones, and a spec-hash mismatch is refused.
import { createActionScheme, type ActionScheme } from '../../envs/trading/actions.ts';
import { parseTradingConfig, type TradingConfig } from '../../envs/trading/config.ts';
import { resolveSpec } from '../../envs/trading/features.ts';
import { observationDim } from '../../envs/trading/observation.ts';
import { ObservationBuilder, parseTimeframe, specHash, type FeatureSpec } from '../features/index.ts';
import { InvalidArgumentError } from '../core/errors.ts';
import type { SpaceJSON } from '../core/types.ts';
import type { PolicyContext } from './policy.ts';

export interface LiveTradingSetup {
  config: TradingConfig;
  scheme: ActionScheme;
  spec: FeatureSpec;
  specHash: string;
  windowSize: number;
  /** W·F + 4 (one symbol). */
  obsSize: number;
  numFeatures: number;
  actionSpace: SpaceJSON;
}

/** Kwargs the live loop ignores because the feed, not a data file, supplies the bars. */
const DATA_KWARGS = [
  'data',
  'symbol',
  'timeframe',
  'range',
  'start',
  'episodeLength',
  'frame',
  'featureMatrix',
  'renderMode',
];

export function liveTradingSetup(kwargs: Record<string, unknown>, timeframe: string): LiveTradingSetup {
  const timeframeMs = parseTimeframe(timeframe, 'timeframe');
  for (const k of ['frame', 'featureMatrix'])
    if (kwargs[k] !== undefined)
      throw new InvalidArgumentError(
        `live: '${k}' cannot be given; the live feed supplies the bars and the features are computed live`,
      );
  const rest = Object.fromEntries(Object.entries(kwargs).filter(([k]) => !DATA_KWARGS.includes(k)));
  const config = parseTradingConfig(rest);
  const scheme = createActionScheme(config.actionScheme, config.exposure, config.levels);
  const spec = resolveSpec(config.features, timeframeMs);
  if (
    config.windowSize !== undefined &&
    config.features !== undefined &&
    config.features !== 'default' &&
    config.windowSize !== spec.window
  )
    throw new InvalidArgumentError(
      `windowSize ${config.windowSize} differs from the feature spec's window ${spec.window}: set one of them, or make them equal`,
    );
  const windowSize = config.windowSize ?? spec.window;
  const F = new ObservationBuilder(spec, { timeframe }).names.length;
  const obsSize = observationDim(windowSize, F);
  const actionSpace = scheme.space.toJSON() as SpaceJSON;
  return { config, scheme, spec, specHash: specHash(spec), windowSize, obsSize, numFeatures: F, actionSpace };
}

export function policyContext(s: LiveTradingSetup, seed = 0): PolicyContext {
  return { scheme: s.scheme, obsSize: s.obsSize, actionSpace: s.actionSpace, specHash: s.specHash, seed };
}
