// tg4/Trading-v0 behaviour: known answers on hand-built prices, exact accounting, no look-ahead, determinism, masks,
// rendering, and clear errors for bad input. Prices are hand-built; the accounts are the real execution kernel.
import { describe, expect, it } from 'vitest';
import '../../../envs/index.ts';
import { make } from '../../../src/core/index.ts';
import { TradingEnv } from '../../../envs/trading/index.ts';
import { buildFeatureMatrix } from '../../../envs/trading/features.ts';
import { frameFromCloses, randomWalk, simpleFeatures, codeOf } from './helpers.ts';
import type { MarketFrame } from '../../../replay/market-frame.ts';

const FEE = 0.001;
const SLIP = 0.0005;

function handEnv(frame: MarketFrame, kw: Record<string, unknown> = {}): TradingEnv {
  return new TradingEnv({
    frame,
    featureMatrix: simpleFeatures(frame),
    windowSize: 4,
    start: 'first',
    episodeLength: null,
    ...kw,
  });
}

describe('known answers on a steadily rising price', () => {
  const close = Array.from({ length: 60 }, (_, t) => 100 * 1.01 ** t);
  const frame = frameFromCloses(close);

  it('long from the first decision to the last earns exactly the computed return after fees and slippage', () => {
    const env = handEnv(frame);
    env.reset({ seed: 0 });
    const s = env.barIndex; // first decision bar: warm-up 4 + window 4 − 1 = 7
    expect(s).toBe(7);
    const last = frame.length - 1;
    let info: Record<string, unknown> = {};
    let sumLog = 0;
    for (let t = s; t < last; t++) {
      const r = env.step(t < last - 1 ? 2 : 1); // long …, then flat on the last decision
      sumLog += r.reward;
      info = r.info;
      if (t < last - 1) expect(r.truncated).toBe(false);
      else expect(r.truncated).toBe(true);
    }
    // Direct computation: buy E0/open at open[s+1]·(1+slip), sell everything at open[last]·(1−slip), 0.1% fee per side.
    const E0 = 10_000;
    const qty = E0 / frame.open[s + 1]!;
    const buy = frame.open[s + 1]! * (1 + SLIP);
    const sell = frame.open[last]! * (1 - SLIP);
    const expected = E0 + qty * (sell - buy) - FEE * qty * buy - FEE * qty * sell;
    expect(info.equity as number).toBeCloseTo(expected, 8);
    expect(info.position).toBe(0);
    expect(sumLog).toBeCloseTo(Math.log(expected / E0), 12);
    const m = info.metrics as { totalTrades: number; winRate: number; feesPaid: number };
    expect(m.totalTrades).toBe(1);
    expect(m.winRate).toBe(1);
    expect(m.feesPaid).toBeCloseTo(FEE * qty * (buy + sell), 9);
  });

  it('the observation ends with exposure, unrealized PnL, time in trade and drawdown, as defined', () => {
    const env = handEnv(frame, { timeScale: 10 });
    const r0 = env.reset({ seed: 0 });
    expect(Array.from(r0.observation.slice(-4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(r0.observation.slice(0, 8))).toEqual(
      Array.from(simpleFeatures(frame).values.slice(4 * 2, 8 * 2)),
    ); // rows 4..7
    env.step(2);
    const r = env.step(2);
    const s = env.barIndex; // two bars after the entry decision
    const book = env.core.book;
    const E = r.info.equity as number;
    const [expo, upnl, tit, dd] = Array.from(r.observation.slice(-4));
    expect(expo).toBeCloseTo((book.size[0]! * frame.close[s]!) / E, 6);
    expect(upnl).toBeCloseTo((book.size[0]! * (frame.close[s]! - book.entryPrice[0]!)) / E, 6);
    expect(tit).toBeCloseTo(2 / 10, 6); // held through bars s−1 and s
    expect(dd).toBe(0); // rising prices: at the peak
    expect(env.observationNames.slice(-4)).toEqual(['exposure', 'unrealized_pnl', 'time_in_trade', 'drawdown']);
    expect(env.observationNames[0]).toBe('ret_1[t-3]');
  });

  it('flat earns exactly nothing, short loses exactly the computed amount', () => {
    const flat = handEnv(frame);
    flat.reset({ seed: 0 });
    let r = flat.step(1);
    while (!r.truncated) r = flat.step(1);
    expect(r.info.equity).toBe(10_000);

    const env = handEnv(frame, { episodeLength: 10 });
    env.reset({ seed: 0 });
    const s = env.barIndex;
    for (let k = 0; k < 10; k++) r = env.step(0);
    const qty = 10_000 / frame.open[s + 1]!;
    const sellIn = frame.open[s + 1]! * (1 - SLIP);
    const mark = frame.close[s + 10]!;
    expect(r.info.equity as number).toBeCloseTo(10_000 + qty * (sellIn - mark) - FEE * qty * sellIn, 8);
    expect(r.info.position as number).toBeCloseTo(-qty, 12);
    expect(r.truncated).toBe(true);
  });
});

describe('episode accounting', () => {
  const frame = frameFromCloses(randomWalk(400, 5, 0.02));

  it('per-step net-PnL rewards sum to the final equity change; cost rewards equal fees + slippage from the fills', () => {
    const pnlEnv = handEnv(frame, { reward: 'pnl', executor: { stopLossAtr: 1.5, takeProfitAtr: 2, maxHoldBars: 12 } });
    const costEnv = handEnv(frame, {
      reward: 'cost',
      executor: { stopLossAtr: 1.5, takeProfitAtr: 2, maxHoldBars: 12 },
    });
    pnlEnv.reset({ seed: 1 });
    costEnv.reset({ seed: 1 });
    let sum = 0;
    let prevEquity = 10_000;
    let exits = 0;
    for (let k = 0; ; k++) {
      const a = [2, 2, 2, 1, 0, 0, 2, 0, 1][k % 9]!;
      const r = pnlEnv.step(a);
      const c = costEnv.step(a);
      sum += r.reward;
      // Direct computation of this step's costs from the fills: fee + |qty|·|fill − reference price|.
      let costs = 0;
      for (const f of r.info.fills as { qty: number; price: number; fee: number; reason: string }[]) {
        const ref =
          f.reason === 'order'
            ? frame.open[r.info.bar as number]!
            : f.reason === 'take_profit'
              ? f.price
              : f.qty < 0
                ? f.price / (1 - SLIP)
                : f.price / (1 + SLIP);
        costs += f.fee + Math.abs(f.qty) * Math.abs(f.price - ref);
        if (f.reason !== 'order') exits++;
      }
      expect(Math.abs(c.reward + costs / prevEquity)).toBeLessThanOrEqual(1e-9 * (costs / prevEquity) + 1e-16);
      expect(c.info.equity).toBe(r.info.equity);
      prevEquity = r.info.equity as number;
      if (r.terminated || r.truncated) break;
    }
    expect(exits).toBeGreaterThan(3); // stops, targets or max-hold did fire
    expect(sum).toBeCloseTo(prevEquity - 10_000, 6);
  });
});

describe('no look-ahead', () => {
  it('perturbing bars after t leaves every observation and reward up to t unchanged (real default features)', () => {
    // Long enough for the 1h default spec's warm-up (hourly.json: 1199 bars, set by its 1d regime).
    const base = randomWalk(2000, 9, 0.01, 20_000);
    const k = 1850;
    const perturbed = base.map((c, t) => (t > k ? c * (1 + 0.03 * Math.sin(t)) : c));
    const run = (close: number[]): { obs: Float32Array[]; rewards: number[]; bars: number[] } => {
      const frame = frameFromCloses(close);
      const env = new TradingEnv({
        frame,
        featureMatrix: buildFeatureMatrix(frame, undefined),
        start: 'first',
        episodeLength: null,
        reward: { log_return: 1, differential_sharpe: 0.1, drawdown: 1 },
        executor: { stopLossAtr: 2, takeProfitAtr: 3 },
      });
      const r0 = env.reset({ seed: 0 });
      const obs = [r0.observation];
      const rewards: number[] = [];
      const bars = [env.barIndex];
      for (let j = 0; ; j++) {
        const r = env.step([2, 2, 0, 1, 2, 0, 0][j % 7]!);
        obs.push(r.observation);
        rewards.push(r.reward);
        bars.push(env.barIndex);
        if (r.truncated || r.terminated) break;
      }
      return { obs, rewards, bars };
    };
    const a = run(base);
    const b = run(perturbed);
    expect(a.bars[0]).toBeLessThan(k - 50); // the episode starts well before the perturbation
    let compared = 0;
    for (let j = 0; j < a.bars.length; j++) {
      if (a.bars[j]! > k) {
        // The step ending at bar k+1 and everything after may differ — and does.
        expect(a.obs.slice(j).some((o, m) => o.some((v, q) => v !== b.obs[j + m]![q]))).toBe(true);
        break;
      }
      const oa = a.obs[j]!;
      const ob = b.obs[j]!;
      let diff = oa.length === ob.length ? 0 : 1;
      for (let q = 0; q < oa.length; q++) if (!Object.is(oa[q], ob[q])) diff++;
      expect(diff).toBe(0);
      if (j > 0) expect(b.rewards[j - 1]).toBe(a.rewards[j - 1]);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });
});

describe('determinism', () => {
  it('same seed → identical episodes (random starts, observations, rewards, infos); another seed differs', () => {
    const frame = frameFromCloses(randomWalk(600, 2));
    const run = (seed: number): unknown[] => {
      const env = handEnv(frame, {
        start: 'random',
        episodeLength: 40,
        actionScheme: 'continuous',
        executor: { stopLossAtr: 1 },
      });
      const out: unknown[] = [];
      env.reset({ seed });
      env.actionSpace.seed(seed);
      for (let ep = 0; ep < 3; ep++) {
        if (ep > 0) out.push(env.reset().info);
        for (;;) {
          const r = env.step(env.actionSpace.sample());
          out.push(Array.from(r.observation), r.reward, r.info);
          if (r.terminated || r.truncated) break;
        }
      }
      return out;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(8)).not.toEqual(run(7));
  });
});

describe('action masks, cooldown, caps', () => {
  const frame = frameFromCloses(randomWalk(300, 4, 0.03));
  it('after an exit, the cooldown blocks entries and the mask allows only flat', () => {
    const env = handEnv(frame, { cooldownBars: 3, executor: { stopLossAtr: 0.5 } });
    env.reset({ seed: 0 });
    expect(env.action_masks()).toEqual([true, true, true]);
    let sawCooldown = false;
    for (let k = 0; k < 200; k++) {
      const maskBefore = env.action_masks();
      const r = env.step(2); // always wants long
      if (!maskBefore[2]) {
        sawCooldown = true;
        expect(maskBefore).toEqual([false, true, false]);
        expect(r.info.entry_blocked).toBe(true);
        expect(r.info.position).toBe(0);
      }
      if (r.truncated || r.terminated) break;
    }
    expect(sawCooldown).toBe(true);
  });
  it('levels beyond the leverage cap are masked, and orders are clipped to the cap', () => {
    const env = handEnv(frame, { actionScheme: 'discrete-sized', levels: [-1, -0.5, 0, 0.5, 1], exposure: 2 });
    env.reset({ seed: 0 });
    // exposure 2: ±2 and ±1 levels; long cap 1.5 masks +2, short cap 2.0 allows −2.
    expect(env.action_masks()).toEqual([true, true, true, true, false]);
    const r = env.step(4);
    expect(r.info.exposure as number).toBeLessThanOrEqual(1.5 * 1.02);
    expect(r.info.exposure as number).toBeGreaterThan(1.3);
  });
  it('the continuous scheme has no masks', () => {
    const env = handEnv(frame, { actionScheme: 'continuous' });
    expect(codeOf(() => env.actionMasks())).toMatch(/INVALID_ARGUMENT: .*continuous/);
  });
});

describe('render', () => {
  it("'ansi' gives one line per step; 'svg' the episode's equity curve", () => {
    const frame = frameFromCloses(randomWalk(100, 3));
    const env = handEnv(frame, { renderMode: 'ansi', episodeLength: 5 });
    env.reset({ seed: 0 });
    env.step(2);
    const line = env.render() as string;
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/LONG .*fill \+\d+\.\d+ @ .*equity \d+\.\d{2}/);
    const svgEnv = handEnv(frame, { renderMode: 'svg', episodeLength: 5 });
    svgEnv.reset({ seed: 0 });
    for (let k = 0; k < 5; k++) svgEnv.step(k % 3);
    const svg = svgEnv.render() as string;
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Drawdown');
    expect(svgEnv.equityCurve().equity).toHaveLength(6);
  });
});

describe('bad input fails before training starts, with a clear error', () => {
  const frame = frameFromCloses(randomWalk(200, 1));
  it('a range shorter than warm-up + window + one episode', () => {
    // The bundled data start on 2017-01-01: a range there has no history before it for the features' warm-up.
    const msg = codeOf(() => make('tg4/Trading-v0', { range: '..2017-01-10', episodeLength: 100 }));
    expect(msg).toMatch(
      /^INVALID_ARGUMENT: range: too short for one episode: .*216 bars.*warm-up.*episode of 100 step\(s\) needs 101/,
    );
    // Later ranges take their warm-up from the bars before them (no look-ahead), so a short range is fine …
    expect(codeOf(() => make('tg4/Trading-v0', { range: '2018-01-01..2018-01-10', episodeLength: 100 }))).toBe(
      'no error',
    );
    // … unless it is shorter than one episode.
    expect(codeOf(() => make('tg4/Trading-v0', { range: '2018-01-01..2018-01-03', episodeLength: 100 }))).toMatch(
      /too short for one episode: .*48 bars/,
    );
  });
  it('an action outside the space', () => {
    const env = handEnv(frame);
    env.reset({ seed: 0 });
    expect(codeOf(() => env.step(3))).toMatch(/^INVALID_ACTION: .*Discrete\(3\)/);
    expect(codeOf(() => env.step(1.5))).toMatch(/^INVALID_ACTION/);
    const cont = handEnv(frame, { actionScheme: 'continuous' });
    cont.reset({ seed: 0 });
    expect(codeOf(() => cont.step(Float32Array.of(Number.NaN)))).toMatch(/^INVALID_ACTION/);
    expect(codeOf(() => cont.step(Float32Array.of(1.5)))).toMatch(/^INVALID_ACTION/);
  });
  it('an unknown reward name lists the valid ones (before any data is read)', () => {
    expect(codeOf(() => make('tg4/Trading-v0', { reward: 'sharpe', data: '/nonexistent.csv' }))).toMatch(
      /^INVALID_ARGUMENT: reward: unknown reward scheme 'sharpe'; valid names are log_return, pnl, differential_sharpe, sortino/,
    );
  });
  it('a feature spec that does not match the data (order-book features on candle-only data)', () => {
    const spec = { features: [{ feature: 'rsi' }, { feature: 'spread' }] };
    expect(codeOf(() => new TradingEnv({ frame, features: spec }))).toMatch(
      /^FEATURE_ERROR: .*spread.*needs input column/,
    );
    expect(
      codeOf(() => new TradingEnv({ frame, features: { window: 8, features: [{ feature: 'rsi' }] }, windowSize: 16 })),
    ).toMatch(/^INVALID_ARGUMENT: windowSize 16 differs from the feature spec's window 8/);
  });
  it('unknown or ill-typed options name the option and the accepted ones', () => {
    expect(codeOf(() => handEnv(frame, { windowSize: 0 }))).toMatch(/option 'windowSize': .*>=1 \(got 0\)/);
    expect(codeOf(() => handEnv(frame, { rewardd: 'pnl' }))).toMatch(
      /unknown option 'rewardd'; accepted: data, timeframe, range, features, windowSize/,
    );
    expect(codeOf(() => handEnv(frame, { executor: { fee: 0.1 } }))).toMatch(
      /unknown option 'fee' in 'executor'; accepted: initialCapital, feeRate/,
    );
    expect(codeOf(() => handEnv(frame, { actionScheme: 'discrete5' }))).toMatch(
      /option 'actionScheme': .*discrete3.*continuous/,
    );
    expect(
      codeOf(() => new TradingEnv({ frame, featureMatrix: { values: new Float32Array(10), names: ['a'], warmup: 0 } })),
    ).toMatch(/featureMatrix: 10 values do not make 200 rows/);
    expect(codeOf(() => new TradingEnv({ data: '/no/such/file.csv' }))).toMatch(
      /neither 'bundled', an existing CSV file, nor a postgres/,
    );
    const nanMatrix = simpleFeatures(frame);
    nanMatrix.values[50 * 2 + 1] = Number.NaN;
    expect(codeOf(() => new TradingEnv({ frame, featureMatrix: nanMatrix }))).toMatch(
      /featureMatrix: value NaN in row 50 .*column 'sma5_gap'/,
    );
    const badFrame = frameFromCloses(randomWalk(200, 1));
    (badFrame.close as Float64Array)[120] = Number.NaN;
    expect(codeOf(() => handEnv(badFrame))).toMatch(
      /^INVALID_ARGUMENT: frame \(TEST\/USD\): bar 120 .* is not a valid bar/,
    );
    expect(codeOf(() => handEnv(frame, { features: 'default' }))).toMatch(/either 'features' .* or 'featureMatrix'/);
    expect(codeOf(() => new TradingEnv({ featureMatrix: simpleFeatures(frame) }))).toMatch(
      /'featureMatrix' needs the 'frame'/,
    );
    expect(codeOf(() => handEnv(frame).reset({ options: { start: 3 } }))).toMatch(/start: bar 3 is outside \[7, 198\]/);
  });
});

describe('exits and episode ends', () => {
  it('stops and targets sit at entry ∓ k·ATR(bar t), max-hold closes after exactly maxHoldBars bars', () => {
    const frame = frameFromCloses(Array.from({ length: 200 }, (_, t) => 100 + 0.01 * t)); // calm: no stop or target is hit
    const env = handEnv(frame, { executor: { stopLossAtr: 50, takeProfitAtr: 80, maxHoldBars: 5 } });
    env.reset({ seed: 0 });
    const t = env.barIndex;
    const r = env.step(2);
    const book = env.core.book;
    const atr = env.data.atr[0]![t]!;
    expect(atr).toBeGreaterThan(0);
    expect(book.stopLoss[0]).toBeCloseTo(book.entryPrice[0]! - 50 * atr, 9);
    expect(book.takeProfit[0]).toBeCloseTo(book.entryPrice[0]! + 80 * atr, 9);
    expect(r.info.position as number).toBeGreaterThan(0);
    let held = 1;
    let exit: { reason: string } | undefined;
    for (; held < 10 && !exit; held++) {
      const s = env.step(2);
      exit = (s.info.fills as { reason: string }[]).find((f) => f.reason !== 'order');
    }
    expect(exit?.reason).toBe('max_hold');
    expect(held - 1).toBe(5); // opened at bar t+1's open, closed at bar t+6's open
  });
  it('ruin and drawdown limits terminate (not truncate) the episode', () => {
    const crash = frameFromCloses([
      ...Array.from({ length: 20 }, () => 100),
      ...Array.from({ length: 30 }, (_, k) => 100 * 0.9 ** (k + 1)),
    ]);
    const ruin = handEnv(crash, { ruinFraction: 0.5 });
    ruin.reset({ seed: 0 });
    let r = ruin.step(2);
    while (!r.terminated && !r.truncated) r = ruin.step(2);
    expect(r.terminated).toBe(true);
    expect(r.truncated).toBe(false);
    expect(r.info.equity as number).toBeLessThanOrEqual(5_000);
    expect(r.info.equity as number).toBeGreaterThan(4_000);
    const dd = handEnv(crash, { maxDrawdown: 0.2 });
    dd.reset({ seed: 0 });
    r = dd.step(2);
    while (!r.terminated && !r.truncated) r = dd.step(2);
    expect(r.terminated).toBe(true);
    expect(r.info.drawdown as number).toBeGreaterThanOrEqual(0.2);
    expect(r.info.drawdown as number).toBeLessThan(0.32);
    expect(codeOf(() => dd.step(1))).toMatch(/^RESET_NEEDED/);
  });
});
