// The decision interval of the trading envs (kwarg decisionInterval k): the agent acts every k bars and the position is
// held in between. Checked against the one-bar env itself: with no executor exits, an interval-k step is k one-bar steps
// of the same action, bit for bit (every bar's equity, each bar's reward summed in bar order, observations, flags,
// metrics); the executor's stops and max-hold still fire on held bars; the vector env equals single envs; the env
// checker and the look-ahead check pass with the option on (and the look-ahead check still catches a planted leak); bad
// values are refused by name.
import { describe, expect, it } from 'vitest';
import '../../../envs/index.ts';
import { checkEnv, make, makeVec } from '../../../src/core/index.ts';
import { TradingEnv, type TradingVectorEnv } from '../../../envs/trading/index.ts';
import { checkLookahead } from '../../../envs/trading/lookahead-check.ts';
import { trainingConditions } from '../../../agents/common/model-runner.ts';
import { comparisonTable } from '../../../agents/common/trading-format.ts';
import type { RewardInputs } from '../../../envs/trading/rewards/types.ts';
import { loadBundled } from '../../../replay/bundled.ts';
import { sliceFrame } from '../../../replay/slice.ts';
import type { MarketFrame } from '../../../replay/market-frame.ts';
import { Rng } from '../../../src/core/rng.ts';
import { frameFromCloses, randomWalk, simpleFeatures, codeOf } from './helpers.ts';

const frame = frameFromCloses(randomWalk(1200, 3, 0.02));
const KW = {
  frame,
  featureMatrix: simpleFeatures(frame),
  windowSize: 6,
  // A stateful reward (differential Sharpe) too: per-bar rewards must be computed bar by bar, not once per step.
  reward: { log_return: 1, cost: 1, drawdown: 0.3, differential_sharpe: 0.2 },
  maxDrawdown: 0.3,
  executor: { rolloverRate: 0.0002 },
};

