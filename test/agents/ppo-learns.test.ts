// PPO must learn: from a fixed seed, on the default backend, the mean return of the last 100 *training* episodes on
// CartPole-v1 climbs from ~22 (the near-uniform initial policy) to ≥ 90 within 15k steps. Measured on training
// episodes because a deterministic evaluation cannot tell: the argmax of an untrained random network can balance the
// pole by luck (seed 1's initial network scores 426 deterministically with learning switched off, while its sampled
// episodes average ~22). This fails if the loss, GAE, sampling or the updates break (checked with lr = 0 and γ = 0).
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { runTraining } from '../../agents/common/train-run.ts';

describe('PPO on CartPole-v1 (rl-zoo preset, wasm)', () => {
  it('raises the training return from ~22 to ≥ 90 within 15k steps', async () => {
    const curve: [number, number][] = [];
    const r = await runTraining({
      envId: 'CartPole-v1',
      agent: 'ppo',
      seed: 1,
      steps: 15_360,
      evalFreq: 0,
      evalEpisodes: 5,
      dryRun: true,
      onProgress: (info) => curve.push([info.steps, Math.round(info.meanReturn)]),
    });
    expect(r.backend.active).toBe('wasm');
    const first = curve.find(([, m]) => !Number.isNaN(m))!;
    const last = curve[curve.length - 1]!;
    expect(first[1], JSON.stringify(curve)).toBeLessThan(40);
    expect(last[1], JSON.stringify(curve)).toBeGreaterThanOrEqual(90);
    expect(r.train.updates).toBe(60 * 20);
  }, 120_000);
});
