// The one default feature spec per data timeframe, used by every caller that says "default": the trading envs,
// `tg4 features export/hash --timeframe`, and the live ObservationBuilder. specs/default.json for 1m data (1m/5m/1h
// features), specs/hourly.json for 1h data (1h/4h/1d). Other timeframes get default.json without the entries their
// bars cannot build (a higher timeframe that is not a coarser whole multiple of the data's), named after the
// timeframe's canonical label so that '240m' and '4h' give the same spec and hash.
import { fileURLToPath } from 'node:url';
import { FeatureError } from './errors.ts';
import { loadFeatureSpec, parseFeatureSpec, type FeatureSpec } from './spec.ts';
import { parseTimeframe, timeframeLabel } from './timeframe.ts';

export const DEFAULT_SPEC_PATH = fileURLToPath(new URL('./specs/default.json', import.meta.url));
export const HOURLY_SPEC_PATH = fileURLToPath(new URL('./specs/hourly.json', import.meta.url));

/** The default spec for data of `timeframe` (a name such as '1h', or a bar length in ms; default '1m'). */
export function loadDefaultSpec(timeframe: string | number = '1m'): FeatureSpec {
  const ms = typeof timeframe === 'number' ? timeframe : parseTimeframe(timeframe);
  if (!(ms > 0 && Number.isSafeInteger(ms)))
    throw new FeatureError(`default spec: the data's bar length must be a positive whole number of ms, got ${ms}`);
  if (ms === 60_000) return loadFeatureSpec(DEFAULT_SPEC_PATH);
  if (ms === 3_600_000) return loadFeatureSpec(HOURLY_SPEC_PATH);
  const base = loadFeatureSpec(DEFAULT_SPEC_PATH);
  const features = base.features.filter((f) => {
    if (f.timeframe === undefined) return true;
    const t = parseTimeframe(f.timeframe);
    return t > ms && t % ms === 0;
  });
  return parseFeatureSpec({ ...base, name: `${base.name}-${timeframeLabel(ms)}`, features });
}
