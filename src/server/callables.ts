// The `call` op's whitelist: what a client may read or invoke on a sub-env (SB3's get_attr/env_method). Nothing else
// is reachable: names are looked up in this table, never on the object by a client-supplied string alone.
import type { EnvLike } from '../core/env.ts';
import { InvalidArgumentError, Tg4Error } from '../core/errors.ts';
import { encodeTyped } from './protocol/arrays.ts';

export interface CallableNames {
  attributes: string[];
  methods: string[];
}

/** An env may widen the whitelist for itself by listing camelCase method names here (e.g. ['actionMasks']). */
export interface RemoteCallable {
  remoteMethods?: readonly string[];
}

const ATTRIBUTES: Record<string, (env: EnvLike) => unknown> = {
  metadata: (env) => ({ render_modes: [...env.metadata.renderModes], render_fps: env.metadata.renderFps ?? null }),
  render_mode: (env) => env.renderMode,
  spec: (env) =>
    env.spec === null
      ? null
      : {
          id: env.spec.id,
          max_episode_steps: env.spec.maxEpisodeSteps ?? null,
          reward_threshold: env.spec.rewardThreshold ?? null,
          nondeterministic: env.spec.nondeterministic ?? false,
        },
  observation_space: (env) => env.observationSpace.toJSON(),
  action_space: (env) => env.actionSpace.toJSON(),
};

/** Methods every env may be asked for, by wire (snake_case) name → the camelCase method looked up along the wrappers. */
const BUILTIN_METHODS: Record<string, string> = { render: 'render', action_masks: 'actionMasks' };

function camelToSnake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Finds `method` on the env or any env below it in its wrapper chain. */
function findMethod(env: EnvLike, method: string): ((...a: unknown[]) => unknown) | null {
  let cur: unknown = env;
  for (let depth = 0; depth < 32 && cur !== null && typeof cur === 'object'; depth++) {
    const f = (cur as Record<string, unknown>)[method];
    if (typeof f === 'function') return (f as (...a: unknown[]) => unknown).bind(cur);
    const inner = (cur as { env?: unknown }).env;
    cur = inner === cur ? null : (inner ?? null);
  }
  return null;
}

function extraMethods(env: EnvLike): Record<string, string> {
  const out: Record<string, string> = {};
  let cur: unknown = env;
  for (let depth = 0; depth < 32 && cur !== null && typeof cur === 'object'; depth++) {
    const list = (cur as RemoteCallable).remoteMethods;
    if (Array.isArray(list)) for (const m of list) if (typeof m === 'string') out[camelToSnake(m)] = m;
    cur = (cur as { env?: unknown }).env ?? null;
  }
  return out;
}

function methodTable(env: EnvLike): Record<string, string> {
  return { ...BUILTIN_METHODS, ...extraMethods(env) };
}

/** The names this env answers to (sent in make's reply so that clients know, e.g., whether action masks exist). */
export function callableNames(env: EnvLike): CallableNames {
  const methods = Object.entries(methodTable(env))
    .filter(([, m]) => findMethod(env, m) !== null)
    .map(([w]) => w);
  return { attributes: Object.keys(ATTRIBUTES), methods };
}

/** Action masks travel as bool arrays (numpy bool on the Python side), whatever array type the env returns. */
export function masksToWire(x: unknown): unknown {
  if (!ArrayBuffer.isView(x) && !Array.isArray(x)) return x;
  const src = x as ArrayLike<unknown>;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] ? 1 : 0;
  return encodeTyped(out, [out.length], 'bool');
}

export function callOnEnv(
  env: EnvLike,
  name: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
  allowed?: CallableNames,
): unknown {
  const known = allowed ?? callableNames(env);
  if (known.attributes.includes(name) && Object.hasOwn(ATTRIBUTES, name)) return ATTRIBUTES[name]!(env);
  if (known.methods.includes(name)) {
    const method = methodTable(env)[name];
    const f = method === undefined ? null : findMethod(env, method);
    if (f !== null) {
      const extra = Object.keys(kwargs).length > 0 ? [kwargs] : [];
      try {
        return f(...args, ...extra);
      } catch (err) {
        if (err instanceof Tg4Error) throw err;
        throw new Tg4Error('INTERNAL', `${name}() failed in the env: ${(err as Error).message}`);
      }
    }
  }
  const err = new InvalidArgumentError(
    `the env has no callable attribute or method ${JSON.stringify(name)}: allowed are ${[...known.attributes, ...known.methods].join(', ')}`,
  );
  (err as InvalidArgumentError & { attribute?: string }).attribute = name;
  throw err;
}
