// tg4gym against the real Gymnasium, Stable-Baselines3 and sb3-contrib (torch from Debian) in the test venv:
// test/python/test_real_libraries.py, and test_protocol.py's adapter tests that Debian's python3 skips.
import { describe, expect, it } from 'vitest';
import { expectVenv, runUnittest } from './venv.ts';

describe('tg4gym with the real Gymnasium, SB3 and sb3-contrib', () => {
  it('passes the checkers, learns with PPO, masks with MaskablePPO, wraps with VecMonitor/VecNormalize', () => {
    expectVenv();
    // test_protocol's adapter tests, skipped under Debian's python3 (no Gymnasium there), run here.
    const r = runUnittest(['test_real_libraries', 'test_protocol'], 420_000);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/\nOK/);
    // Exit 0 and OK mean every test that ran passed; these say the ones that matter ran, and nothing was skipped.
    for (const name of [
      'test_ppo_over_the_wire_learns_cartpole',
      'test_checkers_refuse_a_broken_env',
      'test_maskable_ppo_reads_action_masks',
    ])
      expect(r.out).toContain(`${name} (`);
    expect(r.out).not.toMatch(/skipped/);
  }, 440_000);
});
