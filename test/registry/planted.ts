// A planted-signal market and two hand-made models for the gate's tests: hourly candles whose drift keeps its sign for
// a dozen bars on average (so the last bar's return tells the next bar's direction), overall drifting down (buy and
// hold loses); a model wired to trade that signal (long after an up bar, short after a down bar) and one with seeded
// random weights over the same inputs. Deterministic: the same seed gives the same bytes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveModel, type ModelManifest, type NamedWeight } from '../../agents/common/model-io.ts';
import { TradingEnv } from '../../envs/trading/trading-env.ts';

export const PLANTED_SPEC = {
  window: 2,
  features: [{ feature: 'returns', params: { horizons: [1] } }],
  normalization: { method: 'none' },
};

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Writes `bars` hourly candles to <dir>/PLANTUSD_1h.csv and returns the path. */
export function writePlantedCsv(dir: string, bars = 3000, seed = 1): string {
  const rnd = lcg(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const lines = ['time,open,high,low,close,volume'];
  let price = 100;
  let side = 1;
  const t0 = Date.UTC(2024, 0, 1);
  for (let t = 0; t < bars; t++) {
    if (rnd() < 1 / 12) side = -side;
    const r = side * 0.004 - 0.0004 + 0.001 * gauss();
    const open = price;
    const close = price * Math.exp(r);
    const high = Math.max(open, close) * 1.0005;
    const low = Math.min(open, close) * 0.9995;
    lines.push([new Date(t0 + t * 3_600_000).toISOString(), open, high, low, close, 10].join(','));
    price = close;
  }
  const p = join(dir, 'PLANTUSD_1h.csv');
  writeFileSync(p, `${lines.join('\n')}\n`);
  return p;
}

/**
 * Saves a Trading-v0 model over the planted CSV trained (by its manifest) on `range`. 'signal': long after an up bar,
 * short after a down bar; 'random': seeded random weights.
 */
export function savePlantedModel(dir: string, csv: string, range: string, kind: 'signal' | 'random', seed = 3): void {
  const envKwargs = { data: csv, symbol: 'PLANT/USD', timeframe: '1h', features: PLANTED_SPEC, range };
  const env = new TradingEnv(envKwargs);
  const obsSize = env.core.obsDim;
  const last = env.observationNames.lastIndexOf('returns_r1[t]');
  if (last < 0) throw new Error(`no returns_r1[t] in ${env.observationNames.join(', ')}`);
  const rnd = lcg(seed);
  const h0 = new Float32Array(obsSize);
  if (kind === 'signal') h0[last] = 1000;
  else for (let i = 0; i < obsSize; i++) h0[i] = (rnd() - 0.5) * 400;
  const out = kind === 'signal' ? Float32Array.of(-5, 0, 5) : Float32Array.from({ length: 3 }, () => (rnd() - 0.5) * 8);
  const weights: NamedWeight[] = [
    { name: 'pi/h0/kernel', shape: [obsSize, 1], data: h0 },
    { name: 'pi/h0/bias', shape: [1], data: Float32Array.of(0) },
    { name: 'pi/out/kernel', shape: [1, 3], data: out },
    { name: 'pi/out/bias', shape: [3], data: kind === 'signal' ? Float32Array.of(0, 0.1, 0) : new Float32Array(3) },
  ];
  saveModel(
    dir,
    {
      algo: 'ppo',
      envId: 'tg4/Trading-v0',
      observationSpace: env.observationSpace.toJSON(),
      actionSpace: env.actionSpace.toJSON(),
      obsSize,
      featureSpecHash: env.featureSpecHash,
      normalization: null,
      network: { kind: 'actor-critic', shared: [], pi: [1], vf: [], activation: 'tanh' },
      hyperparameters: {},
      metrics: {},
      created: '2026-12-06T00:00:00.000Z',
      seed,
      backend: 'test',
      envKwargs,
    } as Omit<ModelManifest, 'weights' | 'format'>,
    weights,
  );
  env.close();
}
