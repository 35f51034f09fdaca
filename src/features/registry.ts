// The features a spec can name: each indicator file declares its own (params, outputs, inputs, warm-up, state
// factory; see feature-def.ts). This file only lists them and looks them up by name.
import { FeatureError } from './errors.ts';
import type { FeatureDef } from './feature-def.ts';
import { adxFeature } from './indicators/adx.ts';
import { atrFeature } from './indicators/atr.ts';
import { bbandsFeature } from './indicators/bollinger.ts';
import { depthImbalanceFeature, micropriceFeature, midFeature, spreadFeature } from './indicators/book.ts';
import { chopFeature } from './indicators/choppiness.ts';
import { columnFeature } from './indicators/column.ts';
import { maAlignmentFeature } from './indicators/ma-alignment.ts';
import { macdFeature } from './indicators/macd.ts';
import { emaFeature, smaFeature } from './indicators/moving-averages.ts';
import { obvFeature } from './indicators/obv.ts';
import { regimeFeature } from './indicators/regime.ts';
import { returnsFeature } from './indicators/returns.ts';
import { rsiFeature } from './indicators/rsi.ts';
import { stochFeature } from './indicators/stochastic.ts';
import { volumeImbalanceFeature, vpinFeature } from './indicators/trade-flow.ts';
import { volatilityFeature } from './indicators/volatility.ts';
import { volumeSpikeFeature } from './indicators/volume-spike.ts';
import { vwapFeature } from './indicators/vwap.ts';
import { zscoreFeature } from './indicators/zscore.ts';

export type { BuildContext, FeatureDef, FeatureState } from './feature-def.ts';

const DEFS: readonly FeatureDef[] = [
  smaFeature,
  emaFeature,
  rsiFeature,
  atrFeature,
  bbandsFeature,
  macdFeature,
  adxFeature,
  chopFeature,
  stochFeature,
  volatilityFeature,
  zscoreFeature,
  vwapFeature,
  obvFeature,
  volumeSpikeFeature,
  maAlignmentFeature,
  returnsFeature,
  volumeImbalanceFeature,
  vpinFeature,
  spreadFeature,
  midFeature,
  micropriceFeature,
  depthImbalanceFeature,
  regimeFeature,
  columnFeature,
];

const BY_NAME = new Map(DEFS.map((d) => [d.name, d]));

export function featureNames(): string[] {
  return DEFS.map((d) => d.name).sort();
}

export function getFeatureDef(name: string, field = 'feature'): FeatureDef {
  const d = BY_NAME.get(name);
  if (!d) throw new FeatureError(`${field}: unknown feature '${name}'; available: ${featureNames().join(', ')}`);
  return d;
}

export function listFeatures(): { name: string; description: string }[] {
  return DEFS.map((d) => ({ name: d.name, description: d.description })).sort((a, b) => a.name.localeCompare(b.name));
}
