// FlattenObservation: any observation (Dict, Tuple, Discrete, multi-dimensional Box, …) as one flat Float32Array,
// laid out by spaces/flatten.ts (Gymnasium's wrapper).
import type { Space } from '../types.ts';
import type { EnvLike } from '../env.ts';
import type { Box } from '../spaces/box.ts';
import { flatten, flattenSpace } from '../spaces/flatten.ts';
import { ObservationWrapper } from './wrapper.ts';

export class FlattenObservation<O, A> extends ObservationWrapper<Float32Array, A, O> {
  private readonly space: Box<Float32Array>;

  constructor(env: EnvLike<O, A>) {
    super(env);
    this.space = flattenSpace(env.observationSpace) as Box<Float32Array>;
  }

  override get observationSpace(): Space<Float32Array> {
    return this.space;
  }

  observation(obs: O): Float32Array {
    return flatten(this.env.observationSpace, obs);
  }
}
