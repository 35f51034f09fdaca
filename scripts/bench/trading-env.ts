// Benchmark: sub-env steps/s of the trading envs with the default feature spec (window 32), fees, slippage and ATR
// stops, on the bundled BTC/USD 1h data. Baseline in the same run: the executor-less replay loop (advance the bar, copy
// the window, a log-return reward), i.e. the floor any env over the same matrix pays. Prints figures and ratios.
// The machine is shared: absolute figures are noisy (load average printed); the ratios are the stable part.
//   npx tsx scripts/bench/trading-env.ts [--seconds 2] [--n 64]
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import '../../envs/index.ts';
import { make, makeVec } from '../../src/core/index.ts';
import { Rng } from '../../src/core/rng.ts';
import type { TradingVectorEnv } from '../../envs/trading/trading-vector-env.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const SECONDS = opt('seconds', 2);
const N = opt('n', 64);
const KWARGS = { executor: { stopLossAtr: 2, takeProfitAtr: 3, maxHoldBars: 48 }, episodeLength: 2000 };

/**
 * Runs `step(k)` repeatedly for about `seconds` of wall time (after a warm-up) and returns calls per second of this
 * process's CPU time (user + system): on a box shared with other jobs, wall time also counts the time the scheduler
 * gave to them, while CPU time is what one core spent on this loop. Both are recorded in `lastWall`.
 */
let lastWall = 0;
function rate(step: (k: number) => void, seconds: number): number {
  for (let k = 0; k < 2000; k++) step(k);
  let calls = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < seconds * 1000) {
    for (let k = 0; k < 500; k++) step(calls + k);
    calls += 500;
    t = performance.now();
  }
  const c = process.cpuUsage(c0);
  lastWall = calls / ((t - t0) / 1000);
  return calls / ((c.user + c.system) / 1e6);
}

/**
 * Action batches drawn before timing (so the policy's cost is not counted): each sub-env keeps its action and redraws
 * it with probability p per step ("sticky"; p = 1 is a uniform random action every step). Cycled through.
 */
function actionTape(n: number, p: number, seed: number, steps = 4096): Int32Array[] {
  const rng = new Rng(seed);
  const cur = new Int32Array(n).fill(1);
  return Array.from({ length: steps }, () => {
    for (let i = 0; i < n; i++) if (rng.random() < p) cur[i] = rng.integer(3);
    return cur.slice();
  });
}

