// Deterministic evaluation, as SB3's evaluate_policy: run until each sub-env has finished its share of the episodes
// (so that short episodes do not crowd out long ones) and report the returns.
import type { AgentVectorEnv } from './vec-env.ts';
import { ActionEncoder, describeEnv } from './vec-env.ts';
import type { ActionSpec } from './spaces.ts';
import { actionWidth } from './spaces.ts';

/** Writes the agent's actions (index or unclipped box values) for `n` raw observations; `masks` (n × actions) when asked. */
export type ActFn = (obs: Float32Array, n: number, actions: Float32Array, masks?: Uint8Array | null) => void;

export interface EvalResult {
  returns: number[];
  lengths: number[];
  /** The info of each episode's last step (its `final_info` under same-step autoreset): trading envs put `metrics` there. */
  lastInfos?: Record<string, unknown>[];
  /** Whether each episode ended by termination (for trading: the ruin or drawdown stop), not truncation. */
  terminated?: boolean[];
  mean: number;
  std: number;
}

/** `useActionMasks`: read the env's action masks before each step and hand them to `act` (maskable models). */
export async function evaluate(
  env: AgentVectorEnv,
  act: ActFn,
  episodes: number,
  seed: number,
  opts: { useActionMasks?: boolean } = {},
): Promise<EvalResult> {
  const readMasks = opts.useActionMasks && env.actionMasks ? env.actionMasks.bind(env) : null;
  const shape = describeEnv(env);
  const n = env.numEnvs;
  const spec: ActionSpec = shape.action;
  const enc = new ActionEncoder(spec, n);
  const actions = new Float32Array(n * actionWidth(spec));
  const targets = Array.from({ length: n }, (_, i) => Math.floor((episodes + i) / n));
  const counts = new Array<number>(n).fill(0);
  const current = new Float64Array(n);
  const lens = new Int32Array(n);
  const returns: number[] = [];
  const lengths: number[] = [];
  const lastInfos: Record<string, unknown>[] = [];
  const terminated: boolean[] = [];
  let obs = (await env.reset({ seed })).observations;
  while (returns.length < episodes) {
    act(obs, n, actions, readMasks ? await readMasks() : null);
    const r = await env.step(enc.encode(actions, n));
    for (let i = 0; i < n; i++) {
      current[i] += r.rewards[i]!;
      lens[i]++;
      if (r.terminated[i] || r.truncated[i]) {
        if (counts[i]! < targets[i]!) {
          returns.push(current[i]!);
          lengths.push(lens[i]!);
          const info = (r.infos[i] ?? {}) as Record<string, unknown>;
          lastInfos.push((info['final_info'] as Record<string, unknown> | undefined) ?? info);
          terminated.push(r.terminated[i] === 1);
          counts[i]!++;
        }
        current[i] = 0;
        lens[i] = 0;
      }
    }
    obs = r.observations;
  }
  return { returns, lengths, lastInfos, terminated, ...meanStd(returns) };
}

/** Mean and population standard deviation of episode returns (as SB3's evaluate_policy reports them). */
export function meanStd(returns: readonly number[]): { mean: number; std: number } {
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
  return { mean, std };
}
