// PPO must learn: from a fixed seed, on the default backend, periodic deterministic evaluations of a short CartPole
// run reach a mean return of 195 (a random policy gets about 22). Fails if the loss, GAE, sampling or updates break.
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { runTraining } from '../../agents/common/train-run.ts';

describe('PPO on CartPole-v1 (rl-zoo preset, wasm)', () => {
  it('reaches a deterministic mean return of 195 within 20k steps', async () => {
    const r = await runTraining({ envId: 'CartPole-v1', agent: 'ppo', seed: 1, steps: 20_480, evalFreq: 2560, evalEpisodes: 10, stopAtReturn: 195, dryRun: true });
    expect(r.backend.active).toBe('wasm');
    expect(r.solvedAt, `evaluations: ${JSON.stringify(r.evals.map((e) => [e.steps, e.mean]))}`).not.toBeNull();
    expect(r.solvedAt!.mean).toBeGreaterThanOrEqual(195);
    // Stopped as soon as it got there, so the final evaluation is of the same policy.
    expect(r.train.stoppedEarly).toBe(true);
    expect(r.finalEval.mean).toBeGreaterThan(100);
  }, 120_000);
});
