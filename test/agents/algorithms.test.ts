// Behaviours of the training loops that a short run can show: PPO's target-KL stop cuts the epochs, seeds reproduce a
// run bit for bit, and DQN (plain and double) trains, keeps its replay/target bookkeeping and saves a loadable model.
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { makeVec } from '../../src/core/registry.ts';
import { selectBackend } from '../../agents/common/backend.ts';
import { trainPpo } from '../../agents/ppo/ppo.ts';
import { PPO_SPEC } from '../../agents/ppo/spec.ts';
import { trainDqn } from '../../agents/dqn/dqn.ts';
import { DQN_SPEC } from '../../agents/dqn/spec.ts';
import { resolvePreset } from '../../agents/common/algorithm.ts';

const ppoCfg = resolvePreset(PPO_SPEC, 'CartPole-v1').config;
const env8 = () => makeVec('CartPole-v1', { numEnvs: 8, autoresetMode: 'same-step' });

describe('PPO loop', () => {
  it('a tiny target KL stops the epochs early (fewer updates than nEpochs × minibatches)', async () => {
    await selectBackend('wasm');
    const full = await trainPpo(env8(), 1024, 3, ppoCfg);
    expect(full.updates).toBe(4 * 20);
    // Once the policy moves (after the first, near-uniform rollout), each rollout stops after its first update.
    const kl = await trainPpo(env8(), 1024, 3, { ...ppoCfg, targetKl: 1e-6 });
    expect(kl.updates).toBeLessThan(full.updates / 2);
  }, 60_000);

  it('the same seed gives the same weights bit for bit', async () => {
    const a = await trainPpo(env8(), 512, 9, ppoCfg);
    const b = await trainPpo(env8(), 512, 9, ppoCfg);
    const wa = a.agent.policy.namedWeights(),
      wb = b.agent.policy.namedWeights();
    for (let k = 0; k < wa.length; k++) expect(Array.from(wb[k]!.data)).toEqual(Array.from(wa[k]!.data));
  }, 60_000);
});

describe('DQN loop', () => {
  for (const doubleDqn of [false, true]) {
    it(`${doubleDqn ? 'double' : 'plain'} DQN trains: learning starts, ε decays, gradient steps per round`, async () => {
      const env = makeVec('CartPole-v1', { numEnvs: 1, autoresetMode: 'same-step' });
      const cfg = {
        ...resolvePreset(DQN_SPEC, 'CartPole-v1').config,
        hidden: [32, 32],
        learningStarts: 200,
        trainFreq: 100,
        gradientSteps: 4,
        explorationFraction: 0.6,
        doubleDqn,
      };
      const eps: number[] = [];
      const r = await trainDqn(env, 1000, 1, cfg, {
        onIteration: (i) => {
          eps.push(i.losses['epsilon']!);
          expect(Number.isFinite(i.losses['td'])).toBe(true);
        },
      });
      // Rounds at steps 300, 400, …, 1000 (training starts after 200 random steps): 8 rounds × 4 steps.
      expect(r.updates).toBe(8 * 4);
      expect(eps[0]).toBeGreaterThan(eps[eps.length - 1]!);
      expect(eps[eps.length - 1]).toBeCloseTo(cfg.explorationFinalEps, 9);
      const acts = new Float32Array(3);
      r.agent.act(Float32Array.of(0, 0, 0.1, 0, 0, 0, -0.1, 0, 0.01, 0, 0, 0), 3, acts);
      for (const a of acts) expect([0, 1]).toContain(a);
      r.agent.dispose();
    }, 60_000);
  }
});
