// Signal fusion, as the bot's ML design draws it (features → model inference → signal fusion): how a model's decision
// and a baseline strategy's signals combine into the target that is traded. Every mode is a LivePolicy, so fusion
// runs unchanged in the live loop, in paper runs and through the backtest's episode loop (asTradingDecision), and each
// decision records its parts for the logs.
//  - alone:  the model's target.
//  - gate:   the baseline's target when the model agrees on its side (both long or both short), else flat.
//  - size:   the baseline's side, sized by the model's |target| (the ML position-size calculator); flat when either is.
//  - weight: Σ wᵢ·targetᵢ / Σ wᵢ over several policies.
// The fused target is mapped onto the action scheme's nearest level (discrete) or clipped (continuous).
import { createBaseline, isBaselineName, toAction } from '../../agents/baselines/index.ts';
import type { PolicyRef } from '../../agents/common/model-runner.ts';
import type { ActionScheme } from '../../envs/trading/actions.ts';
import { targetExposure } from '../../envs/trading/actions.ts';
import type { ExecutorConfig } from '../../envs/trading/config.ts';
import type { TradingEnv } from '../../envs/trading/trading-env.ts';
import type { SpaceJSON } from '../core/types.ts';
import { InvalidArgumentError } from '../core/errors.ts';
import { asTradingDecision, type DecisionInput, type LivePolicy, type PolicyContext } from './policy.ts';

export type FusionMode = 'alone' | 'gate' | 'size' | 'weight';
export const FUSION_MODES: readonly FusionMode[] = ['alone', 'gate', 'size', 'weight'];

export interface FusedPolicy extends LivePolicy {
  readonly mode: FusionMode;
  /** The parts of the last decision: each policy's target and the fused target (for the logs). */
  readonly lastParts: Record<string, number>;
}

/**
 * Fuses `policies` (gate/size: [model, baseline]; weight: any number with `weights`). Exits a baseline sets itself
 * (its stop/target) apply to the fused trades, as they would to the baseline's own.
 */
export function fusePolicies(
  mode: FusionMode,
  policies: readonly LivePolicy[],
  scheme: ActionScheme,
  weights?: readonly number[],
): FusedPolicy {
  if (!FUSION_MODES.includes(mode))
    throw new InvalidArgumentError(`fusion mode '${String(mode)}' is not one of ${FUSION_MODES.join(', ')}`);
  const need = mode === 'alone' ? 1 : mode === 'weight' ? 2 : 2;
  if (mode === 'weight' ? policies.length < need : policies.length !== need)
    throw new InvalidArgumentError(
      `fusion '${mode}' takes ${mode === 'alone' ? 'one policy' : mode === 'weight' ? 'two or more policies' : 'a model and a baseline, in that order'}; got ${policies.length}`,
    );
  const w = weights ?? policies.map(() => 1);
  if (
    mode === 'weight' &&
    (w.length !== policies.length ||
      w.some((x) => !(x >= 0 && Number.isFinite(x))) ||
      w.reduce((a, b) => a + b, 0) <= 0)
  )
    throw new InvalidArgumentError(
      `fusion 'weight' needs one weight ≥ 0 per policy with a positive sum; got [${w.join(', ')}]`,
    );
  const parts: Record<string, number> = {};
  const sub = (p: LivePolicy, input: DecisionInput): number => {
    const a = p.decide(input);
    if (typeof a !== 'number')
      throw new InvalidArgumentError(`fusion: policy ${p.name} answers asynchronously; fuse local policies`);
    const t = targetExposure(scheme, a, `policy ${p.name}`);
    parts[p.name] = t;
    return t;
  };
  const name = mode === 'alone' ? policies[0]!.name : `${mode}(${policies.map((p) => p.name).join('+')})`;
  const exits = fusedExits(policies);
  const hashes = [...new Set(policies.map((p) => p.featureSpecHash).filter((h): h is string => h !== null))];
  if (hashes.length > 1)
    throw new InvalidArgumentError(
      `fused policies read different feature specs (${hashes.map((h) => h.slice(0, 12)).join(', ')})`,
    );
  return {
    name,
    mode,
    kind: policies.some((p) => p.kind === 'model') ? 'model' : policies[0]!.kind,
    source: policies.map((p) => p.source).join(' + '),
    featureSpecHash: hashes[0] ?? null,
    ...(exits !== undefined ? { executor: exits } : {}),
    lastParts: parts,
    decide(input: DecisionInput): number {
      let target: number;
      if (mode === 'alone') target = sub(policies[0]!, input);
      else if (mode === 'weight') {
        let s = 0;
        let ws = 0;
        policies.forEach((p, i) => {
          s += w[i]! * sub(p, input);
          ws += w[i]!;
        });
        target = s / ws;
      } else {
        const m = sub(policies[0]!, input);
        const b = sub(policies[1]!, input);
        if (mode === 'gate') target = b !== 0 && m !== 0 && b > 0 === m > 0 ? b : 0;
        else target = b === 0 || m === 0 ? 0 : Math.sign(b) * Math.abs(m);
      }
      parts.fused = target;
      return toAction(scheme, target / scheme.exposure);
    },
  };
}

