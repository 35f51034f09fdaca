// Reads the sub-envs' actions out of a batched action array, with the shape checks and error messages shared by all
// vector envs: the one validation of vector actions. Box actions are copied into a per-row buffer and Discrete ones into
// an Int32Array slot per sub-env (no allocation per step).
import type { Space } from '../types.ts';
import { InvalidActionError } from '../errors.ts';
import { Box } from '../spaces/box.ts';
import { Discrete } from '../spaces/discrete.ts';
import { TYPED_ARRAY, type TypedArray, dtypeOfArray } from '../spaces/dtype.ts';
import { describeValue } from '../spaces/space.ts';
import type { EnvIds, VectorActions } from './vector-env.ts';

export class ActionBatch {
  readonly space: Space;
  readonly numEnvs: number;
  /** Values per sub-env in a typed array: 1 for Discrete, the Box size for Box, 0 when only plain arrays are accepted. */
  readonly actionDim: number;
  private readonly boxBuffers: TypedArray[] = [];
  private source: VectorActions = [];
  private typed = false;
  private rows = 0;

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

  /** Checks the shape of a batch of `rows` actions; throws INVALID_ACTION saying what shape was expected. */
  load(actions: VectorActions, rows: number = this.numEnvs): void {
    const dt = dtypeOfArray(actions);
    const isTyped = dt !== null;
    if (isTyped) {
      if ((dt === 'float32' || dt === 'float64') && this.space instanceof Discrete) {
        throw new InvalidActionError(
          `${String(this.space)} actions must be integers: pass an Int32Array (or a number[]) of ${rows} values, not a ${dt} array`,
        );
      }
      if (this.actionDim === 0) {
        throw new InvalidActionError(
          `a typed action array cannot carry ${String(this.space)} actions: pass a plain array of ${rows} actions`,
        );
      }
      const got = (actions as ArrayLike<number>).length;
      if (got !== rows * this.actionDim) {
        throw new InvalidActionError(
          `expected ${rows * this.actionDim} action values (${rows} sub-envs × ${this.actionDim} for ${String(this.space)}), got ${got}`,
        );
      }
    } else if (Array.isArray(actions)) {
      if (actions.length !== rows)
        throw new InvalidActionError(
          `expected an array of ${rows} actions (one per sub-env, each in ${String(this.space)}), got ${actions.length}`,
        );
    } else {
      throw new InvalidActionError(
        `actions must be a typed array or an array of ${rows} actions, got ${describeValue(actions)}`,
      );
    }
    this.source = actions;
    this.typed = isTyped;
    this.rows = rows;
  }

  /** Row r's action from the loaded batch. A Box action is a buffer reused on the next call. */
  get(r: number): unknown {
    if (!this.typed) return (this.source as readonly unknown[])[r];
    const src = this.source as ArrayLike<number>;
    if (this.actionDim === 1 && this.space instanceof Discrete) return src[r];
    const buf = this.boxBuffers[r]!;
    const d = this.actionDim;
    for (let k = 0; k < d; k++) buf[k] = src[r * d + k]!;
    return buf;
  }

  /**
   * Value k of row r, read in place (no copy, full precision): a typed batch's element, or element k of a plain
   * array's row (the row itself for k = 0 when it is a number). Undefined where the row has no such value.
   */
  value(r: number, k: number): unknown {
    if (this.typed) return (this.source as ArrayLike<number>)[r * this.actionDim + k];
    const a = (this.source as readonly unknown[])[r];
    if (Array.isArray(a) || ArrayBuffer.isView(a)) return (a as ArrayLike<unknown>)[k];
    return k === 0 ? a : undefined;
  }

  /** Row r's action; throws INVALID_ACTION naming sub-env `envIndex` and the space unless it is in the space. */
  check(r: number, envIndex: number = r): unknown {
    const a = this.get(r);
    if (!this.space.contains(a)) {
      throw new InvalidActionError(
        `action ${describeValue(a)} for sub-env ${envIndex} is not in the action space ${String(this.space)}: no sub-env was stepped`,
      );
    }
    return a;
  }

  /**
   * Discrete spaces: checks every loaded row (load() already refused float arrays, whatever they hold) and writes row
   * r's action into `out[ids[r]]`. Rows of sub-envs with `skip[i] === 1` are about to be reset: their action is ignored
   * whatever it is, and `out[i]` gets the space's first value.
   */
  discreteInto(out: Int32Array, ids: EnvIds | null, skip: Uint8Array): void {
    const space = this.space as Discrete;
    const lo = space.start;
    const hi = lo + space.n;
    const src = this.source as ArrayLike<unknown>;
    for (let r = 0; r < this.rows; r++) {
      const i = ids === null ? r : ids[r]!;
      const a = src[r];
      if (typeof a === 'number' && a >= lo && a < hi && Number.isInteger(a)) out[i] = a;
      else if (skip[i] === 0) {
        throw new InvalidActionError(
          `action ${describeValue(a)} for sub-env ${i} is not in the action space ${String(space)}: no sub-env was stepped`,
        );
      } else out[i] = lo;
    }
  }
}
