// CartPole-v1 with Gymnasium's exact dynamics: explicit Euler, force ±10 N, tau 0.02 s, failure at |x| > 2.4 or
// |theta| > 12°, reward 1 for every step including the failing one. The 500-step limit is the registry's TimeLimit.
import { Env } from '../../src/core/env.ts';
import type { RenderFrame } from '../../src/core/env.ts';
import type { RenderMode, ResetResult, StepResult } from '../../src/core/types.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { Box } from '../../src/core/spaces/box.ts';
import { Discrete } from '../../src/core/spaces/discrete.ts';
import { OBS_HIGH, X_THRESHOLD, eulerStep, parseResetBounds } from './cartpole-physics.ts';

export interface CartPoleOptions {
  renderMode?: RenderMode;
  /** Gymnasium 1.x's sutton_barto_reward: 0 per surviving step, -1 on the failing step (default false: 1 per step). */
  suttonBartoReward?: boolean;
}

export const CARTPOLE_OPTION_NAMES: readonly string[] = ['renderMode', 'suttonBartoReward'];

const RENDER_MODES: readonly RenderMode[] = ['ansi'];

export function cartPoleObservationSpace(): Box<Float32Array> {
  return new Box<Float32Array>(
    OBS_HIGH.map((v) => -v),
    [...OBS_HIGH],
    [4],
    'float32',
  );
}

export class CartPoleEnv extends Env<Float32Array, number> {
  readonly observationSpace = cartPoleObservationSpace();
  /** 0 pushes the cart left, 1 pushes it right. */
  readonly actionSpace = new Discrete(2);
  override readonly metadata = { renderModes: RENDER_MODES, renderFps: 50 };
  /** [x, x_dot, theta, theta_dot] in float64, as Gymnasium keeps it. */
  readonly state = new Float64Array(4);
  readonly suttonBartoReward: boolean;

  constructor(options: CartPoleOptions = {}) {
    super();
    for (const k of Object.keys(options)) {
      if (!CARTPOLE_OPTION_NAMES.includes(k))
        throw new InvalidArgumentError(
          `CartPole-v1 has no option "${k}": accepted options are ${CARTPOLE_OPTION_NAMES.join(', ')}`,
        );
    }
    if (options.suttonBartoReward !== undefined && typeof options.suttonBartoReward !== 'boolean') {
      throw new InvalidArgumentError(
        `CartPole-v1 option suttonBartoReward must be true or false (got ${String(options.suttonBartoReward)})`,
      );
    }
    this.suttonBartoReward = options.suttonBartoReward ?? false;
    const mode = options.renderMode ?? null;
    if (mode !== null && !RENDER_MODES.includes(mode)) {
      throw new InvalidArgumentError(
        `CartPole-v1 renderMode must be one of ${RENDER_MODES.join(', ')} or null (got ${String(mode)})`,
      );
    }
    this.renderMode = mode;
  }

  protected resetEpisode(options: Record<string, unknown>): ResetResult<Float32Array> {
    const [low, high] = parseResetBounds(options, (m) => new InvalidArgumentError(m));
    const rng = this.npRandom;
    for (let i = 0; i < 4; i++) this.state[i] = rng.uniform(low, high);
    return { observation: Float32Array.from(this.state), info: {} };
  }

  protected stepEpisode(action: number): StepResult<Float32Array> {
    const observation = new Float32Array(4);
    const terminated = eulerStep(this.state, 0, action === 1, observation);
    const reward = this.suttonBartoReward ? (terminated ? -1.0 : 0.0) : 1.0;
    return { observation, reward, terminated, truncated: false, info: {} };
  }

  /** 'ansi': one text line with the state and a 41-column track showing the cart (C) and the pole's lean. */
  override render(): RenderFrame {
    if (this.renderMode !== 'ansi') return null;
    const [x, xDot, theta, thetaDot] = this.state;
    const cols = 41;
    const pos = Math.round(((x! + X_THRESHOLD) / (2 * X_THRESHOLD)) * (cols - 1));
    const track = Array.from({ length: cols }, (_, i) => (i === Math.min(Math.max(pos, 0), cols - 1) ? 'C' : '-')).join(
      '',
    );
    const lean = theta! > 0.02 ? '/' : theta! < -0.02 ? '\\' : '|';
    const f = (v: number): string => (v >= 0 ? '+' : '') + v.toFixed(4);
    return `[${track}] pole ${lean}  x=${f(x!)} x_dot=${f(xDot!)} theta=${f(theta!)} theta_dot=${f(thetaDot!)}`;
  }
}
