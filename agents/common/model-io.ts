// (~400 lines on purpose: the model format's writer and its verifier side by side, so that no check drifts from the format.)
// The saved-model format: one folder per model version holding manifest.json (what was trained, on what, with which
// settings and results, and a SHA-256 of the weights) beside weights.bin (float32 little-endian tensors, concatenated in
// the manifest's order, as tfjs's weight specs). Every load goes through verifyModelFolder: a manifest that is malformed
// or edited (its integrity hash covers every field: tensor names, shapes and order, activation, normalisation), weights
// that are altered (whole-file and per-tensor SHA-256), hold NaN/Inf, or do not form the declared network, are refused
// with MODEL_CORRUPT; a model that does not fit the env it is asked to run on with MODEL_MISMATCH. Neither is ever run.
// See models/README.md.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, constants } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/core/atomic-file.ts';
import { Tg4Error } from '../../src/core/errors.ts';
import { canonicalJson } from '../../src/features/spec.ts';
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
  /** SHA-256 of this tensor's bytes in weights.bin (models saved before it was recorded lack it). */
  sha256?: string;
}

/** Set on a checkpoint saved when training was interrupted: loadable, with a warning. */
export interface PartialMark {
  reason: string;
  steps: number;
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
  partial?: PartialMark;
  /** SHA-256 of the canonical JSON of every other field: an edited manifest is refused. */
  integrity?: string;
}

export class ModelMismatchError extends Tg4Error {
  constructor(message: string) {
    super('MODEL_MISMATCH', message);
  }
}

/** The model folder is damaged or was edited: it must not run. */
export class ModelCorruptError extends Tg4Error {
  constructor(message: string) {
    super('MODEL_CORRUPT', message);
  }
}

export const ACTIVATIONS: readonly string[] = ['tanh', 'relu', 'linear'];
const NETWORK_KINDS = ['actor-critic', 'q-network'];
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const MAX_WEIGHTS_BYTES = 4 * 1024 * 1024 * 1024 - 1;

/** The hash recorded in manifest.integrity: canonical JSON of the manifest without that field. */
export function manifestIntegrity(m: Omit<ModelManifest, 'integrity'> & { integrity?: string }): string {
  const { integrity: _i, ...rest } = m;
  void _i;
  return sha256(Buffer.from(canonicalJson(rest), 'utf8'));
}

