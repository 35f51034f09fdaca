// Maskable PPO (sb3-contrib's MaskablePPO): with useActionMasks the env's masks reach both the rollout sampler and the
// loss. Checked on the real trading vector env (a cooldown masks re-entries), against a hand computation of the masked
// categorical, and on the refusals.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '../../envs/index.ts';
import { makeVec } from '../../src/core/registry.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { selectBackend } from '../../agents/common/backend.ts';
import { ActorCritic } from '../../agents/common/actor-critic.ts';
import { categoricalLogProbEntropy, MASKED_LOGIT } from '../../agents/common/distributions.ts';
import type { AgentVectorEnv } from '../../agents/common/vec-env.ts';
import { trainPpo, PPO_DEFAULTS, type PpoConfig } from '../../agents/ppo/ppo.ts';
import { evaluate } from '../../agents/common/evaluate.ts';
import type { VectorActions } from '../../src/core/vector/vector-env.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const cfg: PpoConfig = {
  ...PPO_DEFAULTS,
  nEnvs: 4,
  nSteps: 64,
  batchSize: 64,
  nEpochs: 2,
  entCoef: 0.01,
  policy: { ...PPO_DEFAULTS.policy, pi: [16], vf: [16] },
};

/** Wraps the trading vector env: remembers the masks last read and counts stepped actions that they disallowed. */
function spyOnTrading(): {
  env: AgentVectorEnv;
  stats: { steps: number; masked: number; violations: number; maskReads: number };
} {
  const inner = makeVec('tg4/Trading-v0', {
    numEnvs: 4,
    autoresetMode: 'same-step',
    kwargs: { cooldownBars: 3 },
  }) as unknown as AgentVectorEnv;
  const trading = inner as unknown as { actionMasks(): Uint8Array };
  const stats = { steps: 0, masked: 0, violations: 0, maskReads: 0 };
  const k = 3;
  const env: AgentVectorEnv = {
    numEnvs: inner.numEnvs,
    obsDim: inner.obsDim,
    singleObservationSpace: inner.singleObservationSpace,
    singleActionSpace: inner.singleActionSpace,
    autoresetMode: inner.autoresetMode,
    reset: (a) => inner.reset(a),
    close: () => inner.close(),
    actionMasks: () => {
      stats.maskReads++;
      return trading.actionMasks();
    },
    step: (actions: VectorActions) => {
      // The masks for the current observations, read independently of the agent.
      const m = trading.actionMasks();
      const a = actions as Int32Array;
      for (let i = 0; i < inner.numEnvs; i++) {
        for (let j = 0; j < k; j++) if (m[i * k + j] === 0) stats.masked++;
        if (m[i * k + a[i]!] === 0) stats.violations++;
      }
      stats.steps++;
      return inner.step(actions);
    },
  };
  return { env, stats };
}

