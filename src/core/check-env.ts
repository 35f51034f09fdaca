// (~430 lines on purpose: the checks are one ordered list in one function; later checks skip on what earlier ones found.)
// checkEnv: enforces the env contract the way Gymnasium's check_env does, as a list of separate named checks.
// Each check runs even when an earlier one failed; a check that throws unexpectedly is a failure, not a crash.
import type { Space } from './types.ts';
import { EnvCheckError, Tg4Error } from './errors.ts';
import { type EnvLike, isEnvLike } from './env.ts';
import { Box } from './spaces/box.ts';
import { Discrete } from './spaces/discrete.ts';
import { MultiDiscrete } from './spaces/multi-discrete.ts';
import { MultiBinary } from './spaces/multi-binary.ts';
import { Dict, isSpace } from './spaces/dict.ts';
import { Tuple } from './spaces/tuple.ts';
import { TYPED_ARRAY, dtypeOfArray } from './spaces/dtype.ts';
import { spaceFromJSON } from './spaces/from-json.ts';
import { describeValue } from './spaces/space.ts';

export interface CheckResult {
  check: string;
  status: 'passed' | 'failed' | 'skipped';
  message: string;
}

export interface CheckEnvReport {
  ok: boolean;
  results: CheckResult[];
  failures: CheckResult[];
}

export interface CheckEnvOptions {
  /** Seed for resets and for the action sampler (default 0). */
  seed?: number;
  /** Random steps taken by the step checks (default 200). */
  steps?: number;
  /** Steps allowed to reach the end of an episode for the reset-needed check (default 10000). */
  maxEpisodeSteps?: number;
  /** Throw EnvCheckError listing the failures (default true); false returns the report. */
  throwOnFailure?: boolean;
}