export function sha256(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Writes manifest.json + weights.bin into `dir` (created); the manifest is written last, via a rename, so a crash mid-save never leaves a loadable half model. */
export function saveModel(
  dir: string,
  manifest: Omit<ModelManifest, 'weights' | 'format' | 'integrity'>,
  weights: readonly NamedWeight[],
): ModelManifest {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (const w of weights) bytes += w.data.length * 4;
  const buf = new Uint8Array(bytes);
  const view = new DataView(buf.buffer);
  let off = 0;
  const specs: WeightSpec[] = [];
  for (const w of weights) {
    const start = off;
    for (let k = 0; k < w.data.length; k++, off += 4) view.setFloat32(off, w.data[k]!, true);
    specs.push({ name: w.name, shape: w.shape, dtype: 'float32', sha256: sha256(buf.subarray(start, off)) });
  }
  writeFileAtomic(join(dir, 'weights.bin'), buf);
  const body: ModelManifest = {
    format: MODEL_FORMAT,
    ...manifest,
    weights: { file: 'weights.bin', sha256: sha256(buf), bytes, specs },
  };
  const full: ModelManifest = { ...body, integrity: manifestIntegrity(body) };
  writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(full, null, 2)}\n`);
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

/** Reads and verifies a saved model (verifyModelFolder), then checks it against `expect` (MODEL_MISMATCH). */
export function loadModel(dir: string, expect: ModelExpectation = {}): LoadedModel {
  const model = verifyModelFolder(dir);
  checkExpectation(model.manifest, expect, dir);
  return model;
}

/** Reads a regular file of at most `max` bytes (no FIFO or device can hang or flood the reader). */
function readBounded(path: string, max: number, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ModelMismatchError(
      `${path} cannot be read (${(err as NodeJS.ErrnoException).code}): the model is incomplete`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ModelCorruptError(`${path} is not a regular file: ${what} must be one`);
    if (st.size > max) throw new ModelCorruptError(`${path} holds ${st.size} bytes, more than ${what} may (${max})`);
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, buf, got, st.size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a model folder and checks everything that can be checked without an env: the manifest (validateManifest),
 * weights.bin against its SHA-256 and every tensor's, finite values, and the acting network's layout. Throws
 * MODEL_MISMATCH for a missing model, MODEL_CORRUPT for a damaged or edited one. A partial checkpoint loads with a
 * process warning. Reusable by anything that opens model folders (tg4 eval, the backtest, the registry).
 */
export function verifyModelFolder(dir: string): LoadedModel {
  const mPath = join(dir, 'manifest.json');
  if (!existsSync(mPath))
    throw new ModelMismatchError(
      `no model at ${dir}: manifest.json is missing (train one with \`tg4 train\`, or pass the version folder, e.g. models/ppo-CartPole-v1/v0001)`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readBounded(mPath, MAX_MANIFEST_BYTES, 'a manifest').toString('utf8'));
  } catch (err) {
    if (err instanceof Tg4Error) throw err;
    throw new ModelCorruptError(
      `${mPath} is not valid JSON (${(err as Error).message}): the model is corrupt; retrain it or restore the file`,
    );
  }
  const manifest = validateManifest(raw, mPath);
  const wPath = join(dir, manifest.weights.file);
  if (!existsSync(wPath)) throw new ModelMismatchError(`${wPath} is missing: the model is incomplete`);
  const buf = readBounded(wPath, MAX_WEIGHTS_BYTES, 'weights.bin');
  if (buf.length !== manifest.weights.bytes || sha256(buf) !== manifest.weights.sha256) {
    throw new ModelCorruptError(
      `${wPath} does not match the SHA-256 recorded in its manifest (${buf.length} bytes, expected ${manifest.weights.bytes}): the weights are corrupt or were replaced; retrain or restore them`,
    );
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const weights: NamedWeight[] = [];
  let off = 0;
  for (const s of manifest.weights.specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.sha256 !== undefined && sha256(buf.subarray(off, off + n * 4)) !== s.sha256)
      throw new ModelCorruptError(
        `${mPath}: the bytes of tensor '${s.name}' do not match its recorded SHA-256: tensors were reordered or replaced; the model is corrupt`,
      );
    const data = new Float32Array(n);
    for (let k = 0; k < n; k++, off += 4) {
      const x = view.getFloat32(off, true);
      if (!Number.isFinite(x))
        throw new ModelCorruptError(
          `${mPath}: tensor '${s.name}' holds ${x} at index ${k}: a network with NaN/Inf weights acts at random; retrain it`,
        );
      data[k] = x;
    }
    weights.push({ name: s.name, shape: s.shape, data });
  }
  const model = { dir, manifest, weights };
  checkActorLayout(model);
  if (manifest.partial !== undefined) {
    process.emitWarning(
      `${dir} is a partial checkpoint (${manifest.partial.reason}, after ${manifest.partial.steps} steps): its policy was not trained to the end`,
      { code: 'TG4_PARTIAL_MODEL' },
    );
  }
  return model;
}

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
const finiteArray = (x: unknown): x is number[] =>
  Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isFinite(v));

