// CartPole-v1 against a reference written here from Gymnasium's published equations (cartpole.py), in float64,
// compared the way Gymnasium returns it (float32 observations); plus seeding, limits and bad input.
import { describe, expect, it } from 'vitest';
import '../../../envs/index.ts';
import { CartPoleEnv } from '../../../envs/classic/index.ts';
import { Rng, make, getSpec, Tg4Error, TimeLimit } from '../../../src/core/index.ts';
import type { EnvLike } from '../../../src/core/index.ts';

/** Gymnasium's CartPoleEnv.step, transcribed independently: returns the next float64 state and `terminated`. */
function referenceStep(s: readonly number[], action: number): { next: number[]; terminated: boolean } {
  const gravity = 9.8,
    masscart = 1.0,
    masspole = 0.1,
    length = 0.5,
    forceMag = 10.0,
    tau = 0.02;
  const totalMass = masspole + masscart;
  const polemassLength = masspole * length;
  const thetaThreshold = (12 * 2 * Math.PI) / 360;
  const xThreshold = 2.4;
  let [x, xDot, theta, thetaDot] = s as [number, number, number, number];
  const force = action === 1 ? forceMag : -forceMag;
  const costheta = Math.cos(theta);
  const sintheta = Math.sin(theta);
  // np.square(v) is v * v; the grouping below is Python's left-to-right evaluation of the same expressions.
  const temp = (force + polemassLength * (thetaDot * thetaDot) * sintheta) / totalMass;
  const thetaacc =
    (gravity * sintheta - costheta * temp) / (length * (4.0 / 3.0 - (masspole * (costheta * costheta)) / totalMass));
  const xacc = temp - (polemassLength * thetaacc * costheta) / totalMass;
  x = x + tau * xDot;
  xDot = xDot + tau * xacc;
  theta = theta + tau * thetaDot;
  thetaDot = thetaDot + tau * thetaacc;
  const terminated = x < -xThreshold || x > xThreshold || theta < -thetaThreshold || theta > thetaThreshold;
  return { next: [x, xDot, theta, thetaDot], terminated };
}

const asF32 = (s: readonly number[]): number[] => s.map((v) => Math.fround(v));
const inner = (env: EnvLike): CartPoleEnv => env.unwrapped as CartPoleEnv;

