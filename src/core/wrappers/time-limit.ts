// TimeLimit: truncates an episode after maxEpisodeSteps steps (Gymnasium's TimeLimit; the registry applies it from
// spec.maxEpisodeSteps). Truncation is not termination: agents bootstrap past it.
import type { ResetArgs, ResetResult, StepResult } from '../types.ts';
import type { EnvLike } from '../env.ts';
import { InvalidArgumentError, ResetNeededError } from '../errors.ts';
import { Wrapper } from './wrapper.ts';

export class TimeLimit<O, A> extends Wrapper<O, A> {
  readonly maxEpisodeSteps: number;
  private elapsed = 0;

  constructor(env: EnvLike<O, A>, maxEpisodeSteps: number) {
    super(env);
    if (!Number.isSafeInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new InvalidArgumentError(`maxEpisodeSteps must be a positive integer (got ${String(maxEpisodeSteps)})`);
    }
    this.maxEpisodeSteps = maxEpisodeSteps;
  }

  get elapsedSteps(): number {
    return this.elapsed;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    const r = this.env.reset(args);
    this.elapsed = 0;
    return r;
  }

  override step(action: A): StepResult<O> {
    // The inner env cannot know that we truncated: enforce reset-after-end here too.
    if (this.elapsed >= this.maxEpisodeSteps) throw new ResetNeededError();
    const r = this.env.step(action);
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps) r.truncated = true;
    return r;
  }
}
