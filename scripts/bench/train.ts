// Benchmark of the built-in agents (issue 9): wall time for PPO and DQN to solve CartPole-v1 (mean ≥ 475 over 20
// deterministic episodes, evaluated periodically) on the default backend from a fixed seed; env steps/s, gradient
// updates/s, share of time in env stepping vs network compute; the typed-array forward pass vs tfjs batch-1 predict.
// Baselines measured in the same run: raw env throughput, tfjs predict, and one PPO update on the cpu backend.
// Reference (not re-measured here: no PyTorch on this box now): SB3 + PyTorch on the same 2-core machine took
// 27–46 s for PPO 100k steps (rl-zoo CartPole preset, reached 500) and 50–79 s for DQN 50k steps.
//   npx tsx scripts/bench/train.ts [--quick] [--ppo-only|--dqn-only] [--seed N]
import * as tf from '@tensorflow/tfjs';
import '../../envs/index.ts';
import { makeVec } from '../../src/core/registry.ts';
import { Rng } from '../../src/core/rng.ts';
import { selectBackend } from '../../agents/common/backend.ts';
import { runTraining, type TrainRunResult } from '../../agents/common/train-run.ts';
import { mlp, applyLayers, typedForward } from '../../agents/common/mlp.ts';
import { ActorCritic } from '../../agents/common/actor-critic.ts';
import { ClippedAdam } from '../../agents/common/optim.ts';
import { ppoLoss, PPO_DEFAULTS } from '../../agents/ppo/ppo.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const seedArg = args.indexOf('--seed');
const seed = seedArg >= 0 ? Number(args[seedArg + 1]) : 1;
const runPpo = !args.includes('--dqn-only');
const runDqn = !args.includes('--ppo-only');
const SB3 = { ppo100k: [27, 46], dqn50k: [50, 79] };

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function line(s: string): void {
  process.stdout.write(s + '\n');
}

async function envThroughput(): Promise<number> {
  const env = makeVec('CartPole-v1', { numEnvs: 8, autoresetMode: 'same-step' });
  env.reset({ seed: 0 });
  const actions = new Int32Array(8);
  const rng = new Rng(0);
  const n = 20_000;
  const t0 = performance.now();
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < 8; i++) actions[i] = rng.integer(2);
    env.step(actions);
  }
  env.close();
  return (n * 8) / ((performance.now() - t0) / 1000);
}

/** Per-call cost in µs by this process's CPU time (what a decision costs when the core is not shared) and by wall time. */
function forwardPass(): { typedUs: number; typedWallUs: number; tfjsUs: number; maxErr: number } {
  const rng = new Rng(3);
  const layers = mlp('bench', 4, 2, { hidden: [64, 64], activation: 'tanh', init: 'orthogonal', outputGain: 1 }, rng);
  const fwd = typedForward(layers, 1);
  const x = Float32Array.from({ length: 4 }, () => rng.normal());
  const out = new Float32Array(2);
  for (let i = 0; i < 5000; i++) fwd.run(x, 1, out);
  const n = 100_000;
  const t0 = performance.now();
  let c0 = cpuSeconds();
  for (let i = 0; i < n; i++) fwd.run(x, 1, out);
  const typedUs = ((cpuSeconds() - c0) * 1e6) / n;
  const typedWallUs = ((performance.now() - t0) * 1000) / n;
  const m = 2000;
  const xt = tf.tensor2d(x, [1, 4]);
  for (let i = 0; i < 200; i++) tf.tidy(() => applyLayers(layers, xt).dataSync());
  c0 = cpuSeconds();
  let ref: Float32Array = new Float32Array(2);
  for (let i = 0; i < m; i++) ref = tf.tidy(() => applyLayers(layers, xt).dataSync() as Float32Array);
  const tfjsUs = ((cpuSeconds() - c0) * 1e6) / m;
  xt.dispose();
  const maxErr = Math.max(Math.abs(ref[0]! - out[0]!), Math.abs(ref[1]! - out[1]!));
  for (const l of layers) l.dispose();
  return { typedUs, typedWallUs, tfjsUs, maxErr };
}

/** Milliseconds per PPO update (rl-zoo CartPole shapes: batch 256, 64-64 actor and critic) on the active backend. */
function ppoUpdateMs(n: number): { cpuMs: number; wallMs: number } {
  const rng = new Rng(2);
  const policy = new ActorCritic(4, { kind: 'discrete', n: 2, start: 0 }, PPO_DEFAULTS.policy, rng, 8);
  const opt = new ClippedAdam(policy.variables(), 1e-3, 1e-5, 0.5);
  const B = 256;
  const obs = Float32Array.from({ length: B * 4 }, () => rng.normal());
  const act = Float32Array.from({ length: B }, () => rng.integer(2));
  const v = Float32Array.from({ length: B }, () => rng.normal());
  const step = (): void => {
    const norm = opt.step(() => {
      const t = {
        obs: tf.tensor2d(obs, [B, 4]),
        actions: tf.tensor1d(act),
        oldLogProbs: tf.fill([B], -0.69) as tf.Tensor1D,
        advantages: tf.tensor1d(v),
        returns: tf.tensor1d(v),
        oldValues: tf.tensor1d(v),
      };
      return ppoLoss(policy, t, 0.2, null, 0, 0.5).loss;
    });
    void norm;
  };
  for (let i = 0; i < 5; i++) step();
  const t0 = performance.now();
  const c0 = cpuSeconds();
  for (let i = 0; i < n; i++) step();
  const cpuMs = ((cpuSeconds() - c0) * 1000) / n;
  const wallMs = (performance.now() - t0) / n;
  opt.dispose();
  policy.dispose();
  return { cpuMs, wallMs };
}