/** The exits a fusion trades under: those of its first policy that sets its own (a baseline's stop / target). */
function fusedExits(policies: readonly Pick<LivePolicy, 'executor'>[]): Readonly<Partial<ExecutorConfig>> | undefined {
  return policies.find((p) => p.executor !== undefined)?.executor;
}

export interface FusionFlags {
  mode: FusionMode;
  weights?: number[];
}

/**
 * `--fusion <mode>` and `--weights <list>` over a `--policy` list, as `tg4 live` and `tg4 backtest` both take them:
 * null when there is nothing to fuse (one policy, no --fusion); a clear error for any bad combination.
 */
export function parseFusionFlags(policies: readonly string[], fusion?: string, weights?: string): FusionFlags | null {
  if (fusion === undefined) {
    if (weights !== undefined) throw new InvalidArgumentError('--weights goes with --fusion weight');
    return null;
  }
  if (!(FUSION_MODES as readonly string[]).includes(fusion))
    throw new InvalidArgumentError(`--fusion '${fusion}' is not one of ${FUSION_MODES.join(', ')}`);
  const mode = fusion as FusionMode;
  if (weights !== undefined && mode !== 'weight')
    throw new InvalidArgumentError(`--weights goes with --fusion weight, not '${mode}'`);
  const w = weights?.split(',').map((x) => {
    const n = Number(x);
    if (x.trim() === '' || !Number.isFinite(n))
      throw new InvalidArgumentError(`--weights must be comma-separated numbers (got "${weights}")`);
    return n;
  });
  if (w !== undefined && w.length !== policies.length)
    throw new InvalidArgumentError(`--weights gives ${w.length} weights for ${policies.length} policies`);
  return w !== undefined ? { mode, weights: w } : { mode };
}

/**
 * A fusion of `specs` as the backtest's model runner runs it (agents/common/model-runner.ts, a 'decision' ref): the
 * same fusePolicies over policies loaded for the env it runs on, decided through asTradingDecision, under the exits a
 * baseline among the specs sets (refused if the fused policy would trade under others: no silently different run).
 */
export function fusedDecisionRef(
  specs: readonly string[],
  flags: FusionFlags,
  resolve: (spec: string, ctx: PolicyContext) => LivePolicy,
  seed = 0,
): PolicyRef & { kind: 'decision' } {
  const executor = fusedExits(specs.map((s) => (isBaselineName(s) ? { executor: createBaseline(s).executor } : {})));
  // The name live gives it (a model folder shows as its last two path parts, as modelPolicy names it).
  const short = (s: string): string => s.replace(/\/+$/, '').split('/').slice(-2).join('-');
  return {
    kind: 'decision',
    name: flags.mode === 'alone' ? short(specs[0]!) : `${flags.mode}(${specs.map(short).join('+')})`,
    ...(executor !== undefined ? { executor } : {}),
    decision(env: TradingEnv) {
      const ctx: PolicyContext = {
        scheme: env.scheme,
        obsSize: env.core.obsDim,
        actionSpace: env.actionSpace.toJSON() as SpaceJSON,
        specHash: env.data.specHash ?? '',
        seed,
      };
      const fused = fusePolicies(
        flags.mode,
        specs.map((s) => resolve(s, ctx)),
        env.scheme,
        flags.weights,
      );
      if (JSON.stringify(fused.executor) !== JSON.stringify(executor))
        throw new InvalidArgumentError(
          `fusion ${fused.name}: its policies set exits ${JSON.stringify(fused.executor ?? {})}, expected ${JSON.stringify(executor ?? {})}`,
        );
      return asTradingDecision(fused);
    },
  };
}