/** The named checks, in the order they run. */
export const CHECK_NAMES = [
  'spaces-are-spaces',
  'spaces-describe-themselves',
  'space-samples-in-space',
  'reset-signature',
  'reset-observation-in-space',
  'reset-is-deterministic',
  'step-before-reset-rejected',
  'step-signature',
  'step-observation-in-space',
  'step-is-deterministic',
  'invalid-action-rejected',
  'step-after-end-rejected',
  'render-mode-declared',
  'close-is-idempotent',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

class Skip extends Error {}

/** What later checks depend on: `need()` skips them until `ok` is set, after asking the prerequisite's own. */
class Prerequisite {
  ok = false;
  constructor(
    private readonly why: string,
    private readonly before: Prerequisite | null = null,
  ) {}
  need(): void {
    this.before?.need();
    if (!this.ok) throw new Skip(`skipped: ${this.why}`);
  }
}

/**
 * Checks an env (or a factory of fresh envs, which also enables the step-before-reset and cross-instance checks).
 * Throws EnvCheckError unless every check passed or was skipped (or returns the report with throwOnFailure: false).
 */
export function checkEnv(target: EnvLike | (() => EnvLike), options: CheckEnvOptions = {}): CheckEnvReport {
  const seed = options.seed ?? 0;
  const nSteps = options.steps ?? 200;
  const maxEpisodeSteps = options.maxEpisodeSteps ?? 10_000;
  const factory = typeof target === 'function' ? target : null;
  const env = factory ? factory() : target;
  const results: CheckResult[] = [];

  const run = (check: CheckName, fn: () => string | void): void => {
    try {
      const msg = fn();
      results.push({ check, status: 'passed', message: msg ?? 'ok' });
    } catch (e) {
      if (e instanceof Skip) results.push({ check, status: 'skipped', message: e.message });
      else
        results.push({
          check,
          status: 'failed',
          message: e instanceof CheckFailure ? e.message : `threw ${describeError(e)}`,
        });
    }
  };

  if (!isEnvLike(env)) {
    const fail: CheckResult = {
      check: 'spaces-are-spaces',
      status: 'failed',
      message: 'not an env: reset, step, observationSpace and actionSpace are required',
    };
    return finish([fail], options);
  }
  const obsSpace = env.observationSpace;
  const actSpace = env.actionSpace;
  const spacesValid = new Prerequisite('the spaces are not spaces');
  spacesValid.ok = isSpace(obsSpace) && isSpace(actSpace);
  const bothSpaces = [
    ['observationSpace', obsSpace],
    ['actionSpace', actSpace],
  ] as const;

  run('spaces-are-spaces', () => {
    if (!isSpace(obsSpace))
      fail(`observationSpace is not a space (needs sample, contains, seed, toJSON): got ${describeValue(obsSpace)}`);
    if (!isSpace(actSpace))
      fail(`actionSpace is not a space (needs sample, contains, seed, toJSON): got ${describeValue(actSpace)}`);
  });
  run('spaces-describe-themselves', () => {
    spacesValid.need();
    for (const [name, s] of bothSpaces) {
      const json = s.toJSON();
      const again = spaceFromJSON(JSON.parse(JSON.stringify(json))).toJSON();
      if (JSON.stringify(again) !== JSON.stringify(json))
        fail(`${name}.toJSON() does not survive a JSON round trip: ${JSON.stringify(json)} → ${JSON.stringify(again)}`);
    }
  });

  run('space-samples-in-space', () => {
    spacesValid.need();
    for (const [name, s] of bothSpaces) {
      s.seed(seed);
      for (let i = 0; i < 20; i++) {
        const x = s.sample();
        if (!s.contains(x)) fail(`${name}.sample() returned ${describeValue(x)}, which ${name}.contains() rejects`);
      }
    }
  });

  const resetWorks = new Prerequisite('reset() does not work', spacesValid);
  run('reset-signature', () => {
    const r = env.reset({ seed }) as unknown;
    if (r === null || typeof r !== 'object') fail(`reset() must return { observation, info }, got ${describeValue(r)}`);
    const o = r as Record<string, unknown>;
    if (!('observation' in o)) fail('reset() result has no observation field: return { observation, info }');
    if (!isPlainObject(o['info']))
      fail(`reset() info must be a plain object (use {} when empty), got ${describeValue(o['info'])}`);
    resetWorks.ok = true;
  });
  run('reset-observation-in-space', () => {
    resetWorks.need();
    const { observation } = env.reset({ seed });
    const why = whyNotIn(obsSpace, observation);
    if (why !== null) fail(`reset() observation: ${why}`);
  });

  run('reset-is-deterministic', () => {
    resetWorks.need();
    const a = env.reset({ seed }).observation;
    const b = env.reset({ seed }).observation;
    if (!deepEqual(a, b))
      fail(
        `reset({ seed: ${seed} }) twice gave ${describeValue(a)} then ${describeValue(b)}: derive all randomness from the seed`,
      );
    if (factory) {
      const other = factory();
      const c = other.reset({ seed }).observation;
      other.close();
      if (!deepEqual(a, c))
        fail(`two instances reset with seed ${seed} gave ${describeValue(a)} and ${describeValue(c)}`);
    }
  });

  run('step-before-reset-rejected', () => {
    spacesValid.need();
    if (!factory) throw new Skip('skipped: pass a factory () => env to check a fresh env');
    const fresh = factory();
    actSpace.seed(seed);
    const code = errorCode(() => fresh.step(actSpace.sample()));
    fresh.close();
    if (code !== 'RESET_NEEDED')
      fail(
        `step() before reset() must throw RESET_NEEDED, ${code === null ? 'it returned normally' : `it threw ${code}`}`,
      );
  });

  const stepWorks = new Prerequisite('step() does not work', resetWorks);
  run('step-signature', () => {
    resetWorks.need();
    env.reset({ seed });
    actSpace.seed(seed);
    const r = env.step(actSpace.sample()) as unknown;
    const why = whyNotStepResult(r);
    if (why !== null) fail(why);
    stepWorks.ok = true;
  });
  run('step-observation-in-space', () => {
    stepWorks.need();
    env.reset({ seed });
    actSpace.seed(seed);
    let episodes = 1;
    for (let t = 0; t < nSteps; t++) {
      const r = env.step(actSpace.sample());
      const why = whyNotStepResult(r) ?? whyNotIn(obsSpace, r.observation);
      if (why !== null) fail(`step ${t}: ${why}`);
      if (r.terminated || r.truncated) {
        env.reset();
        episodes++;
      }
    }
    return `${nSteps} steps over ${episodes} episode(s)`;
  });

  run('step-is-deterministic', () => {
    stepWorks.need();
    const trace = (): unknown[] => {
      const out: unknown[] = [env.reset({ seed }).observation];
      actSpace.seed(seed + 1);
      for (let t = 0; t < nSteps; t++) {
        const r = env.step(actSpace.sample());
        out.push(r.observation, r.reward, r.terminated, r.truncated);
        if (r.terminated || r.truncated) break;
      }
      return out;
    };
    const a = trace();
    const b = trace();
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (!deepEqual(a[i], b[i]))
        fail(`same seed and actions diverged at element ${i}: ${describeValue(a[i])} vs ${describeValue(b[i])}`);
    }
  });

  run('invalid-action-rejected', () => {
    stepWorks.need();
    const bad = invalidActions(actSpace).filter((x) => !actSpace.contains(x));
    if (bad.length === 0) throw new Skip('skipped: could not build an action outside the action space');
    env.reset({ seed });
    const spaceName = String(actSpace);
    for (const a of bad) {
      let err: unknown = null;
      try {
        env.step(a);
      } catch (e) {
        err = e;
      }
      if (err === null)
        fail(
          `step(${describeValue(a)}) was accepted, but that action is not in ${spaceName}: check actions with actionSpace.contains()`,
        );
      if (!(err instanceof Tg4Error) || err.code !== 'INVALID_ACTION')
        fail(`step(${describeValue(a)}) threw ${describeError(err)}; expected an INVALID_ACTION error`);
      if (!err.message.includes(spaceName))
        fail(`the INVALID_ACTION message for ${describeValue(a)} should name the space ${spaceName}: "${err.message}"`);
    }
    actSpace.seed(seed);
    env.step(actSpace.sample()); // the env still works after rejecting bad actions
    return `${bad.length} out-of-space actions rejected`;
  });

  run('step-after-end-rejected', () => {
    stepWorks.need();
    env.reset({ seed });
    actSpace.seed(seed);
    let ended = false;
    for (let t = 0; t < maxEpisodeSteps && !ended; t++) {
      const r = env.step(actSpace.sample());
      ended = r.terminated || r.truncated;
    }
    if (!ended) throw new Skip(`skipped: no episode ended within ${maxEpisodeSteps} random steps`);
    const code = errorCode(() => env.step(actSpace.sample()));
    if (code !== 'RESET_NEEDED')
      fail(
        `step() after the episode ended must throw RESET_NEEDED, ${code === null ? 'it returned normally' : `it threw ${code}`}`,
      );
  });

  run('render-mode-declared', () => {
    const mode = env.renderMode;
    const modes = env.metadata?.renderModes;
    if (!Array.isArray(modes)) fail('metadata.renderModes must be an array (empty when the env does not render)');
    if (mode !== null && mode !== undefined && !modes.includes(mode))
      fail(`renderMode ${String(mode)} is not in metadata.renderModes [${modes.join(', ')}]`);
    if (mode !== null && mode !== undefined) {
      const frame = env.render() as unknown;
      if (frame !== null && typeof frame !== 'string' && !(frame instanceof Uint8Array))
        fail(`render() must return a string, a Uint8Array or null, got ${describeValue(frame)}`);
    }
  });

  run('close-is-idempotent', () => {
    env.close();
    env.close();
  });

  return finish(results, options);
}

