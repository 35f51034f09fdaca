// The Env base class (Gymnasium's Env plus its OrderEnforcing/PassiveEnvChecker duties): public reset()/step() own the
// seeding, the episode bookkeeping and the action check; a concrete env writes only resetEpisode() and stepEpisode().
import type { EnvSpec, RenderMode, ResetArgs, ResetResult, Space, StepResult } from './types.ts';
import { ClosedEnvError, InvalidActionError, ResetNeededError } from './errors.ts';
import { Rng, assertSeed } from './rng.ts';
import { describeValue } from './spaces/space.ts';

/** What render() returns: text for 'ansi'/'svg', RGB bytes (H×W×3) for 'rgb_array', null when there is nothing. */
export type RenderFrame = string | Uint8Array | null;

export interface EnvMetadata {
  renderModes: readonly RenderMode[];
  renderFps?: number;
}

/** What everything (registry, wrappers, vector envs, checkEnv, server) codes against: an Env or a Wrapper. */
export interface EnvLike<O = unknown, A = unknown> {
  readonly observationSpace: Space<O>;
  readonly actionSpace: Space<A>;
  readonly metadata: EnvMetadata;
  readonly renderMode: RenderMode;
  spec: EnvSpec | null;
  /** The innermost env, below every wrapper. */
  readonly unwrapped: EnvLike;
  /** Hash of the feature spec the observations are built from (trading envs); absent or null otherwise. */
  readonly featureSpecHash?: string | null;
  /** 1 = allowed, one entry per action, for the current observation; only envs with maskable discrete actions. */
  actionMasks?(): Uint8Array;
  reset(args?: ResetArgs): ResetResult<O>;
  step(action: A): StepResult<O>;
  render(): RenderFrame;
  close(): void;
}

export function isEnvLike(x: unknown): x is EnvLike {
  if (x === null || typeof x !== 'object') return false;
  const e = x as Partial<EnvLike>;
  return (
    typeof e.reset === 'function' &&
    typeof e.step === 'function' &&
    e.observationSpace !== undefined &&
    e.actionSpace !== undefined
  );
}

export abstract class Env<O = unknown, A = unknown> implements EnvLike<O, A> {
  abstract readonly observationSpace: Space<O>;
  abstract readonly actionSpace: Space<A>;
  readonly metadata: EnvMetadata = { renderModes: [] };
  renderMode: RenderMode = null;
  spec: EnvSpec | null = null;
  private rng: Rng | null = null;
  private needsReset = true;
  private hasReset = false;
  private isClosed = false;

  /** This env's random stream (Gymnasium's np_random): reseeded by reset({seed}), from OS entropy if never seeded. */
  get npRandom(): Rng {
    if (this.rng === null) this.rng = new Rng();
    return this.rng;
  }

  get unwrapped(): EnvLike {
    return this;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  reset(args: ResetArgs = {}): ResetResult<O> {
    if (this.isClosed) throw new ClosedEnvError();
    if (args.seed !== undefined && args.seed !== null) {
      assertSeed(args.seed);
      this.rng = new Rng(args.seed);
    }
    const result = this.resetEpisode(args.options ?? {});
    this.needsReset = false;
    this.hasReset = true;
    return result;
  }

  step(action: A): StepResult<O> {
    if (this.needsReset) {
      if (this.isClosed) throw new ClosedEnvError();
      throw new ResetNeededError(
        this.hasReset
          ? 'the episode has ended (terminated or truncated): call reset() before step()'
          : 'step() was called before reset(): call reset() first',
      );
    }
    if (!this.actionSpace.contains(action)) {
      throw new InvalidActionError(
        `action ${describeValue(action)} is not in the action space ${String(this.actionSpace)}: send a value of that space`,
      );
    }
    const result = this.stepEpisode(action);
    if (result.terminated || result.truncated) this.needsReset = true;
    return result;
  }

  render(): RenderFrame {
    return null;
  }

  close(): void {
    this.isClosed = true;
    this.needsReset = true;
  }

  /** Starts a new episode; `this.npRandom` is already seeded. */
  protected abstract resetEpisode(options: Record<string, unknown>): ResetResult<O>;
  /** Advances one step; `action` is already known to be in the action space. */
  protected abstract stepEpisode(action: A): StepResult<O>;
}
