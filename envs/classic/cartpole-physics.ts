// CartPole-v1 constants and its Euler step, exactly Gymnasium's (gymnasium/envs/classic_control/cartpole.py), shared
// by the single env and the batched vector env. State is float64 as in Gymnasium; observations are float32.
export const GRAVITY = 9.8;
export const MASS_CART = 1.0;
export const MASS_POLE = 0.1;
export const TOTAL_MASS = MASS_POLE + MASS_CART;
/** Half the pole's length. */
export const LENGTH = 0.5;
export const POLE_MASS_LENGTH = MASS_POLE * LENGTH;
export const FORCE_MAG = 10.0;
/** Seconds between state updates (explicit Euler integration). */
export const TAU = 0.02;
export const THETA_THRESHOLD_RADIANS = (12 * 2 * Math.PI) / 360;
export const X_THRESHOLD = 2.4;
export const RESET_LOW = -0.05;
export const RESET_HIGH = 0.05;
export const MAX_EPISODE_STEPS = 500;
export const REWARD_THRESHOLD = 475;
/** np.finfo(np.float32).max: the velocity bounds of the observation space. */
export const FLOAT32_MAX = 3.4028234663852886e38;
/** Observation bounds: twice the failure thresholds, so that the failing observation is still in the space. */
export const OBS_HIGH = [X_THRESHOLD * 2, FLOAT32_MAX, THETA_THRESHOLD_RADIANS * 2, FLOAT32_MAX] as const;

/** Reset bounds from options.low / options.high (Gymnasium's maybe_parse_reset_bounds), defaulting to ±0.05. */
export function parseResetBounds(options: Record<string, unknown>, fail: (msg: string) => Error): [number, number] {
  const low = options['low'] ?? RESET_LOW;
  const high = options['high'] ?? RESET_HIGH;
  if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high)) {
    throw fail(`reset options low/high must be finite numbers (got low=${String(low)}, high=${String(high)})`);
  }
  if (low > high) throw fail(`reset option low (${low}) must be <= high (${high})`);
  return [low, high];
}

/**
 * One explicit-Euler step of the cart whose state (x, x_dot, theta, theta_dot) is s[o … o+3], pushed right when
 * `right`; writes the new state to obs[o … o+3] too (float32) and returns whether the pole fell or the cart left the
 * track. Grouping follows Gymnasium's expression order so
 * that float64 results agree bit for bit.
 */
export function eulerStep(s: Float64Array, o: number, right: boolean, obs: Float32Array): boolean {
  const x = s[o]!;
  const xDot = s[o + 1]!;
  const theta = s[o + 2]!;
  const thetaDot = s[o + 3]!;
  const force = right ? FORCE_MAG : -FORCE_MAG;
  const cosTheta = Math.cos(theta);
  const sinTheta = Math.sin(theta);
  const temp = (force + POLE_MASS_LENGTH * (thetaDot * thetaDot) * sinTheta) / TOTAL_MASS;
  const thetaAcc =
    (GRAVITY * sinTheta - cosTheta * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * (cosTheta * cosTheta)) / TOTAL_MASS));
  const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cosTheta) / TOTAL_MASS;
  const nx = x + TAU * xDot;
  const nTheta = theta + TAU * thetaDot;
  const nv = xDot + TAU * xAcc;
  const nw = thetaDot + TAU * thetaAcc;
  s[o] = nx;
  s[o + 1] = nv;
  s[o + 2] = nTheta;
  s[o + 3] = nw;
  obs[o] = nx;
  obs[o + 1] = nv;
  obs[o + 2] = nTheta;
  obs[o + 3] = nw;
  return nx < -X_THRESHOLD || nx > X_THRESHOLD || nTheta < -THETA_THRESHOLD_RADIANS || nTheta > THETA_THRESHOLD_RADIANS;
}
