// The batched vector env against N single envs, the env checker over every registered trading env and action scheme,
// and Portfolio-v0's target weights.
import { describe, expect, it } from 'vitest';
import '../../../envs/index.ts';
import { checkEnv, make, makeVec, registeredIds } from '../../../src/core/index.ts';
import { PortfolioEnv, TradingEnv, TradingVectorEnv } from '../../../envs/trading/index.ts';
import { Rng } from '../../../src/core/rng.ts';
import { frameFromCloses, randomWalk, simpleFeatures, codeOf } from './helpers.ts';

const frame = frameFromCloses(randomWalk(800, 21, 0.015));
const KW = {
  frame,
  featureMatrix: simpleFeatures(frame),
  windowSize: 8,
  episodeLength: 60,
  cooldownBars: 1,
  executor: { stopLossAtr: 1.5, takeProfitAtr: 2.5, maxHoldBars: 20 },
  reward: { log_return: 1, differential_sharpe: 0.05, cost: 1 },
};

describe('vector env == N single envs', () => {
  for (const [scheme, mode] of [
    ['discrete3', 'next-step'],
    ['continuous', 'same-step'],
    ['discrete-sized', 'next-step'],
  ] as const) {
    it(`${scheme}, autoreset ${mode}: same observations, rewards, flags and episode metrics, across episode ends`, () => {
      const N = 4;
      const kwargs = { ...KW, actionScheme: scheme };
      const venv = makeVec('tg4/Trading-v0', { numEnvs: N, kwargs, autoresetMode: mode });
      expect(venv).toBeInstanceOf(TradingVectorEnv);
      const singles = Array.from({ length: N }, () => new TradingEnv(kwargs));
      const vr = venv.reset({ seed: 100 });
      const D = venv.obsDim;
      singles.forEach((e, i) => {
        const r = e.reset({ seed: 100 + i });
        expect(Array.from(vr.observations.subarray(i * D, (i + 1) * D))).toEqual(Array.from(r.observation));
      });
      const rng = new Rng(5);
      const cont = scheme === 'continuous';
      const nLevels = scheme === 'discrete-sized' ? 5 : 3;
      const pending = new Array<boolean>(N).fill(false);
      let episodesEnded = 0;
      for (let k = 0; k < 200; k++) {
        const acts = cont
          ? Float32Array.from({ length: N }, () => Math.fround(rng.uniform(-1, 1)))
          : Int32Array.from({ length: N }, () => rng.integer(nLevels));
        const res = venv.step(acts);
        for (let i = 0; i < N; i++) {
          const e = singles[i]!;
          const row = Array.from(res.observations.subarray(i * D, (i + 1) * D));
          if (pending[i]) {
            // next-step: this step was the sub-env's reset
            const r = e.reset();
            expect(row).toEqual(Array.from(r.observation));
            expect(res.rewards[i]).toBe(0);
            pending[i] = false;
            continue;
          }
          const r = e.step(cont ? Float32Array.of(acts[i]!) : acts[i]!);
          expect(res.rewards[i]).toBe(Math.fround(r.reward));
          expect(res.terminated[i]).toBe(r.terminated ? 1 : 0);
          expect(res.truncated[i]).toBe(r.truncated ? 1 : 0);
          if (r.terminated || r.truncated) {
            episodesEnded++;
            if (mode === 'next-step') {
              expect(row).toEqual(Array.from(r.observation));
              expect(res.infos[i]!.metrics).toEqual(r.info.metrics);
              pending[i] = true;
            } else {
              const info = res.infos[i] as { final_observation: Float32Array; final_info: { metrics: unknown } };
              expect(Array.from(info.final_observation)).toEqual(Array.from(r.observation));
              expect(info.final_info.metrics).toEqual(r.info.metrics);
              expect(row).toEqual(Array.from(e.reset().observation));
            }
          } else {
            expect(row).toEqual(Array.from(r.observation));
          }
        }
      }
      expect(episodesEnded).toBeGreaterThanOrEqual(N * 2);
    });
  }

  it('action masks of the vector env match the single envs; bad batches fail before any sub-env moves', () => {
    const N = 3;
    const venv = makeVec('tg4/Trading-v0', { numEnvs: N, kwargs: KW }) as TradingVectorEnv;
    venv.reset({ seed: 1 });
    const singles = Array.from({ length: N }, (_, i) => {
      const e = new TradingEnv(KW);
      e.reset({ seed: 1 + i });
      return e;
    });
    for (let k = 0; k < 40; k++) {
      const acts = Int32Array.from({ length: N }, (_, i) => (k + i) % 3);
      venv.step(acts);
      singles.forEach((e, i) => e.step(acts[i]!));
      expect(venv.action_masks()).toEqual(singles.map((e) => e.action_masks()));
    }
    const bars = Array.from(venv.core.bar);
    expect(codeOf(() => venv.step(Int32Array.of(0, 3, 1)))).toMatch(
      /^INVALID_ACTION: action 3 for sub-env 1 .*no sub-env was stepped/,
    );
    expect(codeOf(() => venv.step(Int32Array.of(0, 1)))).toMatch(/^INVALID_ACTION: expected 3 action values/);
    expect(codeOf(() => venv.step(Float32Array.of(0, 1, 2)))).toMatch(/^INVALID_ACTION: .*integers/);
    expect(Array.from(venv.core.bar)).toEqual(bars);
  });
});

