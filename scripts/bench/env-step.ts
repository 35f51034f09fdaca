// CartPole-v1 steps per second: the single env through the full Env API, a SyncVectorEnv of 64, the batched
// CartPoleVectorEnv of 64 (what makeVec gives), each against a bare hand-written step loop over the same 64 carts
// measured in the same run. Targets (issue 3): batched vec64 >= 5 M sub-env steps/s and >= 0.5x the bare loop.
// Rounds are interleaved, timed in CPU seconds, and the median is reported, because the machine is shared and noisy.
// Usage: npx tsx scripts/bench/env-step.ts [--rounds 5] [--json]
import '../../envs/index.ts';
import { make, makeVec, Rng } from '../../src/core/index.ts';
import type { VectorEnv } from '../../src/core/index.ts';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 5;
const asJson = args.includes('--json');
const N = 64;
const BATCHES = 1024;

// The same pre-drawn random actions for every contender.
const rng = new Rng(0);
const actionData = new Int32Array(N * BATCHES);
for (let i = 0; i < actionData.length; i++) actionData[i] = rng.integer(2);
const actionRows = Array.from({ length: BATCHES }, (_, b) => actionData.subarray(b * N, b * N + N));

// --- Baseline: a plain CartPole step function (Gymnasium's equations) over a Float64Array of 64 states. ---
const G = 9.8,
  MP = 0.1,
  TM = 1.1,
  L = 0.5,
  PML = 0.05,
  F = 10,
  TAU = 0.02,
  TH = (12 * 2 * Math.PI) / 360,
  XT = 2.4;
function bareStep(s: Float64Array, o: number, action: number): boolean {
  const x = s[o]!,
    v = s[o + 1]!,
    th = s[o + 2]!,
    w = s[o + 3]!;
  const force = action === 1 ? F : -F;
  const c = Math.cos(th),
    sn = Math.sin(th);
  const temp = (force + PML * (w * w) * sn) / TM;
  const ta = (G * sn - c * temp) / (L * (4 / 3 - (MP * (c * c)) / TM));
  const xa = temp - (PML * ta * c) / TM;
  s[o] = x + TAU * v;
  s[o + 1] = v + TAU * xa;
  s[o + 2] = th + TAU * w;
  s[o + 3] = w + TAU * ta;
  return s[o]! < -XT || s[o]! > XT || s[o + 2]! < -TH || s[o + 2]! > TH;
}
function runBare(batches: number): number {
  const state = new Float64Array(N * 4);
  const steps = new Int32Array(N);
  const r = new Rng(1);
  for (let k = 0; k < N * 4; k++) state[k] = r.uniform(-0.05, 0.05);
  for (let b = 0; b < batches; b++) {
    const acts = actionRows[b & (BATCHES - 1)]!;
    for (let i = 0; i < N; i++) {
      if (bareStep(state, i * 4, acts[i]!) || ++steps[i]! >= 500) {
        for (let k = 0; k < 4; k++) state[i * 4 + k] = r.uniform(-0.05, 0.05);
        steps[i] = 0;
      }
    }
  }
  return batches * N;
}

function runVector(env: VectorEnv, batches: number): number {
  for (let b = 0; b < batches; b++) env.step(actionRows[b & (BATCHES - 1)]!);
  return batches * N;
}

const single = make<Float32Array, number>('CartPole-v1');
single.reset({ seed: 0 });
function runSingle(stepsWanted: number): number {
  for (let t = 0; t < stepsWanted; t++) {
    const r = single.step(actionData[t & (actionData.length - 1)]!);
    if (r.terminated || r.truncated) single.reset();
  }
  return stepsWanted;
}

const batched = makeVec('CartPole-v1', { numEnvs: N });
batched.reset({ seed: 0 });
const sync = makeVec('CartPole-v1', { numEnvs: N, vectorizationMode: 'sync' });
sync.reset({ seed: 0 });

type Contender = { name: string; run: () => number };
const contenders: Contender[] = [
  { name: 'bare step loop (64 carts, baseline)', run: () => runBare(20_000) },
  { name: 'CartPoleVectorEnv x64 (makeVec, batched)', run: () => runVector(batched, 20_000) },
  { name: 'SyncVectorEnv x64 (64 CartPole-v1 envs)', run: () => runVector(sync, 1_500) },
  { name: 'single env (make, Env API + TimeLimit)', run: () => runSingle(150_000) },
];

// Steps per CPU second of this process (user + system): on a box shared with other jobs, wall time mostly measures
// how long we waited for a core. The loops are single-threaded, so CPU time is the time they actually ran.
function rate(c: Contender): number {
  const t0 = process.cpuUsage();
  const steps = c.run();
  const d = process.cpuUsage(t0);
  return steps / ((d.user + d.system) / 1e6);
}

for (const c of contenders) rate(c); // warm-up: let V8 optimise every loop first
const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
for (let r = 0; r < rounds; r++) for (const c of contenders) samples.get(c.name)!.push(rate(c));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const result = contenders.map((c) => ({ name: c.name, stepsPerSecond: median(samples.get(c.name)!) }));
const bare = result[0]!.stepsPerSecond;
const vec = result[1]!.stepsPerSecond;
const targets = { vec64MinStepsPerSecond: 5e6, vec64MinRatioToBare: 0.5 };
const pass = vec >= targets.vec64MinStepsPerSecond && vec / bare >= targets.vec64MinRatioToBare;

if (asJson) {
  process.stdout.write(
    `${JSON.stringify({ rounds, numEnvs: N, result: result.map((r) => ({ ...r, ratioToBare: r.stepsPerSecond / bare })), targets, pass }, null, 2)}\n`,
  );
} else {
  process.stdout.write(
    `CartPole-v1 env-step benchmark (median of ${rounds} interleaved rounds, steps per CPU-second; shared machine, figures are noisy)\n`,
  );
  for (const r of result) {
    process.stdout.write(
      `  ${r.name.padEnd(44)} ${(r.stepsPerSecond / 1e6).toFixed(2).padStart(7)} M steps/s   ${(r.stepsPerSecond / bare).toFixed(3)}x bare\n`,
    );
  }
  process.stdout.write(
    `  target: batched vec64 >= 5 M steps/s and >= 0.5x bare → ${(vec / 1e6).toFixed(2)} M/s, ${(vec / bare).toFixed(3)}x: ${pass ? 'PASS' : 'BELOW TARGET'}\n`,
  );
}