/** Checks a parsed manifest.json field by field (MODEL_CORRUPT naming the field); returns it typed. */
export function validateManifest(raw: unknown, where = 'manifest.json'): ModelManifest {
  const bad = (what: string): never => {
    throw new ModelCorruptError(
      `${where}: ${what}: the model is corrupt or was edited; retrain it or restore the folder`,
    );
  };
  if (!isObject(raw)) return bad('not a JSON object');
  const m = raw as Partial<ModelManifest> & Record<string, unknown>;
  if (m.format !== MODEL_FORMAT) {
    throw new ModelMismatchError(`${where}: format is ${JSON.stringify(m.format)}, expected '${MODEL_FORMAT}'`);
  }
  for (const f of ['algo', 'envId', 'obsSize', 'observationSpace', 'actionSpace', 'network', 'weights'] as const) {
    if (m[f] === undefined || m[f] === null) bad(`field '${f}' is missing`);
  }
  if (m.algo !== 'ppo' && m.algo !== 'dqn') bad(`algo ${JSON.stringify(m.algo)} is neither ppo nor dqn`);
  if (!Number.isSafeInteger(m.obsSize) || (m.obsSize as number) < 1)
    bad(`obsSize ${String(m.obsSize)} is not a positive integer`);
  if (!isObject(m.actionSpace) || !isObject(m.observationSpace)) bad('the spaces are not JSON objects');
  const net = m.network;
  if (!isObject(net)) return bad('network is not an object');
  if (!NETWORK_KINDS.includes(net.kind as string)) bad(`network kind ${JSON.stringify(net.kind)} is unknown`);
  if (net.activation !== undefined && !ACTIVATIONS.includes(net.activation as string))
    bad(`activation ${JSON.stringify(net.activation)} is not one of ${ACTIVATIONS.join(', ')}`);
  for (const k of ['shared', 'pi', 'vf', 'hidden']) {
    const v = net[k];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && x > 0)))
      bad(`network.${k} is not a list of positive layer sizes`);
  }
  const w = m.weights;
  if (!isObject(w)) return bad('weights is not an object');
  // Only the folder's own weights.bin: never a path that leads out of it.
  if (w.file !== 'weights.bin')
    bad(`weights.file is ${JSON.stringify(w.file)}; it must be 'weights.bin' in the model folder`);
  if (typeof w.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(w.sha256)) bad('weights.sha256 is not a SHA-256');
  if (!Array.isArray(w.specs) || w.specs.length === 0) return bad('weights.specs is not a non-empty list');
  const names = new Set<string>();
  let bytes = 0;
  for (const [i, s] of (w.specs as unknown[]).entries()) {
    if (!isObject(s) || typeof s.name !== 'string' || s.name === '') return bad(`weights.specs[${i}] has no name`);
    if (names.has(s.name)) bad(`tensor '${s.name}' is listed twice`);
    names.add(s.name);
    if (!Array.isArray(s.shape) || s.shape.length === 0 || !s.shape.every((d) => Number.isSafeInteger(d) && d > 0))
      bad(`tensor '${s.name}' has shape ${JSON.stringify(s.shape)}, not a list of positive integers`);
    if (s.dtype !== 'float32') bad(`tensor '${s.name}' has dtype ${JSON.stringify(s.dtype)}, not float32`);
    if (s.sha256 !== undefined && (typeof s.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(s.sha256)))
      bad(`tensor '${s.name}' has a malformed sha256`);
    bytes += 4 * (s.shape as number[]).reduce((a, b) => a * b, 1);
  }
  if (w.bytes !== bytes) bad(`weights.bytes is ${String(w.bytes)} but the tensors listed take ${bytes} bytes`);
  validateNormalization(m.normalization, m.obsSize as number, bad);
  if (m.partial !== undefined && !(isObject(m.partial) && typeof m.partial.reason === 'string'))
    bad('partial is not {reason, steps}');
  if (m.integrity !== undefined && m.integrity !== manifestIntegrity(m as ModelManifest))
    bad('its integrity hash does not match its fields (tensors, shapes, order, activation or statistics were edited)');
  return m as ModelManifest;
}

