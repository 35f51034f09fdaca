// ClipAction: clips a continuous action into the inner env's Box bounds, so that the agent may emit any real numbers
// (Gymnasium's wrapper; the exposed action space is the unbounded Box of the same shape). NaN stays NaN and is rejected.
import type { Space } from '../types.ts';
import type { EnvLike } from '../env.ts';
import { InvalidActionError, InvalidArgumentError } from '../errors.ts';
import { Box } from '../spaces/box.ts';
import { TYPED_ARRAY, type TypedArray } from '../spaces/dtype.ts';
import { describeValue } from '../spaces/space.ts';
import { ActionWrapper } from './wrapper.ts';

export class ClipAction<O> extends ActionWrapper<O, ArrayLike<number>, TypedArray> {
  private readonly inner: Box;
  private readonly space: Box;

  constructor(env: EnvLike<O, TypedArray>) {
    super(env);
    const inner = env.actionSpace;
    if (!(inner instanceof Box))
      throw new InvalidArgumentError(`ClipAction needs a Box action space, got ${String(inner)}`);
    this.inner = inner;
    this.space = new Box(-Infinity, Infinity, inner.shape, inner.dtype);
  }

  override get actionSpace(): Space<ArrayLike<number>> {
    return this.space as Space<ArrayLike<number>>;
  }

  action(action: ArrayLike<number>): TypedArray {
    const n = this.inner.size;
    if (action === null || typeof action !== 'object' || action.length !== n) {
      throw new InvalidActionError(
        `action ${describeValue(action)} does not have the shape of ${String(this.inner)} (${n} values)`,
      );
    }
    const out = new TYPED_ARRAY[this.inner.dtype](n);
    for (let i = 0; i < n; i++) out[i] = Math.min(Math.max(action[i]!, this.inner.low[i]!), this.inner.high[i]!);
    return out;
  }
}