async function main(): Promise<void> {
  const venv = makeVec('tg4/Trading-v0', { numEnvs: N, kwargs: KWARGS }) as TradingVectorEnv;
  venv.reset({ seed: 0 });
  const core = venv.core;
  const d = core.data;
  const W = core.windowSize;
  const F = d.numFeatures;
  console.log(
    `data: ${d.symbols[0]} ${d.timeframe}, ${d.length} bars, ${F} features (default spec), window ${W}, obs dim ${core.obsDim}; N = ${N}`,
  );
  console.log(
    `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} on a shared 2-core box: absolute figures are noisy`,
  );
  console.log("rates are per second of this process's CPU time (one core); wall-clock rates in brackets");

  // Baseline: the executor-less replay loop over the same matrix, same window copy, N cursors.
  const obs = new Float32Array(N * core.obsDim);
  const rewards = new Float32Array(N);
  const bars = new Int32Array(N);
  const lo = core.minStart;
  const hi = d.rangeEnd - 2;
  for (let i = 0; i < N; i++) bars[i] = lo + ((i * 7919) % (hi - lo));
  const features = d.features;
  const close = d.close[0]!;
  // Per-row window views, as the env uses them (the fastest copy, see below): the baseline copies the same way.
  const views = Array.from({ length: hi + 2 }, (_, t) =>
    t >= W - 1 ? features.subarray((t - W + 1) * F, (t + 1) * F) : features.subarray(0, 0),
  );
  const replayStep = (): void => {
    for (let i = 0; i < N; i++) {
      let t = bars[i]! + 1;
      if (t > hi) t = lo;
      bars[i] = t;
      const o = i * core.obsDim;
      obs.set(views[t]!, o);
      obs[o + W * F] = 0;
      obs[o + W * F + 1] = 0;
      obs[o + W * F + 2] = 0;
      obs[o + W * F + 3] = 0;
      rewards[i] = Math.log(close[t]! / close[t - 1]!);
    }
  };
  const replay = rate(replayStep, SECONDS) * N;
  const replayWall = lastWall * N;

  const actions = new Int32Array(N).fill(1);
  const stickyTape = actionTape(N, 0.05, 1);
  const randomTape = actionTape(N, 1, 2);
  // Garbage collections during the timed vector-env run: the step loop allocates nothing (only a finished episode's
  // metrics object), so there should be next to none.
  let gcs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const vecSticky =
    rate((k) => {
      venv.step(stickyTape[k & 4095]!);
    }, SECONDS) * N;
  const vecStickyWall = lastWall * N;
  const stickySteps = Math.round(vecStickyWall * SECONDS);
  await new Promise((r) => setTimeout(r, 50)); // let the observer deliver
  const gcDuringVec = gcs;
  gcObserver.disconnect();
  actions.fill(1);
  const vecFlat =
    rate(() => {
      venv.step(actions);
    }, SECONDS) * N;
  const vecFlatWall = lastWall * N;
  const vecRandom =
    rate((k) => {
      venv.step(randomTape[k & 4095]!);
    }, SECONDS) * N;
  const vecRandomWall = lastWall * N;

  const env = make('tg4/Trading-v0', KWARGS);
  env.reset({ seed: 0 });
  const oneTape = actionTape(1, 0.05, 3);
  const single = rate((k) => {
    const r = env.step(oneTape[k & 4095]![0]!);
    if (r.terminated || r.truncated) env.reset();
  }, SECONDS);
  const singleWall = lastWall;

  // How to copy the window: per-row views + set (what the env does) vs alternatives, same N cursors.
  const shared = new Float32Array(features.length + N * core.obsDim);
  shared.set(features);
  const L = W * F;
  const copyVariants: [string, (t: number, i: number) => void][] = [
    ['set(prebuilt view)  [single env]', (t, i) => obs.set(views[t]!, i * core.obsDim)],
    ['set(subarray())', (t, i) => obs.set(features.subarray((t - W + 1) * F, (t + 1) * F), i * core.obsDim)],
    [
      'copyWithin (shared buffer)  [vector env]',
      (t, i) => shared.copyWithin(features.length + i * core.obsDim, (t - W + 1) * F, (t + 1) * F),
    ],
    [
      'JS loop',
      (t, i) => {
        const s0 = (t - W + 1) * F;
        const o = i * core.obsDim;
        for (let k = 0; k < L; k++) obs[o + k] = features[s0 + k]!;
      },
    ],
  ];
  // Scattered cursors, as in the env (each sub-env at its own bar): with one shared bar the source stays in L1 and
  // every variant looks 2-3x faster than it is in the env.
  const cursors = new Int32Array(N);
  const copyRates = copyVariants.map(([name, f]) => {
    for (let i = 0; i < N; i++) cursors[i] = lo + ((i * 7919) % (hi - lo));
    const r =
      rate(() => {
        for (let i = 0; i < N; i++) {
          let t = cursors[i]! + 1;
          if (t > hi) t = lo;
          cursors[i] = t;
          f(t, i);
        }
      }, SECONDS / 2) * N;
    return [name, r, lastWall * N] as const;
  });

  const fmt = (x: number): string => `${(x / 1e6).toFixed(3)} M/s`;
  console.log(`window copy only (${W}×${F} floats), N=${N} scattered cursors:`);
  for (const [name, v, w] of copyRates)
    console.log(`  ${name.padEnd(50)} ${fmt(v).padStart(12)} [${fmt(w)}]   ratio to replay ${(v / replay).toFixed(3)}`);
  const rows: [string, number, number][] = [
    [`replay loop (no executor), N=${N}  [baseline]`, replay, replayWall],
    [`vector env N=${N}, sticky policy (5%/step redraw)`, vecSticky, vecStickyWall],
    [`vector env N=${N}, always flat`, vecFlat, vecFlatWall],
    [`vector env N=${N}, random action every step`, vecRandom, vecRandomWall],
    ['single env (Env API, info objects), sticky', single, singleWall],
  ];
  for (const [name, v, w] of rows)
    console.log(`${name.padEnd(52)} ${fmt(v).padStart(12)} [${fmt(w)}]   ratio to replay ${(v / replay).toFixed(3)}`);
  console.log(
    `GC events during the vector-env sticky run (~${(stickySteps / 1e6).toFixed(1)} M sub-env steps): ${gcDuringVec}`,
  );
  console.log(
    `vector env (sticky) vs single env: ${(vecSticky / single).toFixed(1)}x; vs the 2 M/s aim: ${(vecSticky / 2e6).toFixed(2)}x`,
  );
  venv.close();
  env.close();
}

await main();