describe('CartPole-v1 physics', () => {
  it('matches the reference equations step by step over 30 seeded random episodes (float64 state, float32 obs)', () => {
    const env = make<Float32Array, number>('CartPole-v1');
    const actions = new Rng(2024);
    let totalSteps = 0;
    for (let ep = 0; ep < 30; ep++) {
      const { observation } = env.reset({ seed: 1000 + ep });
      let ref = Array.from(inner(env).state);
      for (const v of ref) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
      expect(observation).toBeInstanceOf(Float32Array);
      expect(Array.from(observation)).toEqual(asF32(ref));
      for (let t = 0; t < 500; t++) {
        const a = actions.integer(2);
        const r = env.step(a);
        const expected = referenceStep(ref, a);
        ref = expected.next;
        expect(Array.from(inner(env).state)).toEqual(ref);
        expect(Array.from(r.observation)).toEqual(asF32(ref));
        expect(r.reward).toBe(1);
        expect(r.terminated).toBe(expected.terminated);
        totalSteps++;
        if (r.terminated || r.truncated) break;
      }
    }
    expect(totalSteps).toBeGreaterThan(300);
  });

  it('terminates on the angle threshold and on the track edge, rewarding the failing step too', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 1 });
    env.state.set([2.39, 1.0, 0, 0]);
    const r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(1);
    expect(r.observation[0]).toBeGreaterThan(2.4);
    expect(env.observationSpace.contains(r.observation)).toBe(true);
    env.reset({ seed: 1 });
    env.state.set([0, 0, 0.2094, 0.5]);
    const r2 = env.step(0);
    expect(r2.terminated).toBe(true);
    expect(r2.observation[2]).toBeGreaterThan((12 * 2 * Math.PI) / 360);
    // Just inside both thresholds: not terminated.
    env.reset({ seed: 1 });
    env.state.set([2.39, 0, 0.2, 0]);
    expect(env.step(0).terminated).toBe(false);
  });

  it("has Gymnasium's spaces, reward threshold and 500-step limit", () => {
    const spec = getSpec('CartPole-v1');
    expect(spec.maxEpisodeSteps).toBe(500);
    expect(spec.rewardThreshold).toBe(475);
    const env = make<Float32Array, number>('CartPole-v1');
    expect(String(env.actionSpace)).toBe('Discrete(2)');
    expect(env.observationSpace.toJSON()).toEqual({
      type: 'Box',
      shape: [4],
      dtype: 'float32',
      low: [-4.8, -3.4028234663852886e38, -Math.fround((24 * Math.PI) / 180), -3.4028234663852886e38].map(Math.fround),
      high: [4.8, 3.4028234663852886e38, Math.fround((24 * Math.PI) / 180), 3.4028234663852886e38].map(Math.fround),
    });
    // A balancing controller survives: truncated (not terminated) exactly at step 500, return 500.
    let obs = env.reset({ seed: 3 }).observation;
    let ret = 0;
    for (let t = 1; ; t++) {
      const r = env.step(obs[2]! + 0.5 * obs[3]! > 0 ? 1 : 0);
      ret += r.reward;
      obs = r.observation;
      if (r.terminated || r.truncated) {
        expect(t).toBe(500);
        expect(r.truncated).toBe(true);
        expect(r.terminated).toBe(false);
        break;
      }
    }
    expect(ret).toBe(500);
    expect(() => env.step(0)).toThrow(expect.objectContaining({ code: 'RESET_NEEDED' }));
  });

  it('supports Gymnasium 1.x reset bounds and the Sutton-Barto reward option', () => {
    const env = new CartPoleEnv({ suttonBartoReward: true });
    const { observation } = env.reset({ seed: 9, options: { low: 0.1, high: 0.2 } });
    for (const v of observation) expect(v >= Math.fround(0.1) && v <= Math.fround(0.2)).toBe(true);
    env.state.set([0, 0, 0, 0]);
    expect(env.step(1).reward).toBe(0);
    env.state.set([2.39, 1, 0, 0]);
    expect(env.step(1).reward).toBe(-1);
    expect(() => env.reset({ options: { low: 1, high: 0 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => env.reset({ options: { low: 'x' } })).toThrow(/finite numbers/);
  });
});

describe('CartPole-v1 seeding', () => {
  const episode = (env: EnvLike<Float32Array, number>, seed: number | undefined, actionSeed: number): number[] => {
    const out: number[] = [];
    const rng = new Rng(actionSeed);
    out.push(...env.reset(seed === undefined ? {} : { seed }).observation);
    for (;;) {
      const r = env.step(rng.integer(2));
      out.push(...r.observation, r.reward);
      if (r.terminated || r.truncated) return out;
    }
  };

  it('same seed → identical episodes, also across env instances; different seeds → different', () => {
    const a = make<Float32Array, number>('CartPole-v1');
    const b = make<Float32Array, number>('CartPole-v1');
    expect(episode(a, 7, 1)).toEqual(episode(b, 7, 1));
    expect(episode(a, 7, 1)).toEqual(episode(a, 7, 1));
    expect(episode(a, 7, 1)).not.toEqual(episode(a, 8, 1));
  });

  it('reset() without a seed continues the seeded stream reproducibly', () => {
    const a = make<Float32Array, number>('CartPole-v1');
    const b = make<Float32Array, number>('CartPole-v1');
    const first = episode(a, 11, 1);
    const second = episode(a, undefined, 2);
    expect(second.slice(0, 4)).not.toEqual(first.slice(0, 4));
    episode(b, 11, 1);
    expect(episode(b, undefined, 2)).toEqual(second);
  });

  it('an unseeded env draws its stream from OS entropy (two fresh envs differ)', () => {
    const a = new CartPoleEnv().reset().observation;
    const b = new CartPoleEnv().reset().observation;
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });
});

describe('CartPole-v1 bad input', () => {
  it('make with an unknown id lists the registered ids', () => {
    let err: unknown;
    try {
      make('NoSuchEnv-v0');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Tg4Error);
    expect((err as Tg4Error).code).toBe('UNKNOWN_ENV');
    expect((err as Error).message).toContain('NoSuchEnv-v0');
    expect((err as Error).message).toContain('CartPole-v1');
    expect(() => make('CartPole-v9')).toThrow(/Did you mean CartPole-v1/);
  });

  it('a wrong action is INVALID_ACTION naming the space; nothing moves', () => {
    const env = make<Float32Array, number>('CartPole-v1');
    env.reset({ seed: 0 });
    const before = Array.from(inner(env).state);
    for (const bad of [2, -1, 0.5, Number.NaN, '1', null, undefined, [1], new Int32Array([1]), true]) {
      let err: unknown;
      try {
        env.step(bad as unknown as number);
      } catch (e) {
        err = e;
      }
      expect((err as Tg4Error).code).toBe('INVALID_ACTION');
      expect((err as Error).message).toContain('Discrete(2)');
    }
    expect(Array.from(inner(env).state)).toEqual(before);
  });

  it('step before reset, after the end, and after close are typed errors', () => {
    const env = make<Float32Array, number>('CartPole-v1');
    expect(() => env.step(0)).toThrow(
      expect.objectContaining({ code: 'RESET_NEEDED', message: expect.stringContaining('before reset') }),
    );
    env.reset({ seed: 0 });
    let r: ReturnType<typeof env.step>;
    do r = env.step(1);
    while (!r.terminated);
    expect(() => env.step(1)).toThrow(
      expect.objectContaining({ code: 'RESET_NEEDED', message: expect.stringContaining('call reset()') }),
    );
    env.reset();
    expect(() => env.step(1)).not.toThrow();
    env.close();
    expect(() => env.step(1)).toThrow(expect.objectContaining({ code: 'CLOSED_ENV' }));
    expect(() => env.reset()).toThrow(expect.objectContaining({ code: 'CLOSED_ENV' }));
  });

  it('unknown options and bad seeds are INVALID_ARGUMENT', () => {
    expect(() => make('CartPole-v1', { gravity: 3 })).toThrow(/no option "gravity"/);
    expect(() => make('CartPole-v1', { renderMode: 'human' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    const env = make('CartPole-v1');
    for (const seed of [-1, 1.5, Number.NaN])
      expect(() => env.reset({ seed })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('CartPole-v1 rendering', () => {
  it('renders an ansi line with the cart position and state; null without a render mode', () => {
    const env = make<Float32Array, number>('CartPole-v1', { renderMode: 'ansi' });
    env.reset({ seed: 0 });
    const frame = env.render();
    expect(typeof frame).toBe('string');
    expect(frame).toMatch(/^\[-+C-+\] pole . {2}x=[+-]0\.\d{4}/);
    expect(make('CartPole-v1').render()).toBeNull();
    expect(env).toBeInstanceOf(TimeLimit);
  });
});
