// NormalizeObservation: obs → (obs − running mean) / sqrt(running var + epsilon), per element (Gymnasium's wrapper).
// Works on Box observations; set updateRunningMean = false to freeze the statistics (evaluation).
import type { Space } from '../types.ts';
import type { EnvLike } from '../env.ts';
import { InvalidArgumentError } from '../errors.ts';
import { Box } from '../spaces/box.ts';
import { ObservationWrapper } from './wrapper.ts';
import { RunningMeanStd } from './running-mean-std.ts';

export class NormalizeObservation<A> extends ObservationWrapper<Float32Array, A, ArrayLike<number>> {
  readonly obsRms: RunningMeanStd;
  readonly epsilon: number;
  updateRunningMean = true;
  private readonly space: Box<Float32Array>;

  constructor(env: EnvLike<ArrayLike<number>, A>, epsilon = 1e-8) {
    super(env);
    const inner = env.observationSpace;
    if (!(inner instanceof Box))
      throw new InvalidArgumentError(
        `NormalizeObservation needs a Box observation space, got ${String(inner)}: wrap with FlattenObservation first`,
      );
    this.space = new Box<Float32Array>(-Infinity, Infinity, inner.shape, 'float32');
    this.obsRms = new RunningMeanStd(inner.size);
    this.epsilon = epsilon;
  }

  override get observationSpace(): Space<Float32Array> {
    return this.space;
  }

  observation(obs: ArrayLike<number>): Float32Array {
    if (this.updateRunningMean) this.obsRms.update(obs);
    const out = new Float32Array(this.space.size);
    const { mean, var: v } = this.obsRms;
    for (let i = 0; i < out.length; i++) out[i] = (obs[i]! - mean[i]!) / Math.sqrt(v[i]! + this.epsilon);
    return out;
  }
}