function finish(results: CheckResult[], options: CheckEnvOptions): CheckEnvReport {
  const failures = results.filter((r) => r.status === 'failed');
  const report = { ok: failures.length === 0, results, failures };
  if (!report.ok && (options.throwOnFailure ?? true))
    throw new EnvCheckError(failures.map((f) => ({ check: f.check, message: f.message })));
  return report;
}

class CheckFailure extends Error {}
function fail(message: string): never {
  throw new CheckFailure(message);
}

function describeError(e: unknown): string {
  if (e instanceof Tg4Error) return `${e.name} [${e.code}]: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return describeValue(e);
}

function errorCode(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof Tg4Error ? e.code : describeError(e);
  }
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

function whyNotStepResult(r: unknown): string | null {
  if (!isPlainObject(r))
    return `step() must return { observation, reward, terminated, truncated, info }, got ${describeValue(r)}`;
  if (!('observation' in r)) return 'step() result has no observation field';
  if (typeof r['reward'] !== 'number' || !Number.isFinite(r['reward']))
    return `reward must be a finite number, got ${describeValue(r['reward'])}`;
  if (typeof r['terminated'] !== 'boolean')
    return `terminated must be a boolean, got ${describeValue(r['terminated'])}`;
  if (typeof r['truncated'] !== 'boolean') return `truncated must be a boolean, got ${describeValue(r['truncated'])}`;
  if (!isPlainObject(r['info'])) return `info must be a plain object, got ${describeValue(r['info'])}`;
  return null;
}

/** Why `x` is not in `space`, naming dtype, shape or the offending element; null when it is. */
export function whyNotIn(space: Space, x: unknown): string | null {
  if (space.contains(x)) return null;
  if (space instanceof Box) {
    const d = dtypeOfArray(x);
    const expected = TYPED_ARRAY[space.dtype].name;
    if (d === null && !Array.isArray(x) && typeof x !== 'number')
      return `${describeValue(x)} is not an array; ${String(space)} holds ${expected}s`;
    if (d !== null && d !== space.dtype && !(space.dtype === 'bool' && d === 'uint8')) {
      return `dtype mismatch: got a ${(x as object).constructor.name} (${d}) for ${String(space)}: return a ${expected}`;
    }
    const arr = (typeof x === 'number' ? [x] : x) as ArrayLike<number>;
    if (arr.length !== space.size)
      return `shape mismatch: got ${arr.length} values, ${String(space)} has shape [${space.shape.join(', ')}] (${space.size} values)`;
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i]!;
      if (Number.isNaN(v)) return `element ${i} is NaN`;
      if (!(v >= space.low[i]! && v <= space.high[i]!))
        return `element ${i} = ${v} is outside [${space.low[i]}, ${space.high[i]}]`;
    }
  }
  return `${describeValue(x)} is not in ${String(space)}`;
}

/** Candidate actions outside `space` (the caller keeps those that contains() indeed rejects). */
function invalidActions(space: Space): unknown[] {
  const generic: unknown[] = [undefined, 'not-an-action', {}];
  if (space instanceof Discrete) {
    return [
      space.start + space.n,
      space.start - 1,
      space.start + 0.5,
      Number.NaN,
      String(space.start),
      null,
      [space.start],
      ...generic,
    ];
  }
  if (space instanceof Box) {
    const Ctor = TYPED_ARRAY[space.dtype];
    const out: unknown[] = [new Ctor(space.size + 1), new Ctor(Math.max(space.size - 1, 0))];
    if (space.dtype === 'float32' || space.dtype === 'float64') out.push(new Ctor(space.size).fill(Number.NaN));
    for (let i = 0; i < space.size; i++) {
      if (Number.isFinite(space.high[i]!)) {
        const a = space.sample();
        a[i] = space.high[i]! + Math.max(1, Math.abs(space.high[i]!));
        out.push(a);
        break;
      }
    }
    return [...out, ...generic];
  }
  if (space instanceof MultiDiscrete)
    return [
      Int32Array.from(space.nvec, (n, i) => n + space.start[i]!),
      new Int32Array(space.nvec.length + 1),
      ...generic,
    ];
  if (space instanceof MultiBinary)
    return [new Uint8Array(space.size).fill(2), new Uint8Array(space.size + 1), ...generic];
  if (space instanceof Dict || space instanceof Tuple) return [null, [], { unexpected: 1 }, ...generic];
  return generic;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
