// The default feature specs shipped with the library: specs/default.json for 1m data (1m/5m/1h features) and
// specs/hourly.json for 1h data (1h/4h/1d). Other timeframes get default.json without the entries their bars
// cannot build (a higher timeframe that is not a coarser whole multiple of the data's).
import { fileURLToPath } from 'node:url';
import { loadFeatureSpec, parseFeatureSpec, type FeatureSpec } from './spec.ts';
import { parseTimeframe } from './timeframe.ts';

export const DEFAULT_SPEC_PATH = fileURLToPath(new URL('./specs/default.json', import.meta.url));
export const HOURLY_SPEC_PATH = fileURLToPath(new URL('./specs/hourly.json', import.meta.url));

/** The default spec for data of `timeframe` (default '1m'). */
export function loadDefaultSpec(timeframe = '1m'): FeatureSpec {
  const ms = parseTimeframe(timeframe);
  if (ms === 60_000) return loadFeatureSpec(DEFAULT_SPEC_PATH);
  if (ms === 3_600_000) return loadFeatureSpec(HOURLY_SPEC_PATH);
  const base = loadFeatureSpec(DEFAULT_SPEC_PATH);
  const features = base.features.filter((f) => {
    if (f.timeframe === undefined) return true;
    const t = parseTimeframe(f.timeframe);
    return t > ms && t % ms === 0;
  });
  return parseFeatureSpec({ ...base, name: `${base.name}-${timeframe}`, features });
}