function validateNormalization(n: unknown, obsSize: number, bad: (what: string) => never): void {
  if (n === undefined || n === null) return;
  if (!isObject(n)) bad('normalization is not an object');
  const norm = n as Record<string, unknown>;
  const positive = (k: string): void => {
    const v = norm[k];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v)))
      bad(`normalization.${k} is ${String(v)}; it must be a positive number`);
  };
  positive('clipObs');
  positive('clipReward');
  if (
    norm.epsilon !== undefined &&
    !(typeof norm.epsilon === 'number' && norm.epsilon >= 0 && Number.isFinite(norm.epsilon))
  )
    bad(`normalization.epsilon is ${String(norm.epsilon)}`);
  if (norm.gamma !== undefined && !(typeof norm.gamma === 'number' && norm.gamma >= 0 && norm.gamma <= 1))
    bad(`normalization.gamma is ${String(norm.gamma)}, outside [0, 1]`);
  const stats = (k: 'obs' | 'ret', size: number): void => {
    const s = norm[k];
    if (s === undefined || s === null) return;
    if (!isObject(s)) {
      bad(`normalization.${k} is not an object`);
      return;
    }
    if (!finiteArray(s.mean) || s.mean.length !== size)
      bad(
        `normalization.${k}.mean must be ${size} finite numbers (has ${Array.isArray(s.mean) ? s.mean.length : 'none'})`,
      );
    if (!finiteArray(s.var) || s.var.length !== size || s.var.some((v) => v < 0))
      bad(`normalization.${k}.var must be ${size} finite numbers ≥ 0 (a variance)`);
    if (!(typeof s.count === 'number' && s.count >= 0 && Number.isFinite(s.count)))
      bad(`normalization.${k}.count is not a count`);
  };
  stats('obs', obsSize);
  stats('ret', 1);
}

/** Layer sizes the network declares for the acting path, by weight name prefix. */
function actorPath(net: Record<string, unknown>): [string, number | null][] {
  const sizes = (k: string): number[] => (Array.isArray(net[k]) ? (net[k] as number[]) : []);
  if (net.kind === 'q-network')
    return [...sizes('hidden').map((h, i): [string, number] => [`q/h${i}`, h]), ['q/out', null]];
  return [
    ...sizes('shared').map((h, i): [string, number] => [`shared/h${i}`, h]),
    ...sizes('pi').map((h, i): [string, number] => [`pi/h${i}`, h]),
    ['pi/out', null],
  ];
}

/**
 * The acting network's tensors exist, chain (each layer takes the previous one's outputs, the first takes obsSize),
 * and have the sizes the manifest declares: a kernel of the wrong layer is refused here, not run.
 */
export function checkActorLayout(model: LoadedModel): void {
  const byName = new Map(model.weights.map((w) => [w.name, w]));
  let inSize = model.manifest.obsSize;
  for (const [name, declared] of actorPath(model.manifest.network)) {
    const k = byName.get(`${name}/kernel`);
    const b = byName.get(`${name}/bias`);
    const outSize = k?.shape[1];
    if (
      k === undefined ||
      b === undefined ||
      k.shape.length !== 2 ||
      k.shape[0] !== inSize ||
      (declared !== null && outSize !== declared) ||
      b.shape.length !== 1 ||
      b.shape[0] !== outSize
    ) {
      throw new ModelCorruptError(
        `${model.dir}: layer '${name}' should be a ${inSize} × ${declared ?? 'n'} kernel with its bias, but the weights hold ${
          k ? `a ${k.shape.join(' × ')} kernel` : 'no kernel'
        }${b ? ` and a bias of ${b.shape.join(' × ')}` : ' and no bias'}: the model is corrupt`,
      );
    }
    inSize = outSize as number;
  }
}

export function checkExpectation(manifest: ModelManifest, expect: ModelExpectation, dir: string): void {
  if (expect.algo !== undefined && manifest.algo !== expect.algo)
    throw new ModelMismatchError(`${dir} is a ${manifest.algo} model, expected ${expect.algo}`);
  if (expect.obsSize !== undefined && manifest.obsSize !== expect.obsSize) {
    // The usual cause: a preset's window (the Trading-v0 PPO preset observes one row) that the run did not repeat.
    const w = (manifest as { envKwargs?: { windowSize?: unknown } }).envKwargs?.windowSize;
    const hint =
      typeof w === 'number'
        ? `; it was trained with windowSize ${w}: run it under its training conditions (--kwargs '{"windowSize":${w}}')`
        : ': use a model trained on this env';
    throw new ModelMismatchError(
      `${dir} was trained on observations of size ${manifest.obsSize} (env ${manifest.envId}); this env gives ${expect.obsSize}${hint}`,
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
