// Wrapper base classes (Gymnasium's Wrapper, ObservationWrapper, RewardWrapper, ActionWrapper): each one-method
// wrapper overrides a single transform; the base delegates everything else to the inner env.
import type { EnvSpec, RenderMode, ResetArgs, ResetResult, Space, StepResult } from '../types.ts';
import type { EnvLike, EnvMetadata, RenderFrame } from '../env.ts';

export class Wrapper<O = unknown, A = unknown, IO = O, IA = A> implements EnvLike<O, A> {
  readonly env: EnvLike<IO, IA>;

  constructor(env: EnvLike<IO, IA>) {
    this.env = env;
  }

  get observationSpace(): Space<O> {
    return this.env.observationSpace as unknown as Space<O>;
  }
  get actionSpace(): Space<A> {
    return this.env.actionSpace as unknown as Space<A>;
  }
  get metadata(): EnvMetadata {
    return this.env.metadata;
  }
  get renderMode(): RenderMode {
    return this.env.renderMode;
  }
  get spec(): EnvSpec | null {
    return this.env.spec;
  }
  set spec(s: EnvSpec | null) {
    this.env.spec = s;
  }
  get unwrapped(): EnvLike {
    return this.env.unwrapped;
  }
  get featureSpecHash(): string | null {
    return this.env.featureSpecHash ?? null;
  }

  reset(args?: ResetArgs): ResetResult<O> {
    return this.env.reset(args) as unknown as ResetResult<O>;
  }
  step(action: A): StepResult<O> {
    return this.env.step(action as unknown as IA) as unknown as StepResult<O>;
  }
  render(): RenderFrame {
    return this.env.render();
  }
  close(): void {
    this.env.close();
  }
  toString(): string {
    return `${this.constructor.name}<${String(this.env)}>`;
  }
}

/** Transforms every observation (from reset and step) with observation(). */
export abstract class ObservationWrapper<O, A, IO> extends Wrapper<O, A, IO, A> {
  abstract observation(obs: IO): O;
  override reset(args?: ResetArgs): ResetResult<O> {
    const r = this.env.reset(args);
    return { observation: this.observation(r.observation), info: r.info };
  }
  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    return {
      observation: this.observation(r.observation),
      reward: r.reward,
      terminated: r.terminated,
      truncated: r.truncated,
      info: r.info,
    };
  }
}

/** Transforms every reward with reward(). */
export abstract class RewardWrapper<O, A> extends Wrapper<O, A, O, A> {
  abstract reward(reward: number): number;
  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    return {
      observation: r.observation,
      reward: this.reward(r.reward),
      terminated: r.terminated,
      truncated: r.truncated,
      info: r.info,
    };
  }
}

/** Transforms every action with action() before the inner env sees it. */
export abstract class ActionWrapper<O, A, IA> extends Wrapper<O, A, O, IA> {
  abstract action(action: A): IA;
  override step(action: A): StepResult<O> {
    return this.env.step(this.action(action));
  }
}
