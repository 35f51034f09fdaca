// Small envs for the core tests: a well-behaved one with a fixed episode length, and a configurable broken one.
import { Env, Box, Discrete, InvalidActionError, ResetNeededError } from '../../../src/core/index.ts';
import type {
  EnvLike,
  EnvMetadata,
  RenderFrame,
  ResetResult,
  StepResult,
  RenderMode,
  EnvSpec,
  Space,
} from '../../../src/core/index.ts';

/**
 * Episodes last exactly `length` steps (terminated on the last one). Observation [steps left, last action, noise];
 * noise is drawn from the env's seeded stream at reset; reward = action + 1.
 */
export class CountdownEnv extends Env<Float32Array, number> {
  readonly observationSpace = new Box<Float32Array>(0, 100, [3], 'float32');
  readonly actionSpace = new Discrete(3);
  readonly length: number;
  private left = 0;
  private noise = 0;
  resets = 0;

  constructor(length = 3) {
    super();
    this.length = length;
  }
  protected resetEpisode(): ResetResult<Float32Array> {
    this.left = this.length;
    this.noise = this.npRandom.random();
    this.resets++;
    return { observation: Float32Array.of(this.left, 0, this.noise), info: { reset: this.resets } };
  }
  protected stepEpisode(action: number): StepResult<Float32Array> {
    this.left--;
    return {
      observation: Float32Array.of(this.left, action, this.noise),
      reward: action + 1,
      terminated: this.left === 0,
      truncated: false,
      info: { left: this.left },
    };
  }
}

export type Breakage =
  | 'none'
  | 'obs-out-of-bounds'
  | 'obs-wrong-dtype'
  | 'obs-wrong-shape'
  | 'obs-nan'
  | 'reset-ignores-seed'
  | 'accepts-invalid-actions'
  | 'old-gym-tuple'
  | 'numeric-flags'
  | 'nan-reward'
  | 'no-reset-needed'
  | 'vague-invalid-action'
  | 'plain-error-on-invalid-action'
  | 'bad-space-json'
  | 'reset-returns-obs-only';

/** Implements EnvLike directly (no Env base class), so that each breakage really reaches the caller. */
export class BrokenEnv implements EnvLike<Float32Array, number> {
  readonly observationSpace: Space<Float32Array> = new Box<Float32Array>(-1, 1, [2], 'float32');
  readonly actionSpace: Space<number> = new Discrete(2);
  readonly metadata: EnvMetadata = { renderModes: [] };
  readonly renderMode: RenderMode = null;
  spec: EnvSpec | null = null;
  private t = 0;
  private ended = true;
  private resetCount = 0;
  private x = 0;

  constructor(readonly breakage: Breakage) {
    if (breakage === 'bad-space-json') {
      const box = new Box<Float32Array>(-1, 1, [2], 'float32');
      this.observationSpace = Object.assign(Object.create(box) as Box<Float32Array>, {
        toJSON: () => ({ type: 'Box', shape: [3], dtype: 'float32', low: [0], high: [1] }),
      });
    }
  }
  get unwrapped(): EnvLike {
    return this;
  }

  private obs(v: number): Float32Array {
    switch (this.breakage) {
      case 'obs-out-of-bounds':
        return Float32Array.of(v, 5);
      case 'obs-wrong-dtype':
        return Float64Array.of(v, 0) as unknown as Float32Array;
      case 'obs-wrong-shape':
        return Float32Array.of(v, 0, 0);
      case 'obs-nan':
        return Float32Array.of(v, Number.NaN);
      default:
        return Float32Array.of(v, 0);
    }
  }

  reset(args: { seed?: number } = {}): ResetResult<Float32Array> {
    this.resetCount++;
    this.t = 0;
    this.ended = false;
    // The seed picks the start; 'reset-ignores-seed' uses a counter instead.
    this.x = this.breakage === 'reset-ignores-seed' ? (this.resetCount % 7) / 10 : ((args.seed ?? 0) % 10) / 20;
    if (this.breakage === 'reset-returns-obs-only') return this.obs(this.x) as unknown as ResetResult<Float32Array>;
    return { observation: this.obs(this.x), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    if (this.ended && this.breakage !== 'no-reset-needed') throw new ResetNeededError();
    if (!this.actionSpace.contains(action)) {
      if (this.breakage === 'vague-invalid-action') throw new InvalidActionError('bad action');
      if (this.breakage === 'plain-error-on-invalid-action') throw new TypeError('cannot read action');
      if (this.breakage !== 'accepts-invalid-actions')
        throw new InvalidActionError(`action ${String(action)} is not in ${String(this.actionSpace)}`);
    }
    this.t++;
    this.x = Math.max(-1, Math.min(1, this.x + (action === 1 ? 0.1 : -0.1)));
    const terminated = this.t >= 5;
    this.ended = terminated;
    if (this.breakage === 'old-gym-tuple')
      return [this.obs(this.x), 1, terminated, false, {}] as unknown as StepResult<Float32Array>;
    return {
      observation: this.obs(this.x),
      reward: this.breakage === 'nan-reward' ? Number.NaN : 1,
      terminated: (this.breakage === 'numeric-flags' ? (terminated ? 1 : 0) : terminated) as boolean,
      truncated: false,
      info: {},
    };
  }
  render(): RenderFrame {
    return null;
  }
  close(): void {}
}

/** Continuous actions: the observation is the running sum of the actions; episodes last `length` steps (truncated). */
export class SumEnv extends Env<Float32Array, Float32Array> {
  readonly observationSpace = new Box<Float32Array>(-100, 100, [2], 'float32');
  readonly actionSpace = new Box<Float32Array>(-1, 1, [2], 'float32');
  readonly total = new Float64Array(2);
  lastAction: number[] = [];
  private t = 0;
  constructor(readonly length = 5) {
    super();
  }
  protected resetEpisode(): ResetResult<Float32Array> {
    this.total.fill(0);
    this.t = 0;
    return { observation: new Float32Array(2), info: {} };
  }
  protected stepEpisode(action: Float32Array): StepResult<Float32Array> {
    this.lastAction = Array.from(action);
    this.total[0] = this.total[0]! + action[0]!;
    this.total[1] = this.total[1]! + action[1]!;
    this.t++;
    return {
      observation: Float32Array.from(this.total),
      reward: action[0]!,
      terminated: false,
      truncated: this.t >= this.length,
      info: {},
    };
  }
}
