// BatchedVectorEnv: the VectorEnv face of the one autoreset (AutoresetPool) over sub-envs whose slots are flat float32
// rows. SyncVectorEnv (N EnvLikes), CartPoleVectorEnv and TradingVectorEnv are this class over their own SubEnvs: each
// supplies reset-one / step-one and nothing of autoreset, seeding or subsets.
import type { AutoresetMode, EnvSpec, Space, VectorResetResult, VectorStepResult } from '../types.ts';
import { InvalidArgumentError } from '../errors.ts';
import { flatdim } from '../spaces/flatten.ts';
import { ActionBatch } from './action-batch.ts';
import { AutoresetPool } from './autoreset-pool.ts';
import type { SubEnvs } from './sub-envs.ts';
import type { EnvIds, VectorActions, VectorEnv, VectorResetArgs } from './vector-env.ts';

/** The slots a step writes and a VectorEnv returns: N observation rows, the rewards and the end flags. */
export interface StepSlots {
  readonly observations: Float32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
}

/** Sub-envs whose observation slots are rows of one N × obsDim Float32Array (what a VectorEnv returns, dims included). */
export interface FlatSubEnvs<ResetOptions = unknown>
  extends SubEnvs<ResetOptions>,
    Pick<VectorEnv, 'obsDim' | 'actionDim'> {
  readonly observations: Float32Array;
  readonly rewards: Float32Array;
}

/**
 * What every FlatSubEnvs holds the same way: the spaces, N observation rows of obsDim values, the reward and end flag
 * slots, and the ActionBatch a step's actions load into. Sub-envs extend it with reset-one and step-one. The slots are
 * allocated here unless the sub-envs' engine already owns them (`owned`: TradingCore writes its own).
 */
export abstract class FlatSlots<O extends Space = Space> implements StepSlots {
  readonly numEnvs: number;
  readonly singleObservationSpace: O;
  readonly singleActionSpace: Space;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly observations: Float32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  protected readonly batch: ActionBatch;

  /** `obsDim` defaults to the flat size of the observation space. */
  constructor(
    numEnvs: number,
    observationSpace: O,
    actionSpace: Space,
    obsDim = flatdim(observationSpace),
    owned: StepSlots | null = null,
  ) {
    checkNumEnvs(numEnvs);
    this.numEnvs = numEnvs;
    this.singleObservationSpace = observationSpace;
    this.singleActionSpace = actionSpace;
    this.obsDim = obsDim;
    this.batch = new ActionBatch(actionSpace, numEnvs);
    this.actionDim = this.batch.actionDim;
    if (owned !== null && (owned.observations.length !== numEnvs * obsDim || owned.rewards.length !== numEnvs))
      throw new InvalidArgumentError(
        `the sub-envs' own slots hold ${owned.rewards.length} rows of ${owned.observations.length / owned.rewards.length} values, not ${numEnvs} of ${obsDim}`,
      );
    this.observations = owned?.observations ?? new Float32Array(numEnvs * obsDim);
    this.rewards = owned?.rewards ?? new Float32Array(numEnvs);
    this.terminated = owned?.terminated ?? new Uint8Array(numEnvs);
    this.truncated = owned?.truncated ?? new Uint8Array(numEnvs);
  }
}

export class BatchedVectorEnv<S extends FlatSubEnvs<unknown> = FlatSubEnvs<unknown>> implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly autoresetMode: AutoresetMode;
  spec: EnvSpec | null = null;
  protected readonly subEnvs: S;
  private readonly pool: AutoresetPool<S, VectorActions>;
  private readonly stepResult: VectorStepResult;
  private readonly resetResult: VectorResetResult;

  constructor(subEnvs: S, autoresetMode: AutoresetMode = 'next-step') {
    this.pool = new AutoresetPool<S, VectorActions>(subEnvs, autoresetMode);
    this.subEnvs = subEnvs;
    this.numEnvs = subEnvs.numEnvs;
    this.singleObservationSpace = subEnvs.singleObservationSpace;
    this.singleActionSpace = subEnvs.singleActionSpace;
    this.obsDim = subEnvs.obsDim;
    this.actionDim = subEnvs.actionDim;
    this.autoresetMode = autoresetMode;
    this.stepResult = {
      observations: subEnvs.observations,
      rewards: subEnvs.rewards,
      terminated: subEnvs.terminated,
      truncated: subEnvs.truncated,
      infos: this.pool.infos,
    };
    this.resetResult = { observations: subEnvs.observations, infos: this.pool.infos };
  }

  reset(args: VectorResetArgs = {}): VectorResetResult {
    this.pool.reset(args.seed, args.options, args.envIds ?? null);
    return this.resetResult;
  }

  step(actions: VectorActions, envIds?: EnvIds): VectorStepResult {
    this.pool.step(actions, envIds ?? null);
    return this.stepResult;
  }

  close(): void {
    this.pool.close();
  }
}

/** Throws INVALID_ARGUMENT unless n is a positive integer (checked before a batched env allocates its slots). */
export function checkNumEnvs(n: number): void {
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError(`numEnvs must be a positive integer (got ${String(n)})`);
}