function summarize(
  name: string,
  r: TrainRunResult,
  wallS: number,
  cpuS: number,
  sb3: number[],
  sb3Steps: number,
): void {
  const t = r.train;
  const envShare = t.envMs / (t.envMs + t.netMs);
  line(
    `${name}: ${t.steps} steps in ${wallS.toFixed(1)} s wall (${cpuS.toFixed(1)} s CPU of this process); ${(t.steps / wallS).toFixed(0)} env steps/s, ${(t.updates / wallS).toFixed(1)} gradient updates/s (${t.updates} updates)`,
  );
  line(
    `  time in env stepping ${(100 * envShare).toFixed(1)}%, in network compute (acting + learning) ${(100 * (1 - envShare)).toFixed(1)}%`,
  );
  line(
    `  evaluations (steps: mean of 10/20 deterministic episodes): ${r.evals.map((e) => `${e.steps}:${e.mean.toFixed(0)}`).join(' ')}`,
  );
  if (r.solvedAt) {
    line(
      `  SOLVED: mean ${r.solvedAt.mean.toFixed(1)} ± ${r.solvedAt.std.toFixed(1)} over 20 deterministic episodes at ${r.solvedAt.steps} steps, ${r.solvedAt.elapsedS.toFixed(1)} s wall`,
    );
    const cpuToSolve = cpuS * (r.solvedAt.elapsedS / wallS);
    line(
      `  vs SB3+PyTorch ${sb3Steps / 1000}k steps ${sb3[0]}–${sb3[1]} s wall (reference): our time to solve is ${(r.solvedAt.elapsedS / sb3[1]!).toFixed(2)}–${(r.solvedAt.elapsedS / sb3[0]!).toFixed(2)}× theirs by wall clock, ` +
        `${(cpuToSolve / sb3[1]!).toFixed(2)}–${(cpuToSolve / sb3[0]!).toFixed(2)}× by CPU time (~${cpuToSolve.toFixed(1)} s CPU; < 1 = faster)`,
    );
  } else {
    line(
      `  NOT SOLVED within ${t.steps} steps (final deterministic eval ${r.finalEval.mean.toFixed(1)} ± ${r.finalEval.std.toFixed(1)})`,
    );
  }
  line(
    `  final deterministic eval: ${r.finalEval.mean.toFixed(1)} ± ${r.finalEval.std.toFixed(1)} over ${r.finalEval.returns.length} episodes`,
  );
}

const backend = await selectBackend('wasm');
line(
  `backend: ${backend.active} (default); seed ${seed}; machine load: ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} (shared 2-core box: wall figures are noisy)`,
);

const envSps = await envThroughput();
line(`baseline: CartPole-v1 vector env alone (8 sub-envs, random actions): ${envSps.toFixed(0)} steps/s`);

const fp = forwardPass();
line(
  `forward pass 2×64 tanh, batch 1 (CPU time per decision): typed arrays ${fp.typedUs.toFixed(2)} µs vs tfjs ${fp.tfjsUs.toFixed(1)} µs (${(fp.tfjsUs / fp.typedUs).toFixed(1)}× faster; max |Δ| ${fp.maxErr.toExponential(1)}); target < 20 µs: ${fp.typedUs < 20 ? 'met' : 'NOT met'} (wall ${fp.typedWallUs.toFixed(2)} µs on the shared box)`,
);

const wasmMs = ppoUpdateMs(quick ? 20 : 60);
await selectBackend('cpu');
const cpuMs = ppoUpdateMs(quick ? 5 : 20);
await selectBackend('wasm');
line(
  `one PPO update (batch 256, 64-64 actor + critic, Adam, grad clip), CPU time: wasm ${wasmMs.cpuMs.toFixed(2)} ms vs cpu backend ${cpuMs.cpuMs.toFixed(2)} ms (wasm ${(cpuMs.cpuMs / wasmMs.cpuMs).toFixed(1)}× faster; wall ${wasmMs.wallMs.toFixed(1)} / ${cpuMs.wallMs.toFixed(1)} ms)`,
);

if (runPpo) {
  const w0 = performance.now();
  const c0 = cpuSeconds();
  const r = await runTraining({
    envId: 'CartPole-v1',
    agent: 'ppo',
    seed,
    steps: quick ? 30_720 : 100_000,
    evalFreq: 5120,
    evalEpisodes: 20,
    stopAtReturn: 475,
    dryRun: true,
  });
  summarize(
    'PPO CartPole-v1 (rl-zoo preset, stop at first eval ≥ 475)',
    r,
    (performance.now() - w0) / 1000,
    cpuSeconds() - c0,
    SB3.ppo100k,
    100_000,
  );
}

if (runDqn) {
  const w0 = performance.now();
  const c0 = cpuSeconds();
  const r = await runTraining({
    envId: 'CartPole-v1',
    agent: 'dqn',
    seed,
    steps: quick ? 20_000 : 50_000,
    evalFreq: 2560,
    evalEpisodes: 20,
    stopAtReturn: 475,
    dryRun: true,
  });
  summarize(
    'DQN CartPole-v1 (rl-zoo preset, 50k budget, stop at first eval ≥ 475)',
    r,
    (performance.now() - w0) / 1000,
    cpuSeconds() - c0,
    SB3.dqn50k,
    50_000,
  );
}
