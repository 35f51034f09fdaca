// The saved-model format: one folder per model version holding manifest.json (what was trained, on what, with which
// settings and results, and a SHA-256 of the weights) beside weights.bin (float32 little-endian tensors, concatenated in
// the manifest's order, as tfjs's weight specs). A model that is corrupt, or does not fit the env it is asked to run on,
// is refused with MODEL_MISMATCH: it is never run. See models/README.md.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tg4Error } from '../../src/core/errors.ts';
import type { SpaceJSON } from '../../src/core/types.ts';
import type { NormalizerJSON } from './running-stats.ts';

export const MODEL_FORMAT = 'tg4-model/1';

export interface NamedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  algo: 'ppo' | 'dqn';
  envId: string;
  observationSpace: SpaceJSON;
  actionSpace: SpaceJSON;
  obsSize: number;
  /** Hash of the feature pipeline that built the observations (trading envs); null when the env has none. */
  featureSpecHash: string | null;
  normalization: NormalizerJSON | null;
  /** Network architecture needed to rebuild the model (algorithm-specific, JSON). */
  network: Record<string, unknown>;
  hyperparameters: Record<string, unknown>;
  metrics: Record<string, unknown>;
  created: string;
  seed: number;
  backend: string;
  weights: { file: 'weights.bin'; sha256: string; bytes: number; specs: WeightSpec[] };
}

export class ModelMismatchError extends Tg4Error {
  constructor(message: string) {
    super('MODEL_MISMATCH', message);
  }
}

export function sha256(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Writes manifest.json + weights.bin into `dir` (created); the manifest is written last, via a rename, so a crash mid-save never leaves a loadable half model. */
export function saveModel(
  dir: string,
  manifest: Omit<ModelManifest, 'weights' | 'format'>,
  weights: readonly NamedWeight[],
): ModelManifest {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (const w of weights) bytes += w.data.length * 4;
  const buf = new Uint8Array(bytes);
  const view = new DataView(buf.buffer);
  let off = 0;
  for (const w of weights) {
    for (let k = 0; k < w.data.length; k++, off += 4) view.setFloat32(off, w.data[k]!, true);
  }
  writeFileSync(join(dir, 'weights.bin'), buf);
  const full: ModelManifest = {
    format: MODEL_FORMAT,
    ...manifest,
    weights: {
      file: 'weights.bin',
      sha256: sha256(buf),
      bytes,
      specs: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })),
    },
  };
  const tmp = join(dir, 'manifest.json.tmp');
  writeFileSync(tmp, JSON.stringify(full, null, 2) + '\n');
  renameSync(tmp, join(dir, 'manifest.json'));
  return full;
}

/** What the caller requires of the model; each present field is checked. */
export interface ModelExpectation {
  algo?: 'ppo' | 'dqn';
  obsSize?: number;
  actionSpace?: SpaceJSON;
  featureSpecHash?: string | null;
}

export interface LoadedModel {
  dir: string;
  manifest: ModelManifest;
  weights: NamedWeight[];
}

/** Reads and verifies a saved model; throws MODEL_MISMATCH saying what is wrong. */
export function loadModel(dir: string, expect: ModelExpectation = {}): LoadedModel {
  const mPath = join(dir, 'manifest.json');
  if (!existsSync(mPath))
    throw new ModelMismatchError(
      `no model at ${dir}: manifest.json is missing (train one with \`tg4 train\`, or pass the version folder, e.g. models/ppo-CartPole-v1/v0001)`,
    );
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(readFileSync(mPath, 'utf8')) as ModelManifest;
  } catch (err) {
    throw new ModelMismatchError(
      `${mPath} is not valid JSON (${(err as Error).message}): the model is corrupt; retrain it or restore the file`,
    );
  }
  if (manifest?.format !== MODEL_FORMAT)
    throw new ModelMismatchError(`${mPath}: format is ${JSON.stringify(manifest?.format)}, expected '${MODEL_FORMAT}'`);
  for (const f of ['algo', 'envId', 'obsSize', 'observationSpace', 'actionSpace', 'network', 'weights'] as const) {
    if (manifest[f] === undefined || manifest[f] === null)
      throw new ModelMismatchError(`${mPath}: field '${f}' is missing: the manifest is corrupt`);
  }
  const wPath = join(dir, manifest.weights.file);
  if (!existsSync(wPath)) throw new ModelMismatchError(`${wPath} is missing: the model is incomplete`);
  const buf = new Uint8Array(readFileSync(wPath));
  if (buf.length !== manifest.weights.bytes || sha256(buf) !== manifest.weights.sha256) {
    throw new ModelMismatchError(
      `${wPath} does not match the SHA-256 recorded in its manifest (${buf.length} bytes, expected ${manifest.weights.bytes}): the weights are corrupt or were replaced; retrain or restore them`,
    );
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const weights: NamedWeight[] = [];
  let off = 0;
  for (const s of manifest.weights.specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (off + n * 4 > buf.length)
      throw new ModelMismatchError(
        `${mPath}: weight '${s.name}' runs past the end of weights.bin: the model is corrupt`,
      );
    const data = new Float32Array(n);
    for (let k = 0; k < n; k++, off += 4) data[k] = view.getFloat32(off, true);
    weights.push({ name: s.name, shape: s.shape, data });
  }
  if (off !== buf.length)
    throw new ModelMismatchError(
      `${mPath}: weights.bin holds ${buf.length - off} bytes more than the specs describe: the model is corrupt`,
    );
  checkExpectation(manifest, expect, dir);
  return { dir, manifest, weights };
}

export function checkExpectation(manifest: ModelManifest, expect: ModelExpectation, dir: string): void {
  if (expect.algo !== undefined && manifest.algo !== expect.algo)
    throw new ModelMismatchError(`${dir} is a ${manifest.algo} model, expected ${expect.algo}`);
  if (expect.obsSize !== undefined && manifest.obsSize !== expect.obsSize) {
    throw new ModelMismatchError(
      `${dir} was trained on observations of size ${manifest.obsSize} (env ${manifest.envId}); this env gives ${expect.obsSize}: use a model trained on this env`,
    );
  }
  if (expect.actionSpace !== undefined && JSON.stringify(manifest.actionSpace) !== JSON.stringify(expect.actionSpace)) {
    throw new ModelMismatchError(
      `${dir} acts in ${JSON.stringify(manifest.actionSpace)}, this env's action space is ${JSON.stringify(expect.actionSpace)}`,
    );
  }
  if (expect.featureSpecHash !== undefined && (manifest.featureSpecHash ?? null) !== (expect.featureSpecHash ?? null)) {
    throw new ModelMismatchError(
      `${dir} was trained on features with spec hash ${manifest.featureSpecHash ?? 'none'}, this env's features hash to ${expect.featureSpecHash ?? 'none'}: the observation columns differ, so the model would read the wrong inputs; retrain it on this feature spec`,
    );
  }
}

/** Folder-safe slug of an env id: 'tg4/Trading-v0' → 'tg4_Trading-v0'. */
export function slugify(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The next version folder of `<root>/<algo>-<env slug>/`: v0001, v0002, … */
export function nextVersionDir(root: string, algo: string, envId: string): string {
  const base = join(root, `${algo}-${slugify(envId)}`);
  let max = 0;
  if (existsSync(base)) {
    for (const f of readdirSync(base)) {
      const m = /^v(\d+)$/.exec(f);
      if (m) max = Math.max(max, Number(m[1]));
    }
  }
  return join(base, `v${String(max + 1).padStart(4, '0')}`);
}
