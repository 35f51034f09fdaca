// RecordEpisodeStatistics: at the end of each episode, info.episode = { r: return, l: length, t: seconds }, and the
// last `bufferLength` returns and lengths are kept (Gymnasium's wrapper of the same name).
import type { ResetArgs, ResetResult, StepResult } from '../types.ts';
import type { EnvLike } from '../env.ts';
import { InvalidArgumentError } from '../errors.ts';
import { Wrapper } from './wrapper.ts';

export interface EpisodeStatistics {
  /** Sum of rewards. */
  r: number;
  /** Number of steps. */
  l: number;
  /** Wall-clock seconds since reset. */
  t: number;
}

export class RecordEpisodeStatistics<O, A> extends Wrapper<O, A> {
  readonly bufferLength: number;
  readonly returnQueue: number[] = [];
  readonly lengthQueue: number[] = [];
  episodeCount = 0;
  private episodeReturn = 0;
  private episodeLength = 0;
  private startedAt = 0;

  constructor(env: EnvLike<O, A>, bufferLength = 100) {
    super(env);
    if (!Number.isSafeInteger(bufferLength) || bufferLength <= 0)
      throw new InvalidArgumentError(`bufferLength must be a positive integer (got ${bufferLength})`);
    this.bufferLength = bufferLength;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    const r = this.env.reset(args);
    this.episodeReturn = 0;
    this.episodeLength = 0;
    this.startedAt = performance.now();
    return r;
  }

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.episodeReturn += r.reward;
    this.episodeLength += 1;
    if (!r.terminated && !r.truncated) return r;
    const episode: EpisodeStatistics = {
      r: this.episodeReturn,
      l: this.episodeLength,
      t: (performance.now() - this.startedAt) / 1000,
    };
    this.push(this.returnQueue, episode.r);
    this.push(this.lengthQueue, episode.l);
    this.episodeCount++;
    return { ...r, info: { ...r.info, episode } };
  }

  private push(q: number[], v: number): void {
    q.push(v);
    if (q.length > this.bufferLength) q.shift();
  }
}
