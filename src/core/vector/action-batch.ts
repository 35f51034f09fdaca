// Reads one sub-env's action out of a batched action array, with the shape checks and error messages shared by all
// vector envs. Box actions are copied into a per-sub-env buffer (no allocation per step).
import type { Space } from '../types.ts';
import { InvalidActionError } from '../errors.ts';
import { Box } from '../spaces/box.ts';
import { Discrete } from '../spaces/discrete.ts';
import { TYPED_ARRAY, type TypedArray, dtypeOfArray } from '../spaces/dtype.ts';
import { describeValue } from '../spaces/space.ts';
import type { VectorActions } from './vector-env.ts';

export class ActionBatch {
  readonly space: Space;
  readonly numEnvs: number;
  /** Values per sub-env in a typed array: 1 for Discrete, the Box size for Box, 0 when only plain arrays are accepted. */
  readonly actionDim: number;
  private readonly boxBuffers: TypedArray[] = [];
  private source: VectorActions = [];
  private typed = false;

  constructor(space: Space, numEnvs: number) {
    this.space = space;
    this.numEnvs = numEnvs;
    if (space instanceof Discrete) this.actionDim = 1;
    else if (space instanceof Box) {
      this.actionDim = space.size;
      for (let i = 0; i < numEnvs; i++)
        this.boxBuffers.push(new TYPED_ARRAY[space.dtype === 'float64' ? 'float64' : space.dtype](space.size));
    } else this.actionDim = 0;
  }

  /** Checks the batch's shape; throws INVALID_ACTION saying what shape was expected. */
  load(actions: VectorActions): void {
    const n = this.numEnvs;
    const isTyped = dtypeOfArray(actions) !== null;
    if (isTyped) {
      if (this.actionDim === 0) {
        throw new InvalidActionError(
          `a typed action array cannot carry ${String(this.space)} actions: pass a plain array of ${n} actions`,
        );
      }
      if ((actions as ArrayLike<number>).length !== n * this.actionDim) {
        throw new InvalidActionError(
          `expected ${n * this.actionDim} action values (${n} sub-envs × ${this.actionDim} for ${String(this.space)}), got ${(actions as ArrayLike<number>).length}`,
        );
      }
    } else if (Array.isArray(actions)) {
      if (actions.length !== n)
        throw new InvalidActionError(
          `expected an array of ${n} actions (one per sub-env, each in ${String(this.space)}), got ${actions.length}`,
        );
    } else {
      throw new InvalidActionError(
        `actions must be a typed array or an array of ${n} actions, got ${describeValue(actions)}`,
      );
    }
    this.source = actions;
    this.typed = isTyped;
  }

  /** Sub-env i's action from the loaded batch. A Box action is a buffer reused on the next call. */
  get(i: number): unknown {
    if (!this.typed) return (this.source as readonly unknown[])[i];
    const src = this.source as ArrayLike<number>;
    if (this.actionDim === 1 && this.space instanceof Discrete) return src[i];
    const buf = this.boxBuffers[i]!;
    const d = this.actionDim;
    for (let k = 0; k < d; k++) buf[k] = src[i * d + k]!;
    return buf;
  }

  /** Throws INVALID_ACTION naming the sub-env and the space unless sub-env i's action is in the space. */
  check(i: number): unknown {
    const a = this.get(i);
    if (!this.space.contains(a)) {
      throw new InvalidActionError(
        `action ${describeValue(a)} for sub-env ${i} is not in the action space ${String(this.space)}: no sub-env was stepped`,
      );
    }
    return a;
  }
}
