// What a promotion target expects of a model: the feature-spec hash, the observation layout and the action mapping.
// A model that differs in any of them would read the wrong inputs or place the wrong orders, so promotion refuses it
// (PROMOTION_REFUSED naming each difference). The target is the version the alias points to now, or a --config file.
import { existsSync, readFileSync } from 'node:fs';
import { canonicalJson } from './content.ts';
import { PromotionRefusedError, RegistryError } from './errors.ts';

export interface ModelInterface {
  featureSpecHash: string | null;
  observation: { obsSize: number; windowSize: number | null; shape: unknown };
  action: { space: unknown; scheme: string | null; levels: number[] | null; exposure: number | null };
}

const obj = (x: unknown): Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : {};

/** The interface a manifest (tg4-model/1 or a remote policy's) declares. */
export function interfaceOf(manifest: Record<string, unknown>): ModelInterface {
  const kw = obj(manifest.envKwargs);
  const space = obj(manifest.observationSpace);
  return {
    featureSpecHash: typeof manifest.featureSpecHash === 'string' ? manifest.featureSpecHash : null,
    observation: {
      obsSize: Number(manifest.obsSize),
      windowSize: typeof kw.windowSize === 'number' ? kw.windowSize : null,
      shape: space.shape ?? null,
    },
    action: {
      space: manifest.actionSpace ?? null,
      scheme: typeof kw.actionScheme === 'string' ? kw.actionScheme : null,
      levels: Array.isArray(kw.levels) ? (kw.levels as number[]) : null,
      exposure: typeof kw.exposure === 'number' ? kw.exposure : null,
    },
  };
}

/** A --config file: either a model manifest, or {featureSpecHash, observation, action} as ModelInterface. */
export function loadInterface(path: string): ModelInterface {
  if (!existsSync(path)) throw new RegistryError(`--config ${path} does not exist`);
  let raw: Record<string, unknown>;
  try {
    raw = obj(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    throw new RegistryError(`--config ${path} is not valid JSON (${(e as Error).message})`);
  }
  if ('obsSize' in raw) return interfaceOf(raw);
  const o = obj(raw.observation);
  const a = obj(raw.action);
  if (!('featureSpecHash' in raw) || typeof o.obsSize !== 'number' || !('space' in a))
    throw new RegistryError(
      `--config ${path}: give a model manifest, or {featureSpecHash, observation: {obsSize, windowSize, shape}, action: {space, scheme, levels, exposure}}`,
    );
  return raw as unknown as ModelInterface;
}

/** Differences between a model and its target, one line each (empty: they fit). */
export function interfaceDifferences(model: ModelInterface, target: ModelInterface): string[] {
  const out: string[] = [];
  const same = (a: unknown, b: unknown): boolean => canonicalJson(a ?? null) === canonicalJson(b ?? null);
  if (!same(model.featureSpecHash, target.featureSpecHash))
    out.push(`feature-spec hash ${model.featureSpecHash ?? 'none'} ≠ target's ${target.featureSpecHash ?? 'none'}`);
  for (const k of ['obsSize', 'windowSize', 'shape'] as const)
    if (!same(model.observation[k], target.observation[k]))
      out.push(
        `observation layout: ${k} ${canonicalJson(model.observation[k])} ≠ target's ${canonicalJson(target.observation[k])}`,
      );
  for (const k of ['space', 'scheme', 'levels', 'exposure'] as const)
    if (!same(model.action[k], target.action[k]))
      out.push(`action mapping: ${k} ${canonicalJson(model.action[k])} ≠ target's ${canonicalJson(target.action[k])}`);
  return out;
}

/** Throws PROMOTION_REFUSED listing what differs. */
export function assertCompatible(ref: string, model: ModelInterface, target: ModelInterface, targetName: string): void {
  const d = interfaceDifferences(model, target);
  if (d.length > 0)
    throw new PromotionRefusedError(
      `${ref} does not fit ${targetName}: ${d.join('; ')}. Train it on the target's features, window and actions, or promote it to another alias`,
    );
}
