// The default feature spec shipped with the library (src/features/specs/default.json).
import { fileURLToPath } from 'node:url';
import { loadFeatureSpec, type FeatureSpec } from './spec.ts';

export const DEFAULT_SPEC_PATH = fileURLToPath(new URL('./specs/default.json', import.meta.url));

export function loadDefaultSpec(): FeatureSpec { return loadFeatureSpec(DEFAULT_SPEC_PATH); }
