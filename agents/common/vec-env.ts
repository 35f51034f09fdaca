// What the agents need from a vector env: the core VectorEnv contract, with results that may also arrive as promises
// (the remote env server's client). Same-step autoreset (SB3's): a finished sub-env is reset inside step() and its last
// observation comes back as infos[i].final_observation, which PPO needs to bootstrap truncated episodes.
import type { AutoresetMode, SpaceJSON, VectorResetResult, VectorStepResult } from '../../src/core/types.ts';
import type { VectorActions, VectorResetArgs } from '../../src/core/vector/vector-env.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { actionSpecOf, observationSize, type ActionSpec } from './spaces.ts';

type MaybePromise<T> = T | Promise<T>;

export interface AgentVectorEnv {
  readonly numEnvs: number;
  readonly obsDim: number;
  readonly singleObservationSpace: { toJSON(): SpaceJSON };
  readonly singleActionSpace: { toJSON(): SpaceJSON };
  readonly autoresetMode: AutoresetMode;
  reset(args?: VectorResetArgs): MaybePromise<VectorResetResult>;
  step(actions: VectorActions): MaybePromise<VectorStepResult>;
  close(): MaybePromise<void>;
  /** N × actions (1 = allowed) for the current observations; discrete trading envs have it (maskable PPO). */
  actionMasks?(): MaybePromise<Uint8Array>;
  /** Hash of the feature spec the observations are built from (trading envs); absent or null otherwise. */
  readonly featureSpecHash?: string | null;
}

export interface EnvShape {
  obsSize: number;
  action: ActionSpec;
  observationSpace: SpaceJSON;
  actionSpace: SpaceJSON;
}

/** Checks that the env suits the agents (same-step autoreset, Box observations) and describes it. */
export function describeEnv(env: AgentVectorEnv): EnvShape {
  if (env.autoresetMode !== 'same-step') {
    throw new InvalidArgumentError(
      `the agents need a vector env with autoresetMode 'same-step' (got '${env.autoresetMode}'): makeVec(id, { numEnvs, autoresetMode: 'same-step' })`,
    );
  }
  const observationSpace = env.singleObservationSpace.toJSON();
  const actionSpace = env.singleActionSpace.toJSON();
  const obsSize = observationSize(observationSpace);
  return { obsSize, action: actionSpecOf(actionSpace), observationSpace, actionSpace };
}

/** describeEnv for a trainer, which also refuses a config made for another number of sub-envs than the env has. */
export function describeTrainingEnv(env: AgentVectorEnv, algo: string, nEnvs: number): EnvShape {
  const shape = describeEnv(env);
  if (env.numEnvs !== nEnvs)
    throw new InvalidArgumentError(`${algo} config has nEnvs ${nEnvs} but the vector env has ${env.numEnvs} sub-envs`);
  return shape;
}

/** Converts the agent's float actions (discrete index without `start`; box unclipped) into what env.step takes. */
export class ActionEncoder {
  private readonly spec: ActionSpec;
  private readonly discrete: Int32Array;
  private readonly box: Float32Array;

  constructor(spec: ActionSpec, numEnvs: number) {
    this.spec = spec;
    this.discrete = new Int32Array(spec.kind === 'discrete' ? numEnvs : 0);
    this.box = new Float32Array(spec.kind === 'box' ? numEnvs * spec.dim : 0);
  }

  encode(actions: Float32Array, n: number): Int32Array | Float32Array {
    const s = this.spec;
    if (s.kind === 'discrete') {
      for (let i = 0; i < n; i++) this.discrete[i] = actions[i]! + s.start;
      return n === this.discrete.length ? this.discrete : this.discrete.subarray(0, n);
    }
    // Gaussian samples are unbounded: clip to the Box for the env, keep the raw sample for the log-prob (as SB3).
    const d = s.dim;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) {
        const v = actions[i * d + k]!;
        this.box[i * d + k] = v < s.low[k]! ? s.low[k]! : v > s.high[k]! ? s.high[k]! : v;
      }
    }
    return n * d === this.box.length ? this.box : this.box.subarray(0, n * d);
  }
}

/** Reads infos[i].final_observation as a Float32Array of obsSize (same-step autoreset). */
export function finalObservation(info: Record<string, unknown> | undefined, obsSize: number): Float32Array | null {
  const v = info?.['final_observation'];
  if (v instanceof Float32Array && v.length === obsSize) return v;
  if (ArrayBuffer.isView(v) && (v as unknown as ArrayLike<number>).length === obsSize)
    return Float32Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v) && v.length === obsSize) return Float32Array.from(v as number[]);
  return null;
}
