// Walk-forward evaluation end to end on the bundled BTC/USD 1h data (a small span, tiny trainings): the folds' windows
// follow each other in time, every figure is what the one model runner gives for that model or baseline on that
// fold's test window, the PSR is computed against buy-and-hold's Sharpe on the same bars, every run adds its seeds to
// the trials ledger the DSR counts, and the report files hold numbers.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { barReturns, walkForward, type WalkForwardReport } from '../../../agents/evaluation/walk-forward.ts';
import {
  walkForwardSummary,
  walkForwardTable,
  writeWalkForwardReport,
} from '../../../agents/evaluation/walk-forward-report.ts';
import { policyRef, runOverRange, trainingConditions } from '../../../agents/common/model-runner.ts';
import { probabilisticSharpeRatio, sharpeRatio } from '../../../src/stats/sharpe.ts';

const SPAN = '2019-03-01..2019-05-01';
/** The Trading-v0 PPO preset's action scheme (long/flat): the baselines run under it, as the model does. */
const PRESET_ACTIONS = { actionScheme: 'discrete-sized', levels: [0, 1] };

function s0Sharpe(r: WalkForwardReport): string {
  return r.folds[0]!.seeds[0]!.policy.sharpe.toFixed(2);
}

describe('walk-forward evaluation (tg4 evaluate --walk-forward)', () => {
  it('trains and tests K folds × seeds through the model runner, with PSR, DSR and a trial count', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tg4-wf-'));
    const ledger = join(out, 'trials.jsonl');
    const opts = {
      agent: 'ppo' as const,
      // Short episodes: the preset's 200 daily decisions (4,800 bars) do not fit these small train windows.
      envKwargs: { range: SPAN, episodeLength: 20 },
      folds: 2,
      seeds: [1],
      steps: 512,
      overrides: { nEnvs: 2, nSteps: 128, batchSize: 64, nEpochs: 2 },
      testBars: 120,
      trialsLedger: ledger,
    };
    const { report, curves } = await walkForward({ ...opts, out: join(out, 'a') });
    expect(report.folds).toHaveLength(2);
    const [f0, f1] = report.folds as [WalkForwardReport['folds'][0], WalkForwardReport['folds'][0]];
    for (const f of report.folds) {
      expect(f.test.bars).toBe(120);
      expect(f.validation.bars).toBe(120);
      expect(Date.parse(f.train.to)).toBeLessThan(Date.parse(f.validation.from));
      expect(Date.parse(f.validation.to)).toBeLessThan(Date.parse(f.test.from));
      expect(Date.parse(f.train.from)).toBeGreaterThanOrEqual(Date.parse('2019-03-01'));
      expect(Date.parse(f.test.to)).toBeLessThan(Date.parse('2019-05-01'));
    }
    // Rolling: fold 2 tests on the 120 bars right after fold 1's test window.
    expect(Date.parse(f1.test.from) - Date.parse(f0.test.to)).toBe(3_600_000);

    // Every figure is the model runner's on that test window.
    const testRange = `${f1.test.from}..${new Date(Date.parse(f1.test.to) + 3_600_000).toISOString()}`;
    // The baselines run under the model's action scheme (the preset's long/flat), not the env's default short/flat/long.
    const [ema, bh] = runOverRange(
      [policyRef('ema-trend-flip'), policyRef('buy-and-hold')],
      { ...PRESET_ACTIONS, range: testRange },
      0,
    );
    const [emaShort] = runOverRange([policyRef('ema-trend-flip')], { range: testRange }, 0);
    expect(emaShort!.metrics.sharpe).not.toBe(ema!.metrics.sharpe);
    expect(f1.baselines['ema-trend-flip']!.sharpe).toBe(ema!.metrics.sharpe ?? 0);
    expect(f1.baselines['ema-trend-flip']!.trades).toBe(ema!.metrics.totalTrades);
    expect(f1.baselines['buy-and-hold']!.totalReturn).toBe(bh!.metrics.totalReturnPct);
    const s = f1.seeds[0]!;
    const ref = policyRef(s.model);
    const [model] = runOverRange(
      [ref],
      { ...trainingConditions(ref as typeof ref & { kind: 'model' }), range: testRange },
      1,
    );
    expect(model!.metrics.startTime).toBe(new Date(Date.parse(f1.test.from)).toISOString());
    expect(model!.metrics.endTime).toBe(new Date(Date.parse(f1.test.to)).toISOString());
    // The preset decides once every 24 bars; the EMA-9 rule every bar: the same bars.
    expect(model!.metrics.bars).toBe(ema!.metrics.steps);
    expect(model!.equity).toHaveLength(ema!.equity.length);
    expect(s.policy.sharpe).toBe(model!.metrics.sharpe ?? 0);
    expect(s.policy.fees).toBe(model!.metrics.feesPaid);
    expect(s.policy.timeInMarket).toBe(model!.metrics.exposure);
    expect(s.psrVsBuyAndHold).toBeCloseTo(
      probabilisticSharpeRatio(barReturns(model!.equity), sharpeRatio(barReturns(bh!.equity))),
      12,
    );
    expect(s.beats['ema-trend-flip']).toBe(s.policy.sharpe > f1.baselines['ema-trend-flip']!.sharpe);

    // Overall: the test windows chained, one trial per seed in the ledger.
    expect(curves.time).toHaveLength(2 * model!.metrics.bars);
    expect(curves.policy[0]!.equity).toHaveLength(2 * model!.metrics.bars);
    expect(report.trials.count).toBe(1);
    // One trial: the DSR is the PSR against 0 of the chained test returns.
    const chained = curves.policy[0]!.equity;
    const rets = barReturns([1, ...chained]);
    expect(report.overall.seeds[0]!.dsr).toBeCloseTo(probabilisticSharpeRatio(rets, 0), 9);

    // A second configuration into the same ledger: the DSR now counts both trials (and deflates against their spread).
    const second = await walkForward({ ...opts, seeds: [2], out: join(out, 'b') });
    expect(second.report.trials.count).toBe(2);
    expect(second.report.trials.thresholdSharpe).toBeGreaterThanOrEqual(0);
    expect(readFileSync(ledger, 'utf8').trim().split('\n')).toHaveLength(2);

    writeWalkForwardReport(join(out, 'a'), report, curves);
    const json = JSON.parse(readFileSync(join(out, 'a', 'report.json'), 'utf8')) as WalkForwardReport;
    expect(typeof json.folds[0]!.seeds[0]!.policy.totalReturn).toBe('number');
    expect(typeof json.overall.seeds[0]!.dsr).toBe('number');
    expect(readFileSync(join(out, 'a', 'equity.svg'), 'utf8')).toContain('<svg');
    expect(existsSync(join(out, 'a', 'sharpe-by-fold.svg'))).toBe(true);
    const table = walkForwardTable(report);
    expect(table).toContain('ema-trend-flip');
    expect(table).toContain('Trials counted for the DSR: 1');
    const summary = walkForwardSummary(report).split('\n');
    expect(summary).toHaveLength(2 + 2 + 1); // header, rule, one row per fold, the chained row
    expect(summary[2]).toContain(`| ${s0Sharpe(report)} |`);
  }, 240_000);

  it('a policy with a decision interval is tested with it; the baselines beside it still decide every bar', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tg4-wf-k-'));
    const { report, curves } = await walkForward({
      agent: 'ppo',
      envKwargs: { range: SPAN, decisionInterval: 4, episodeLength: 50 },
      folds: 1,
      seeds: [1],
      steps: 512,
      overrides: { nEnvs: 2, nSteps: 128, batchSize: 64, nEpochs: 1 },
      testBars: 120,
      out: join(out, 'a'),
      trialsLedger: join(out, 'trials.jsonl'),
    });
    const f = report.folds[0]!;
    const testRange = `${f.test.from}..${new Date(Date.parse(f.test.to) + 3_600_000).toISOString()}`;
    // The bot's EMA-9 rule as the bot runs it: every bar, not every 4th (where it would miss most confirmed flips).
    const [ema, ema4] = [{}, { decisionInterval: 4 }].map(
      (k) => runOverRange([policyRef('ema-trend-flip')], { ...PRESET_ACTIONS, ...k, range: testRange }, 0)[0]!,
    );
    expect(ema!.metrics.steps).toBe(4 * ema4!.metrics.steps - 1); // 119 one-bar steps; 30 of 4 bars, the last cut short
    expect(f.baselines['ema-trend-flip']!.sharpe).toBe(ema!.metrics.sharpe ?? 0);
    expect(f.baselines['ema-trend-flip']!.trades).toBe(ema!.metrics.totalTrades);
    const ref = policyRef(f.seeds[0]!.model);
    const conditions = trainingConditions(ref as typeof ref & { kind: 'model' });
    expect(conditions['decisionInterval']).toBe(4);
    const [model] = runOverRange([ref], { ...conditions, range: testRange }, 1);
    expect(model!.metrics.steps).toBe(30);
    expect(f.seeds[0]!.policy.sharpe).toBe(model!.metrics.sharpe ?? 0);
    // The policy's curve has every bar, as the baselines' do: the PSR and the chained curves compare bar with bar.
    expect(model!.equity).toHaveLength(ema!.equity.length);
    expect(curves.policy[0]!.equity).toHaveLength(curves.time.length);
  }, 240_000);

  it('refuses what cannot run, before training anything, saying what to change', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tg4-wf-bad-'));
    const ledger = join(out, 'trials.jsonl');
    const base = { agent: 'ppo' as const, envKwargs: { range: SPAN }, out, steps: 512, trialsLedger: ledger };
    await expect(walkForward({ ...base, folds: 2, seeds: [] })).rejects.toThrow(/at least one seed/);
    await expect(walkForward({ ...base, folds: 20, seeds: [1], testBars: 120 })).rejects.toThrow(
      /do not fit in 1464 bars: use fewer folds or smaller windows/,
    );
    await expect(
      walkForward({ ...base, folds: 2, seeds: [1], testBars: 120, baselines: ['ema-trend-flip'] }),
    ).rejects.toThrow(/must include 'buy-and-hold'/);
    expect(existsSync(ledger)).toBe(false);
  });
});
