// The model runner runs a baseline deciding every bar whatever decision interval the kwargs carry (a model's own
// training condition): the promotion gate, A/B, the main job and walk-forward pass a model's conditions to the
// baselines beside it, and the EMA-9 rule acting once a day would be a straw man.
import { describe, expect, it } from 'vitest';
import { policyRef, runOverRange } from '../../agents/common/model-runner.ts';

describe('runOverRange and a decision interval', () => {
  it('a baseline under kwargs with decisionInterval 24 runs exactly as without it', () => {
    const kw = { actionScheme: 'discrete-sized', levels: [0, 1], range: 'test' };
    const ref = policyRef('ema-trend-flip', 'test');
    const [plain] = runOverRange([ref], kw, 0);
    const [daily] = runOverRange([ref], { ...kw, decisionInterval: 24 }, 0);
    expect(plain!.metrics.totalTrades).toBeGreaterThan(10);
    expect(Array.from(daily!.equity)).toEqual(Array.from(plain!.equity));
    expect(daily!.metrics.totalTrades).toBe(plain!.metrics.totalTrades);
  });
});
