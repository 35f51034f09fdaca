// CartPole-v1 against trajectories recorded from the real Gymnasium package (fixtures/gymnasium_cartpole.py): the same
// start state and actions must give the same float64 states, float32 observations, rewards and terminations.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CartPoleEnv } from '../../../envs/classic/index.ts';

interface Fixture {
  gymnasium: string;
  cases: {
    name: string;
    start: number[];
    steps: { action: number; state: number[]; obs: number[]; reward: number; terminated: boolean }[];
  }[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/gymnasium-cartpole.json', import.meta.url), 'utf8'),
) as Fixture;

describe(`CartPole-v1 vs Gymnasium ${fixture.gymnasium}`, () => {
  for (const c of fixture.cases) {
    it(`${c.name} (${c.steps.length} steps)`, () => {
      const env = new CartPoleEnv();
      env.reset({ seed: 0 });
      env.state.set(c.start);
      for (const [t, s] of c.steps.entries()) {
        const r = env.step(s.action);
        // Bit for bit: V8's sin/cos (fdlibm) agreed with CPython's libm on every value of these trajectories.
        expect(Array.from(env.state), `step ${t} state`).toEqual(s.state);
        expect(Array.from(r.observation), `step ${t}`).toEqual(s.obs);
        expect(r.reward).toBe(s.reward);
        expect(r.terminated).toBe(s.terminated);
      }
    });
  }
});