describe('maskable PPO', () => {
  it('never samples a masked action over rollouts on tg4/Trading-v0 with a cooldown', async () => {
    const on = spyOnTrading();
    await trainPpo(on.env, 4 * 64 * 3, 5, { ...cfg, useActionMasks: true });
    expect(on.stats.steps).toBe(64 * 3);
    expect(on.stats.maskReads).toBe(64 * 3);
    expect(on.stats.masked).toBeGreaterThan(50); // the cooldown really did mask actions
    expect(on.stats.violations).toBe(0);
    // Without the flag the same policy class picks masked actions: the check above can fail.
    const off = spyOnTrading();
    await trainPpo(off.env, 4 * 64 * 3, 5, cfg);
    expect(off.stats.maskReads).toBe(0);
    expect(off.stats.violations).toBeGreaterThan(0);
  }, 30_000);

  it('deterministic evaluation under masks never steps a masked action (and does without them)', async () => {
    const trained = await trainPpo(spyOnTrading().env, 4 * 64 * 2, 5, { ...cfg, useActionMasks: true });
    const agent = trained.agent;
    const masked = spyOnTrading();
    await evaluate(masked.env, (o, n, a, m) => agent.act(o, n, a, m ?? null), 4, 7, { useActionMasks: true });
    expect(masked.stats.masked).toBeGreaterThan(0);
    expect(masked.stats.maskReads).toBe(masked.stats.steps);
    expect(masked.stats.violations).toBe(0);
    const free = spyOnTrading();
    await evaluate(free.env, (o, n, a, m) => agent.act(o, n, a, m ?? null), 4, 7);
    expect(free.stats.maskReads).toBe(0);
  }, 60_000);

  it('the loss sees the same masked distribution as the rollout (first minibatch: ratio 1, approx KL 0)', async () => {
    const { env } = spyOnTrading();
    let kl = NaN,
      clipFraction = NaN;
    await trainPpo(
      env,
      4 * 64,
      5,
      { ...cfg, useActionMasks: true, nEpochs: 1, batchSize: 4 * 64 },
      {
        onIteration: (i) => {
          kl = i.losses['approxKl']!;
          clipFraction = i.losses['clipFraction']!;
        },
      },
    );
    expect(Math.abs(kl)).toBeLessThan(1e-6);
    expect(clipFraction).toBe(0);
  });

  it('masked log-prob and entropy equal a hand computation; masked logits get no gradient', () => {
    const logits = [
      [1, 2, 3],
      [0.5, -1, 2],
      [0.3, 0.1, -0.2],
    ];
    const masks = [
      [1, 0, 1],
      [0, 1, 1],
      [1, 1, 1],
    ];
    const actions = [2, 1, 0];
    const { logProb, entropy } = categoricalLogProbEntropy(
      tf.tensor2d(logits),
      tf.tensor1d(actions),
      3,
      tf.tensor2d(masks, [3, 3], 'int32'),
    );
    const lp = logProb.arraySync(),
      ent = entropy.arraySync();
    for (let r = 0; r < 3; r++) {
      const valid = logits[r]!.filter((_, j) => masks[r]![j] === 1);
      const lse = Math.log(valid.reduce((s, z) => s + Math.exp(z), 0));
      expect(lp[r]).toBeCloseTo(logits[r]![actions[r]!]! - lse, 5);
      expect(ent[r]).toBeCloseTo(-valid.reduce((s, z) => s + Math.exp(z - lse) * (z - lse), 0), 5);
    }
    const g = tf
      .grad((x: tf.Tensor) =>
        tf.sum(
          categoricalLogProbEntropy(x as tf.Tensor2D, tf.tensor1d(actions), 3, tf.tensor2d(masks, [3, 3], 'int32'))
            .entropy,
        ),
      )(tf.tensor2d(logits))
      .arraySync() as number[][];
    expect(g[0]![1]).toBe(0);
    expect(g[1]![0]).toBe(0);
    expect(Number.isFinite(g[2]![2]!)).toBe(true);
  });

  it('the typed-array acting path samples only allowed actions and reports the masked log-prob', () => {
    const policy = new ActorCritic(
      4,
      { kind: 'discrete', n: 3, start: 0 },
      { ...PPO_DEFAULTS.policy, pi: [8], vf: [8] },
      new Rng(3),
      2,
    );
    const obs = Float32Array.from([0.1, -0.2, 0.3, 0.4, 1, 0.5, -0.5, 0]);
    const masks = Uint8Array.from([0, 1, 1, 1, 0, 0]);
    const raw = policy.policyOutputs(obs, 2);
    const rng = new Rng(1);
    const actions = new Float32Array(2),
      logProbs = new Float32Array(2);
    for (let t = 0; t < 200; t++) {
      policy.act(obs, 2, false, rng, actions, logProbs, null, masks);
      expect(masks[actions[0]!]).toBe(1);
      expect(actions[1]).toBe(0); // the only allowed action of row 1
      expect(logProbs[1]).toBeCloseTo(0, 6);
      const lse = Math.log(Math.exp(raw[1]!) + Math.exp(raw[2]!));
      expect(logProbs[0]).toBeCloseTo(raw[actions[0]!]! - lse, 5);
    }
    expect(MASKED_LOGIT).toBe(-1e8);
  });

  it('refuses useActionMasks without masks or without a Discrete action space', async () => {
    const cart = makeVec('CartPole-v1', { numEnvs: 4, autoresetMode: 'same-step' }) as unknown as AgentVectorEnv;
    await expect(trainPpo(cart, 256, 0, { ...cfg, useActionMasks: true })).rejects.toThrow(/no actionMasks\(\)/);
    await expect(trainPpo(cart, 256, 0, { ...cfg, useActionMasks: true })).rejects.toBeInstanceOf(InvalidArgumentError);
    const cont = makeVec('tg4/Trading-v0', {
      numEnvs: 4,
      autoresetMode: 'same-step',
      kwargs: { actionScheme: 'continuous' },
    }) as unknown as AgentVectorEnv;
    await expect(trainPpo(cont, 256, 0, { ...cfg, useActionMasks: true })).rejects.toThrow(
      /needs a Discrete action space/,
    );
  });
});
