// Policies behind one interface for the live loop: a saved model folder (the typed-array forward pass), a baseline
// strategy, or a remote policy (see remote-policy.ts). The registry (src/registry, when it exists) resolves an alias to
// a model folder and hands it to modelPolicy: the seam is `resolvePolicy`'s `resolveAlias` option.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InferencePolicy } from '../../agents/infer/policy.ts';
import { BASELINE_NAMES, createBaseline, isBaselineName, toAction } from '../../agents/baselines/index.ts';
import type { ActionScheme } from '../../envs/trading/actions.ts';
import type { ExecutorConfig } from '../../envs/trading/config.ts';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { InvalidArgumentError } from '../core/errors.ts';
import type { SpaceJSON } from '../core/types.ts';
import type { TradingDecision } from '../../agents/common/trading-episode.ts';
import { isRemoteAddress, remotePolicy } from './remote-policy.ts';

/** What a policy sees at the close of bar t. */
export interface DecisionInput {
  /** Trading-v0 observation: [W feature rows | exposure, unrealized_pnl, time_in_trade | drawdown]. */
  obs: Float32Array;
  /** Bars ≤ t of the symbol (a view made on demand: policies that read only `obs` allocate nothing). */
  history(): MarketFrame;
  /** Index of the decision bar in `history()`. */
  t: number;
  /** Current exposure (signed notional / equity). */
  exposure: number;
  /** Allowed discrete actions (1 = allowed); null for continuous schemes. */
  mask: Uint8Array | null;
}

export interface LivePolicy {
  readonly name: string;
  /** 'model' | 'baseline' | 'remote', and where it came from (for logs and the status line). */
  readonly kind: 'model' | 'baseline' | 'remote';
  readonly source: string;
  /** Spec hash the policy was trained with; null when it reads no features (baselines). */
  readonly featureSpecHash: string | null;
  /** Exits the policy sets itself (a baseline's stop / target in ATR multiples), over the run's executor config. */
  readonly executor?: Readonly<Partial<ExecutorConfig>>;
  /**
   * A raw action of the env's scheme: a discrete index, or a value in [−1, 1]. A remote policy answers with a Promise
   * (it must copy `obs` and `mask` before returning: the buffers are reused for the next decision).
   */
  decide(input: DecisionInput): number | Promise<number>;
  /** Checks made once before the first decision (a remote policy's handshake). */
  ready?(): Promise<void>;
  close?(): void;
}

export interface PolicyContext {
  scheme: ActionScheme;
  obsSize: number;
  actionSpace: SpaceJSON;
  specHash: string;
  seed?: number;
}

export function baselinePolicy(name: string, ctx: PolicyContext): LivePolicy {
  const b = createBaseline(name, ctx.seed ?? 0);
  const scale = ctx.scheme.exposure;
  return {
    name,
    kind: 'baseline',
    source: name,
    featureSpecHash: null,
    ...(b.executor !== undefined ? { executor: b.executor } : {}),
    decide(input: DecisionInput): number {
      // Baselines precompute causal signals over a frame; entry t uses bars ≤ t, so the history so far gives the
      // backtest's value at t.
      b.prepare(input.history());
      return toAction(ctx.scheme, b.position(input.t, input.exposure / scale));
    },
  };
}

/** A saved model folder, checked against the live observation size, action space and feature-spec hash. */
export function modelPolicy(dir: string, ctx: PolicyContext, name?: string): LivePolicy {
  const p = InferencePolicy.load(dir, {
    obsSize: ctx.obsSize,
    actionSpace: ctx.actionSpace,
    featureSpecHash: ctx.specHash,
  });
  // A model trained to act every k bars would trade far more often deciding on every closed bar, which is all this
  // loop does yet: refuse it rather than run it under other conditions than it was trained and tested in.
  const k = (p.model.manifest as { envKwargs?: { decisionInterval?: unknown } }).envKwargs?.decisionInterval;
  if (k !== undefined && k !== 1)
    throw new InvalidArgumentError(
      `${dir} was trained acting every ${String(k)} bars (decisionInterval ${String(k)}); the live loop and its fusions decide on every closed bar and cannot run it as trained: test it with \`tg4 backtest --policy ${dir}\` (which keeps its interval), or train a model with --kwargs '{"decisionInterval":1}' to run it live`,
    );
  const masked = p.usesActionMasks;
  return {
    name: name ?? dir.replace(/\/+$/, '').split('/').slice(-2).join('-'),
    kind: 'model',
    source: dir,
    featureSpecHash: ctx.specHash,
    decide(input: DecisionInput): number {
      const a = p.decide(input.obs, masked && input.mask !== null ? input.mask : undefined);
      return typeof a === 'number' ? a : a[0]!;
    },
  };
}

/**
 * A live policy as the backtest's episode loop calls a decision (agents/common/trading-episode.ts): the same inputs
 * the lane gives it, read from the env, so that a policy (a fusion included) runs in `tg4 backtest`'s loop unchanged.
 */
export function asTradingDecision(policy: LivePolicy): TradingDecision {
  let mask: Uint8Array | null = null;
  return (obs, env) => {
    if (env.scheme.discrete) mask = env.actionMasks();
    const a = policy.decide({
      obs,
      history: () => env.data.frames[0]!,
      t: env.barIndex,
      exposure: env.currentExposure,
      mask,
    });
    if (typeof a !== 'number')
      throw new InvalidArgumentError(
        `policy ${policy.name} answers asynchronously: the backtest loop needs a local policy`,
      );
    return env.scheme.discrete ? a : Float32Array.of(a);
  };
}

/** Whether `spec` reads as a registry reference: name@alias or name/vNNNN (a folder of that name wins). */
export function isRegistryRef(spec: string): boolean {
  return /^[A-Za-z0-9][\w.-]*(@[\w.-]+|\/v\d{4,})$/.test(spec);
}

export interface ResolveOptions {
  /** Registry seam: alias (e.g. 'champion') → model folder; return null when the name is not an alias. */
  resolveAlias?: (name: string) => string | null;
}

/** `--policy` → a policy: a baseline name, a model folder, or (through resolveAlias) a registry alias. */
export function resolvePolicy(spec: string, ctx: PolicyContext, o: ResolveOptions = {}): LivePolicy {
  if (isBaselineName(spec)) return baselinePolicy(spec, ctx);
  if (isRemoteAddress(spec)) return remotePolicy(spec, ctx);
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    if (!existsSync(join(spec, 'manifest.json')))
      throw new InvalidArgumentError(
        `--policy: '${spec}' holds no manifest.json: pass a model version folder (models/<name>/v0001) or a baseline`,
      );
    return modelPolicy(spec, ctx);
  }
  const dir = o.resolveAlias?.(spec) ?? null;
  if (dir !== null) return modelPolicy(dir, ctx, spec);
  throw new InvalidArgumentError(
    `--policy: '${spec}' is neither a baseline (${BASELINE_NAMES.join(', ')}), a model folder, a registry reference, nor a tcp:// or ipc:// policy server`,
  );
}
