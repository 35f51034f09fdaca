// SyncVectorEnv: N EnvLikes stepped one after the other in this thread, as the sub-envs of a BatchedVectorEnv (which
// owns autoreset, seeding and subsets); observations are flattened into one preallocated N × D Float32Array.
import type { AutoresetMode, Info } from '../types.ts';
import type { EnvLike } from '../env.ts';
import { InvalidArgumentError } from '../errors.ts';
import { Box } from '../spaces/box.ts';
import { flattenInto } from '../spaces/flatten.ts';
import { BatchedVectorEnv, FlatSlots, type FlatSubEnvs } from './batched-vector-env.ts';
import type { EnvIds, VectorActions } from './vector-env.ts';

export { subEnvSeeds } from './autoreset-pool.ts';

export interface SyncVectorEnvOptions {
  autoresetMode?: AutoresetMode;
}

type ResetOptions = Record<string, unknown> | undefined;

/** N EnvLikes as sub-envs: reset-one and step-one call the env and flatten its observation into slot i. */
class EnvList extends FlatSlots implements FlatSubEnvs<ResetOptions> {
  readonly envs: readonly EnvLike[];
  /** rowOf[i]: the row of sub-env i's action in the loaded batch. */
  private readonly rowOf: Int32Array;
  private readonly boxObservations: boolean;

  constructor(envs: readonly EnvLike[]) {
    if (envs.length === 0) throw new InvalidArgumentError('SyncVectorEnv needs at least one sub-env');
    super(envs.length, envs[0]!.observationSpace, envs[0]!.actionSpace);
    this.envs = envs;
    const n = envs.length;
    const obsJSON = JSON.stringify(this.singleObservationSpace.toJSON());
    const actJSON = JSON.stringify(this.singleActionSpace.toJSON());
    for (let i = 1; i < n; i++) {
      const e = envs[i]!;
      if (
        JSON.stringify(e.observationSpace.toJSON()) !== obsJSON ||
        JSON.stringify(e.actionSpace.toJSON()) !== actJSON
      ) {
        throw new InvalidArgumentError(
          `sub-env ${i} has different spaces from sub-env 0: every sub-env of a vector env must share its spaces`,
        );
      }
    }
    this.rowOf = new Int32Array(n);
    this.boxObservations = this.singleObservationSpace instanceof Box;
  }

  resetOptions(options: ResetOptions): ResetOptions {
    return options;
  }

  loadActions(actions: VectorActions, ids: EnvIds | null, skip: Uint8Array): void {
    const rows = ids === null ? this.numEnvs : ids.length;
    this.batch.load(actions, rows);
    for (let r = 0; r < rows; r++) {
      const i = ids === null ? r : ids[r]!;
      this.rowOf[i] = r;
      if (skip[i] === 0) this.batch.check(r, i);
    }
  }

  resetOne(i: number, seed: number | undefined, options: ResetOptions): Info {
    const r = this.envs[i]!.reset(seed === undefined ? { options } : { seed, options });
    this.writeObservation(i, r.observation);
    return r.info;
  }

  stepOne(i: number): Info {
    const s = this.envs[i]!.step(this.batch.get(this.rowOf[i]!));
    this.rewards[i] = s.reward;
    this.terminated[i] = s.terminated ? 1 : 0;
    this.truncated[i] = s.truncated ? 1 : 0;
    this.writeObservation(i, s.observation);
    return s.info;
  }

  finalObservation(i: number): Float32Array {
    return this.observations.slice(i * this.obsDim, (i + 1) * this.obsDim);
  }

  close(): void {
    for (const e of this.envs) e.close();
  }

  private writeObservation(i: number, obs: unknown): void {
    const off = i * this.obsDim;
    if (this.boxObservations && typeof obs !== 'number') {
      const src = obs as ArrayLike<number>;
      const d = this.obsDim;
      for (let k = 0; k < d; k++) this.observations[off + k] = src[k]!;
    } else {
      flattenInto(this.singleObservationSpace, obs, this.observations, off);
    }
  }
}

export class SyncVectorEnv extends BatchedVectorEnv<EnvList> {
  readonly envs: readonly EnvLike[];

  constructor(envFns: readonly (() => EnvLike)[] | readonly EnvLike[], options: SyncVectorEnvOptions = {}) {
    const list = new EnvList(envFns.map((f) => (typeof f === 'function' ? f() : f)));
    super(list, options.autoresetMode ?? 'next-step');
    this.envs = list.envs;
  }

  /** The sub-envs' feature-spec hash (trading envs), read through their wrappers. */
  get featureSpecHash(): string | null {
    return this.envs[0]!.featureSpecHash ?? null;
  }
}