describe('decisionInterval', () => {
  for (const k of [3, 7]) {
    it(`k = ${k}: one step equals ${k} one-bar steps of the same action, bit for bit (no executor exits)`, () => {
      const rng = new Rng(k);
      let episodes = 0;
      let terminations = 0;
      let partialEnds = 0;
      for (const [episodeLength, start] of [
        [40, 'random'],
        [40, 'random'],
        [null, 1102], // to the end of the data (97 bars): the last step is cut short
        [null, 'first'], // long enough for the drawdown stop to end it
      ] as const) {
        const coarse = new TradingEnv({ ...KW, decisionInterval: k, episodeLength });
        const fine = new TradingEnv({ ...KW, episodeLength: episodeLength === null ? null : episodeLength * k });
        const seed = 10 + episodes;
        const opts = { seed, ...(start === 'random' ? {} : { options: { start } }) };
        const a = coarse.reset(opts);
        const b = fine.reset(opts);
        expect(Array.from(a.observation)).toEqual(Array.from(b.observation));
        let steps = 0;
        for (;;) {
          const action = rng.integer(3);
          const s = coarse.step(action);
          steps++;
          let sum = 0;
          let bars = 0;
          let f: ReturnType<TradingEnv['step']>;
          do {
            f = fine.step(action);
            sum += f.reward;
            bars++;
          } while (bars < k && !f.terminated && !f.truncated);
          expect(s.reward).toBe(sum);
          expect(Array.from(s.observation)).toEqual(Array.from(f.observation));
          expect([s.terminated, s.truncated]).toEqual([f.terminated, f.truncated]);
          expect(s.info.bar).toBe(f.info.bar);
          expect(s.info.fees).toBe(f.info.fees);
          expect(s.info.trades).toBe(f.info.trades);
          if (s.terminated || s.truncated) {
            // Every account figure is the one-bar env's; `steps` counts decision steps.
            const m = s.info.metrics as { steps: number };
            expect({ ...m, steps: 0 }).toEqual({ ...(f.info.metrics as object), steps: 0 });
            expect(m.steps).toBe(steps);
            const [ca, cb] = [coarse.equityCurve(), fine.equityCurve()];
            expect(Buffer.compare(Buffer.from(ca.time.buffer), Buffer.from(cb.time.buffer))).toBe(0);
            expect(Buffer.compare(Buffer.from(ca.equity.buffer), Buffer.from(cb.equity.buffer))).toBe(0);
            if (s.terminated) terminations++;
            if (bars < k && !s.terminated) partialEnds++;
            break;
          }
        }
        episodes++;
      }
      expect(terminations).toBeGreaterThanOrEqual(1);
      expect(partialEnds).toBeGreaterThanOrEqual(1);
    });
  }

  it('stops and max-hold still fire on the held bars; no new order until the next decision', () => {
    const env = new TradingEnv({
      ...KW,
      decisionInterval: 12,
      episodeLength: null,
      start: 'first',
      executor: { stopLossAtr: 0.8, maxHoldBars: 5 },
    });
    env.reset({ seed: 1 });
    const seen = new Set<string>();
    let heldExits = 0;
    let orders = 0;
    for (;;) {
      const from = env.barIndex;
      const s = env.step(2); // long, every decision
      const fills = s.info.fills as { reason: string; qty: number; price: number; bar: number }[];
      // Each fill names the bar it filled in: the order at the step's first open, an exit in one of its bars.
      const order = fills.find((x) => x.reason === 'order');
      if (order !== undefined) {
        orders++;
        expect(order.bar).toBe(from + 1);
        expect(order.price).toBe(frame.open[from + 1]! * (1 + 0.0005));
      }
      const exit = fills.find((x) => x.reason !== 'order');
      if (exit !== undefined) {
        expect(exit.bar).toBeGreaterThan(from);
        expect(exit.bar).toBeLessThanOrEqual(s.info.bar as number);
        expect(exit.price).toBeLessThanOrEqual(frame.high[exit.bar]!);
        expect(exit.price).toBeGreaterThanOrEqual(frame.low[exit.bar]! * (1 - 0.0005) - 1e-9);
        seen.add(exit.reason);
        // The exit was not the last bar of the step: the position stays flat to its end though the action was long.
        const curve = env.equityCurve().equity;
        const last = curve.length - 1;
        if (curve[last] === curve[last - 1] && s.info.position === 0) heldExits++;
      }
      if (s.terminated || s.truncated) break;
    }
    expect(seen).toEqual(new Set(['stop_loss', 'max_hold']));
    expect(orders).toBeGreaterThan(10);
    expect(heldExits).toBeGreaterThan(10);
  });

  it('the vector env equals single envs with the option on (across episode ends)', () => {
    const N = 3;
    const kwargs = { ...KW, decisionInterval: 5, episodeLength: 30, executor: { stopLossAtr: 1.5, maxHoldBars: 9 } };
    const venv = makeVec('tg4/Trading-v0', { numEnvs: N, kwargs }) as TradingVectorEnv;
    const singles = Array.from({ length: N }, () => new TradingEnv(kwargs));
    const vr = venv.reset({ seed: 7 });
    const D = venv.obsDim;
    singles.forEach((e, i) => {
      expect(Array.from(vr.observations.subarray(i * D, (i + 1) * D))).toEqual(
        Array.from(e.reset({ seed: 7 + i }).observation),
      );
    });
    const rng = new Rng(2);
    const pending = new Array<boolean>(N).fill(false);
    let ends = 0;
    for (let t = 0; t < 150; t++) {
      const acts = Int32Array.from({ length: N }, () => rng.integer(3));
      const res = venv.step(acts);
      for (let i = 0; i < N; i++) {
        const row = Array.from(res.observations.subarray(i * D, (i + 1) * D));
        if (pending[i]) {
          expect(row).toEqual(Array.from(singles[i]!.reset().observation));
          pending[i] = false;
          continue;
        }
        const r = singles[i]!.step(acts[i]!);
        expect(res.rewards[i]).toBe(Math.fround(r.reward));
        expect(row).toEqual(Array.from(r.observation));
        expect(venv.core.costs[i]).toBe(r.info.step_costs);
        if (r.terminated || r.truncated) {
          expect(res.infos[i]!.metrics).toEqual(r.info.metrics);
          pending[i] = true;
          ends++;
        }
      }
    }
    expect(ends).toBeGreaterThanOrEqual(N * 3);
  });

  it('passes the env checker and the vector-vs-sync conformance check (bundled BTC/USD 1h, k = 24)', () => {
    const kwargs = { decisionInterval: 24, episodeLength: 50, executor: { stopLossAtr: 2 } };
    const report = checkEnv(() => make('tg4/Trading-v0', kwargs), { steps: 120, throwOnFailure: false });
    expect(report.failures).toEqual([]);
    const portfolio = checkEnv(() => make('tg4/Portfolio-v0', { decisionInterval: 6, episodeLength: 50 }), {
      steps: 80,
      throwOnFailure: false,
    });
    expect(portfolio.failures).toEqual([]);
    const fast = makeVec('tg4/Trading-v0', { numEnvs: 3, kwargs });
    const sync = makeVec('tg4/Trading-v0', { numEnvs: 3, kwargs, vectorizationMode: 'sync' });
    expect(Array.from(fast.reset({ seed: 4 }).observations)).toEqual(Array.from(sync.reset({ seed: 4 }).observations));
    const rng = new Rng(8);
    for (let t = 0; t < 120; t++) {
      const acts = Int32Array.from({ length: 3 }, () => rng.integer(3));
      const x = fast.step(acts);
      const y = sync.step(acts);
      expect(Array.from(x.observations)).toEqual(Array.from(y.observations));
      expect(Array.from(x.rewards)).toEqual(Array.from(y.rewards));
      expect([Array.from(x.terminated), Array.from(x.truncated)]).toEqual([
        Array.from(y.terminated),
        Array.from(y.truncated),
      ]);
    }
    fast.close();
    sync.close();
  });

  it('look-ahead: the default spec passes with the option on, and a reward that reads one bar too far is caught', () => {
    const btc = sliceFrame(loadBundled({ symbol: 'BTC/USD', timeframe: '1h' }), 0, 3200);
    for (const reward of ['log_return', 'differential_sharpe']) {
      const r = checkLookahead({ frame: btc, env: { reward, decisionInterval: 4 }, cuts: 5, stepsBefore: 10 });
      expect(r.leaks).toEqual([]);
      expect(r.checked.rewards).toBeGreaterThanOrEqual(5 * 10);
    }
    // Each bar's reward reads the close after the bar it marks: on the last bar of a step ending at the cut, the future.
    const peeking = (f: MarketFrame) => ({
      decisionInterval: 4,
      reward: (x: RewardInputs, i: number): number =>
        Math.log(x.equity[i]! / x.prevEquity[i]!) + 1e-3 * Math.log(f.close[Math.min(x.bar[i]! + 2, f.length - 1)]!),
    });
    expect(checkLookahead({ frame: btc, env: peeking, cuts: 4, stepsBefore: 6 }).leakingNames.reward).toEqual([
      'reward',
    ]);
  });

  it('bad values are refused by name; an episode that does not fit names the interval', () => {
    for (const bad of [0, -2, 1.5, '4', null]) {
      expect(codeOf(() => new TradingEnv({ ...KW, decisionInterval: bad }))).toMatch(
        /^INVALID_ARGUMENT: .*option 'decisionInterval'/,
      );
    }
    expect(codeOf(() => new TradingEnv({ ...KW, decisionInterval: 20, episodeLength: 100 }))).toMatch(
      /^INVALID_ARGUMENT: range: too short for one episode: .*100 step\(s\) of 20 bars \(decisionInterval\) needs 2001.*a smaller decisionInterval/,
    );
    expect(codeOf(() => new TradingEnv({ ...KW, decisionInterval: 20, episodeLength: 50 }))).toBe('no error');
  });
});

describe('decisionInterval is a training condition', () => {
  it('a model trained with it is backtested and walk-forward tested with it (not every bar)', () => {
    const ref = { kind: 'model' as const, dir: 'm', name: 'm', envKwargs: { decisionInterval: 24, range: 'train' } };
    expect(trainingConditions(ref)).toEqual({ decisionInterval: 24 });
  });
});

describe('an episode reports the bars it ran over beside its decision steps', () => {
  it('metrics.bars = the bars crossed; the comparison table prints bars, not steps', () => {
    const env = new TradingEnv({ ...KW, decisionInterval: 5, episodeLength: null, start: 1102 });
    env.reset({ seed: 0 });
    let r = env.step(1);
    while (!r.truncated && !r.terminated) r = env.step(1);
    const m = r.info.metrics as { steps: number; bars: number };
    expect([m.steps, m.bars]).toEqual([20, 97]); // 1102 → 1199: 19 steps of 5 bars and one of 2
    const table = comparisonTable([{ name: 'p', metrics: r.info.metrics as never }]).split('\n');
    expect(table[0]).toMatch(/ bars$/);
    expect(table[1]).toMatch(/ 97$/);
  });
});
