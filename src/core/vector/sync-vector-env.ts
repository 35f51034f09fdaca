// SyncVectorEnv: N sub-envs stepped one after the other in this thread; observations are flattened into one
// preallocated N × D Float32Array. Autoreset follows Gymnasium 1.x ('next-step') or SB3 ('same-step').
import type { AutoresetMode, EnvSpec, Info, Space, VectorResetResult, VectorStepResult } from '../types.ts';
import type { EnvLike } from '../env.ts';
import { InvalidArgumentError, ResetNeededError, ClosedEnvError } from '../errors.ts';
import { assertSeed } from '../rng.ts';
import { Box } from '../spaces/box.ts';
import { flatdim, flattenInto } from '../spaces/flatten.ts';
import { ActionBatch } from './action-batch.ts';
import { EMPTY_INFO, type VectorActions, type VectorEnv, type VectorResetArgs } from './vector-env.ts';

export interface SyncVectorEnvOptions {
  autoresetMode?: AutoresetMode;
}

export class SyncVectorEnv implements VectorEnv {
  readonly envs: readonly EnvLike[];
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly autoresetMode: AutoresetMode;
  spec: EnvSpec | null = null;
  private readonly observations: Float32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly infos: Info[];
  private readonly pendingReset: Uint8Array;
  private readonly actions: ActionBatch;
  private readonly stepResult: VectorStepResult;
  private started = false;
  private closed = false;

  constructor(envFns: readonly (() => EnvLike)[] | readonly EnvLike[], options: SyncVectorEnvOptions = {}) {
    if (envFns.length === 0) throw new InvalidArgumentError('SyncVectorEnv needs at least one sub-env');
    this.envs = envFns.map((f) => (typeof f === 'function' ? f() : f));
    this.numEnvs = this.envs.length;
    const mode = options.autoresetMode ?? 'next-step';
    if (mode !== 'next-step' && mode !== 'same-step') {
      throw new InvalidArgumentError(`autoresetMode must be 'next-step' or 'same-step' (got ${String(mode)})`);
    }
    this.autoresetMode = mode;
    this.singleObservationSpace = this.envs[0]!.observationSpace;
    this.singleActionSpace = this.envs[0]!.actionSpace;
    for (let i = 1; i < this.numEnvs; i++) {
      const e = this.envs[i]!;
      if (
        JSON.stringify(e.observationSpace.toJSON()) !== JSON.stringify(this.singleObservationSpace.toJSON()) ||
        JSON.stringify(e.actionSpace.toJSON()) !== JSON.stringify(this.singleActionSpace.toJSON())
      ) {
        throw new InvalidArgumentError(
          `sub-env ${i} has different spaces from sub-env 0: every sub-env of a vector env must share its spaces`,
        );
      }
    }
    this.obsDim = flatdim(this.singleObservationSpace);
    this.actions = new ActionBatch(this.singleActionSpace, this.numEnvs);
    this.actionDim = this.actions.actionDim;
    this.observations = new Float32Array(this.numEnvs * this.obsDim);
    this.rewards = new Float32Array(this.numEnvs);
    this.terminated = new Uint8Array(this.numEnvs);
    this.truncated = new Uint8Array(this.numEnvs);
    this.pendingReset = new Uint8Array(this.numEnvs);
    this.infos = new Array<Info>(this.numEnvs).fill(EMPTY_INFO);
    this.stepResult = {
      observations: this.observations,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      infos: this.infos,
    };
  }

  reset(args: VectorResetArgs = {}): VectorResetResult {
    if (this.closed) throw new ClosedEnvError();
    const seeds = subEnvSeeds(args.seed, this.numEnvs);
    for (let i = 0; i < this.numEnvs; i++) {
      const r = this.envs[i]!.reset(
        seeds === null ? { options: args.options } : { seed: seeds[i]!, options: args.options },
      );
      this.writeObservation(i, r.observation);
      this.infos[i] = r.info;
    }
    this.pendingReset.fill(0);
    this.started = true;
    return { observations: this.observations, infos: this.infos };
  }

  step(actions: VectorActions): VectorStepResult {
    if (this.closed) throw new ClosedEnvError();
    if (!this.started)
      throw new ResetNeededError('step() was called before reset(): call reset() on the vector env first');
    this.actions.load(actions);
    // Check every action before stepping any sub-env, so that a bad batch leaves all sub-envs untouched.
    for (let i = 0; i < this.numEnvs; i++) if (this.pendingReset[i] === 0) this.actions.check(i);
    for (let i = 0; i < this.numEnvs; i++) {
      const env = this.envs[i]!;
      if (this.pendingReset[i] === 1) {
        // next-step autoreset: this step's action for i is ignored and the reset observation is returned.
        const r = env.reset();
        this.writeObservation(i, r.observation);
        this.rewards[i] = 0;
        this.terminated[i] = 0;
        this.truncated[i] = 0;
        this.infos[i] = r.info;
        this.pendingReset[i] = 0;
        continue;
      }
      const s = env.step(this.actions.get(i));
      this.rewards[i] = s.reward;
      this.terminated[i] = s.terminated ? 1 : 0;
      this.truncated[i] = s.truncated ? 1 : 0;
      const done = s.terminated || s.truncated;
      if (done && this.autoresetMode === 'same-step') {
        const finalObservation = new Float32Array(this.obsDim);
        flattenInto(this.singleObservationSpace, s.observation, finalObservation, 0);
        const r = env.reset();
        this.writeObservation(i, r.observation);
        this.infos[i] = { ...r.info, final_observation: finalObservation, final_info: s.info };
      } else {
        this.writeObservation(i, s.observation);
        this.infos[i] = s.info;
        if (done) this.pendingReset[i] = 1;
      }
    }
    return this.stepResult;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const e of this.envs) e.close();
  }

  private writeObservation(i: number, obs: unknown): void {
    const off = i * this.obsDim;
    if (this.singleObservationSpace instanceof Box && typeof obs !== 'number') {
      const src = obs as ArrayLike<number>;
      const d = this.obsDim;
      for (let k = 0; k < d; k++) this.observations[off + k] = src[k]!;
    } else {
      flattenInto(this.singleObservationSpace, obs, this.observations, off);
    }
  }
}

/** The documented scheme: seed s → sub-env i gets s + i; an array gives each sub-env its own; undefined → null. */
export function subEnvSeeds(seed: number | readonly number[] | undefined, numEnvs: number): number[] | null {
  if (seed === undefined || seed === null) return null;
  if (typeof seed === 'number') {
    assertSeed(seed);
    assertSeed(seed + (numEnvs - 1), `seed + numEnvs - 1`);
    return Array.from({ length: numEnvs }, (_, i) => seed + i);
  }
  if (!Array.isArray(seed) || seed.length !== numEnvs) {
    throw new InvalidArgumentError(`seed must be a number or an array of ${numEnvs} seeds (one per sub-env)`);
  }
  seed.forEach((s, i) => assertSeed(s, `seed[${i}]`));
  return [...seed];
}
