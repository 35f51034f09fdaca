// The declarative feature spec (JSON or YAML): which features, their params and timeframes, the observation window,
// and the normalization. Validated with zod; errors name the bad field. The spec hash (sha256 of canonical JSON of
// the fully-defaulted spec) is what models record so that a model is never fed features it was not trained on.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FeatureError } from './errors.ts';
import { getFeatureDef } from './registry.ts';
import { parseTimeframe } from './timeframe.ts';

const FeatureEntrySchema = z
  .object({
    feature: z.string().min(1),
    /** Column prefix; default: the feature name, its main params and the timeframe (e.g. rsi_14_1h). */
    id: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/)
      .optional(),
    params: z.record(z.string(), z.unknown()).default({}),
    /** Timeframe of the bars this feature runs on; default: the data's own timeframe. */
    timeframe: z.string().optional(),
    /** Which outputs become columns; default: the feature's default outputs. */
    outputs: z.array(z.string()).min(1).optional(),
    /** 'none' keeps this feature's columns raw even when the spec normalizes (labels, bounded scores). */
    normalize: z.enum(['inherit', 'none']).default('inherit'),
  })
  .strict();

const StatSchema = z.object({ mean: z.number(), std: z.number().gt(0) }).strict();

const NormalizationSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('none') }).strict(),
  z
    .object({
      method: z.literal('rolling_zscore'),
      /** Rows of history in the rolling mean/std (current row included: no future data). */
      window: z.number().int().min(2).max(1_000_000).default(500),
      clip: z.number().gt(0).default(10),
    })
    .strict(),
  z
    .object({
      method: z.literal('fixed'),
      /** Per column: mean and std measured on the training rows and saved with the model. */
      stats: z.record(z.string(), StatSchema),
      clip: z.number().gt(0).default(10),
    })
    .strict(),
]);

export const FeatureSpecSchema = z
  .object({
    version: z.literal(1).default(1),
    name: z.string().optional(),
    /** When set, data of another timeframe is refused. */
    base_timeframe: z.string().optional(),
    /** Observation window length (rows) the envs stack; recorded here so that the hash covers it. */
    window: z.number().int().min(1).max(100_000).default(32),
    features: z.array(FeatureEntrySchema).min(1),
    normalization: NormalizationSchema.default({ method: 'rolling_zscore', window: 500, clip: 10 }),
  })
  .strict();

export type FeatureSpecInput = z.input<typeof FeatureSpecSchema>;
export type FeatureSpec = z.output<typeof FeatureSpecSchema>;
export type FeatureEntry = FeatureSpec['features'][number];
export type Normalization = FeatureSpec['normalization'];

function pathOf(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s || '(root)';
}

function zodMessage(err: z.ZodError, prefix = ''): string {
  return err.issues
    .map((i) => `${prefix}${prefix && i.path.length ? '.' : ''}${pathOf(i.path)}: ${i.message}`)
    .join('; ');
}

/** Validates a spec object: structure, every feature name, every feature's params, timeframes. Returns it fully defaulted. */
export function parseFeatureSpec(input: unknown): FeatureSpec {
  const r = FeatureSpecSchema.safeParse(input);
  if (!r.success) throw new FeatureError(`invalid feature spec: ${zodMessage(r.error)}`);
  const spec = r.data;
  if (spec.base_timeframe !== undefined) parseTimeframe(spec.base_timeframe, 'base_timeframe');
  spec.features.forEach((f, i) => {
    const field = `features[${i}]`;
    const d = getFeatureDef(f.feature, `${field}.feature`);
    const pr = d.params.safeParse(f.params);
    if (!pr.success) throw new FeatureError(`invalid feature spec: ${zodMessage(pr.error, `${field}.params`)}`);
    f.params = pr.data as Record<string, unknown>;
    if (f.timeframe !== undefined) parseTimeframe(f.timeframe, `${field}.timeframe`);
    if (f.outputs) {
      const all = d.outputs(f.params);
      for (const o of f.outputs) {
        if (!all.includes(o))
          throw new FeatureError(`${field}.outputs: '${f.feature}' has no output '${o}'; available: ${all.join(', ')}`);
      }
    }
  });
  return spec;
}

/** Reads a .json, .yaml or .yml spec file. */
export function loadFeatureSpec(path: string): FeatureSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FeatureError(`cannot read feature spec '${path}': ${(e as Error).message}`, { cause: e });
  }
  let obj: unknown;
  try {
    obj = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new FeatureError(
      `feature spec '${path}' is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  return parseFeatureSpec(obj);
}

/** JSON with object keys sorted at every level: the same spec always gives the same bytes. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** sha256 (hex) of the canonical JSON of the validated, fully-defaulted spec. */
export function specHash(spec: FeatureSpec | FeatureSpecInput): string {
  const s = parseFeatureSpec(spec);
  return createHash('sha256').update(canonicalJson(s)).digest('hex');
}
