// tg4gym.rllib against the real Ray RLlib (torch from Debian) in the test venv: test/python/test_rllib.py (a tiny PPO
// whose env runners spread their envs over two `tg4 serve` processes). Its own file so that vitest runs it beside the
// other real-library tests.
import { describe, expect, it } from 'vitest';
import { expectVenv, runUnittest } from './venv.ts';

describe('tg4gym with Ray RLlib', () => {
  it('trains a tiny PPO whose env runners spread their envs over two tg4 servers', () => {
    expectVenv();
    const r = runUnittest(['test_rllib'], 300_000);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/\nOK/);
    expect(r.out).toContain('test_tiny_ppo_over_two_servers (');
  }, 320_000);
});