describe('checkEnv', () => {
  it('passes for every registered trading env', () => {
    const ids = registeredIds().filter((id) => id.startsWith('tg4/'));
    expect(ids).toEqual([
      'tg4/PlantedMeanRevert-v0',
      'tg4/PlantedMomentum-v0',
      'tg4/PlantedRegime-v0',
      'tg4/Portfolio-v0',
      'tg4/Trading-v0',
    ]);
  });
  for (const id of ['tg4/PlantedMeanRevert-v0', 'tg4/PlantedMomentum-v0', 'tg4/PlantedRegime-v0']) {
    it(`${id} (a planted-signal market, envs/planted) passes`, () => {
      const report = checkEnv(() => make(id, { marketSeed: 1, episodeLength: 100 }), { steps: 150 });
      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(true);
    });
  }
  for (const scheme of ['discrete3', 'discrete-sized', 'continuous'] as const) {
    it(`tg4/Trading-v0 (${scheme}, bundled BTC/USD 1h, default features) passes`, () => {
      const report = checkEnv(
        () => make('tg4/Trading-v0', { actionScheme: scheme, episodeLength: 100, executor: { stopLossAtr: 2 } }),
        { steps: 150 },
      );
      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(true);
    });
  }
  it('tg4/Portfolio-v0 (bundled BTC/USD + ETH/USD 1h) passes', () => {
    const report = checkEnv(() => make('tg4/Portfolio-v0', { episodeLength: 100 }), { steps: 150 });
    expect(report.failures).toEqual([]);
  });
});

describe('tg4/Portfolio-v0', () => {
  const up = frameFromCloses(
    Array.from({ length: 120 }, (_, t) => 100 * 1.005 ** t),
    { symbol: 'UP/USD' },
  );
  const down = frameFromCloses(
    Array.from({ length: 120 }, (_, t) => 50 * 0.995 ** t),
    { symbol: 'DOWN/USD' },
  );
  const kw = {
    frames: [up, down],
    featureMatrices: [simpleFeatures(up), simpleFeatures(down)],
    windowSize: 4,
    start: 'first',
    episodeLength: null,
    reward: 'pnl',
  };

  it('long the riser and short the faller earns on both; weights above the gross cap are scaled down', () => {
    const env = new PortfolioEnv({ ...kw, maxGrossExposure: 1 });
    const r0 = env.reset({ seed: 0 });
    expect(r0.observation.length).toBe(4 * (2 + 2) + 2 * 3 + 1); // 4 rows × (2 + 2) features, 2 × 3 symbol fields, drawdown
    let r = env.step(Float32Array.of(1, -1)); // Σ|w| = 2 > 1 → scaled to (0.5, −0.5)
    const w = r.info.weights as number[];
    expect(w[0]).toBeGreaterThan(0.45);
    expect(w[1]).toBeLessThan(-0.45);
    expect(r.info.gross_exposure as number).toBeLessThanOrEqual(1.01);
    let sum = r.reward;
    while (!r.truncated) {
      r = env.step(Float32Array.of(0.5, -0.5));
      sum += r.reward;
    }
    expect(r.info.equity as number).toBeGreaterThan(10_000 * 1.2);
    expect(sum).toBeCloseTo((r.info.equity as number) - 10_000, 6);
  });

  it('its vector env equals single envs too, and a weight outside [-1, 1] is refused', () => {
    const venv = makeVec('tg4/Portfolio-v0', { numEnvs: 2, kwargs: { ...kw, start: 'random', episodeLength: 30 } });
    venv.reset({ seed: 3 });
    const singles = [0, 1].map((i) => {
      const e = new PortfolioEnv({ ...kw, start: 'random', episodeLength: 30 });
      e.reset({ seed: 3 + i });
      return e;
    });
    const rng = new Rng(9);
    for (let k = 0; k < 25; k++) {
      const acts = Float32Array.from({ length: 4 }, () => Math.fround(rng.uniform(-1, 1)));
      const res = venv.step(acts);
      singles.forEach((e, i) => {
        const r = e.step(acts.slice(2 * i, 2 * i + 2));
        expect(res.rewards[i]).toBe(Math.fround(r.reward));
        expect(Array.from(res.observations.subarray(i * venv.obsDim, (i + 1) * venv.obsDim))).toEqual(
          Array.from(r.observation),
        );
      });
    }
    expect(codeOf(() => venv.step(Float32Array.of(0, 0, 1.5, 0)))).toMatch(
      /^INVALID_ACTION: weight 0 of sub-env 1 is 1.5/,
    );
    expect(codeOf(() => new PortfolioEnv({ ...kw, frames: [up] }))).toMatch(/option 'frames'/);
  });
});
