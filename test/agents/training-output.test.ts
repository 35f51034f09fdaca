// Training output in a trader's terms: the validation evaluation of a trading run is one deterministic pass (not the
// same pass repeated), reported as return %, equity, trades, fees and a ruin flag; the out-of-sample comparison ends
// with a plain PASSED/FAILED against the bot's EMA-9 rule; the learning curve says what it plots.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { makeVec } from '../../src/core/registry.ts';
import { evaluate } from '../../agents/common/evaluate.ts';
import { describeTradingEval, tradingEvalFigures } from '../../agents/common/eval-figures.ts';
import { oosVerdict, trainTradingAndCompare } from '../../agents/common/trading-run.ts';
import type { NamedRun } from '../../agents/common/model-runner.ts';
import type { AgentVectorEnv } from '../../agents/common/vec-env.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg4-train-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('training output in a trader’s terms', () => {
  it('a ruinous evaluation is flagged, with its return, equity, trades and fees from the env’s metrics', async () => {
    const env = makeVec('tg4/Trading-v0', {
      numEnvs: 1,
      autoresetMode: 'same-step',
      kwargs: { range: 'validation', start: 'first', episodeLength: null, executor: { feeRate: 0.05 } },
    }) as unknown as AgentVectorEnv;
    let k = 0;
    // Flips short/long every bar at a 5% fee: the ruin stop (equity ≤ half the capital) ends it within a few bars.
    const r = await evaluate(
      env,
      (_o, _n, a) => {
        a[0] = k++ % 2 === 0 ? 0 : 2;
      },
      1,
      0,
    );
    await env.close();
    const f = tradingEvalFigures(r)!;
    expect(f.ruined).toBe(true);
    expect(f.returnPct).toBeLessThanOrEqual(-0.5);
    expect(f.equity).toBeCloseTo(10_000 * (1 + f.returnPct), 6);
    expect(f.trades).toBeGreaterThan(0);
    expect(f.fees).toBeGreaterThan(1000);
    expect(describeTradingEval('validation', f)).toMatch(/^validation -\d+\.\d\d% RUINED/);
  });

  it('CartPole has no trading figures', async () => {
    const env = makeVec('CartPole-v1', { numEnvs: 1, autoresetMode: 'same-step' }) as unknown as AgentVectorEnv;
    const r = await evaluate(
      env,
      (_o, _n, a) => {
        a[0] = 0;
      },
      2,
      0,
    );
    expect(tradingEvalFigures(r)).toBeNull();
  });

  it('the verdict does not pass a policy that beats the EMA-9 rule on Sharpe but loses more money than it', () => {
    // Test-split figures of the kind that printed PASSED before: a better Sharpe (a steadier loss) and a worse return.
    const run = (name: string, sharpe: number | null, totalReturnPct: number) =>
      ({ name, metrics: { sharpe, totalReturnPct, totalTrades: 10, feesPaid: 5 } }) as unknown as NamedRun;
    const bh = run('buy-and-hold', 0.4, 0.12);
    const lossier = oosVerdict([run('ppo', -0.2, -0.3), bh, run('ema-trend-flip', -0.9, -0.1)]);
    expect(lossier.passed).toBe(false);
    expect(lossier.line).toMatch(/^FAILED: .*Sharpe was higher but it made less money \(a pass needs both\)/);
    const lowerSharpe = oosVerdict([run('ppo', -1.0, 0.05), bh, run('ema-trend-flip', -0.9, -0.1)]);
    expect(lowerSharpe.passed).toBe(false);
    expect(lowerSharpe.line).toMatch(/^FAILED: .*made more money but with a lower Sharpe/);
    const both = oosVerdict([run('ppo', -0.2, 0.05), bh, run('ema-trend-flip', -0.9, -0.1)]);
    expect(both.passed).toBe(true);
    expect(both.line).toMatch(/^PASSED: .*beat the bot's EMA-9 rule on both Sharpe and net return/);
    // A flat policy (Sharpe null) counts as 0 on Sharpe; an equal return is not a better one.
    expect(oosVerdict([run('ppo', null, 0), bh, run('ema-trend-flip', -0.9, 0)]).passed).toBe(false);
    expect(oosVerdict([run('ppo', 0.1, 0.01)]).passed).toBeNull();
  });

  it('tg4 train on Trading-v0: one validation pass per evaluation, trader’s figures, a verdict against the EMA-9 rule', async () => {
    const r = await trainTradingAndCompare({
      envId: 'tg4/Trading-v0',
      agent: 'ppo',
      seed: 1,
      steps: 512,
      evalFreq: 256,
      evalEpisodes: 10, // what the CLI passes by default: a fixed validation range still runs once
      out: join(dir, 'model'),
      overrides: { nEnvs: 2, nSteps: 128, batchSize: 64, nEpochs: 1 },
    });
    expect(r.training.finalEval.returns).toHaveLength(1);
    expect(r.training.evals.length).toBeGreaterThanOrEqual(1);
    for (const ev of r.training.evals) {
      expect(ev.std).toBe(0);
      expect(ev.trading).not.toBeNull();
      expect(ev.trading!.episodes).toBe(1);
    }
    const val = tradingEvalFigures(r.training.finalEval)!;
    expect(val.equity).toBeCloseTo(10_000 * (1 + val.returnPct), 6);
    expect(r.report).toContain(describeTradingEval('validation (one deterministic pass):', val));
    // The verdict: the policy's test-split Sharpe and net return against the EMA-9 rule's, stated plainly.
    const [model, , rule] = r.runs;
    expect(rule!.name).toBe('ema-trend-flip');
    const passed =
      (model!.metrics.sharpe ?? 0) > (rule!.metrics.sharpe ?? 0) &&
      model!.metrics.totalReturnPct > rule!.metrics.totalReturnPct;
    expect(r.passed).toBe(passed);
    expect(r.report).toMatch(
      passed
        ? /\nPASSED: out of sample the trained policy beat/
        : /\nFAILED: out of sample the trained policy did not beat/,
    );
    const manifest = JSON.parse(readFileSync(join(r.training.dir!, 'manifest.json'), 'utf8'));
    expect(manifest.metrics.finalEval.trading.returnPct).toBe(val.returnPct);
    const svg = readFileSync(join(r.training.dir!, 'learning-curve.svg'), 'utf8');
    expect(svg).toContain('sum of rewards of one deterministic pass over the evaluation range');
  }, 240_000);
});
