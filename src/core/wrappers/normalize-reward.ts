// NormalizeReward: divides each reward by the running standard deviation of the discounted return (Gymnasium's
// wrapper): return ← return · gamma · (1 − terminated) + reward; reward / sqrt(var(return) + epsilon).
import type { StepResult } from '../types.ts';
import type { EnvLike } from '../env.ts';
import { InvalidArgumentError } from '../errors.ts';
import { Wrapper } from './wrapper.ts';
import { RunningMeanStd } from './running-mean-std.ts';

export class NormalizeReward<O, A> extends Wrapper<O, A> {
  readonly returnRms = new RunningMeanStd(1);
  readonly gamma: number;
  readonly epsilon: number;
  updateRunningMean = true;
  private discountedReturn = 0;
  private readonly scratch = new Float64Array(1);

  constructor(env: EnvLike<O, A>, gamma = 0.99, epsilon = 1e-8) {
    super(env);
    if (!(gamma >= 0 && gamma <= 1)) throw new InvalidArgumentError(`gamma must be in [0, 1] (got ${gamma})`);
    this.gamma = gamma;
    this.epsilon = epsilon;
  }

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.discountedReturn = this.discountedReturn * this.gamma * (r.terminated ? 0 : 1) + r.reward;
    if (this.updateRunningMean) {
      this.scratch[0] = this.discountedReturn;
      this.returnRms.update(this.scratch);
    }
    return { ...r, reward: r.reward / Math.sqrt(this.returnRms.var[0]! + this.epsilon) };
  }
}
