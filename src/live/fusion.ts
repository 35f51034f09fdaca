// Signal fusion, as the bot's ML design draws it (features → model inference → signal fusion): how a model's decision
// and a baseline strategy's signals combine into the target that is traded. Every mode is a LivePolicy, so fusion
// runs unchanged in the live loop, in paper runs and through the backtest's episode loop (asTradingDecision), and each
// decision records its parts for the logs.
//  - alone:  the model's target.
//  - gate:   the baseline's target when the model agrees on its side (both long or both short), else flat.
//  - size:   the baseline's side, sized by the model's |target| (the ML position-size calculator); flat when either is.
//  - weight: Σ wᵢ·targetᵢ / Σ wᵢ over several policies.
// The fused target is mapped onto the action scheme's nearest level (discrete) or clipped (continuous).
import { toAction } from '../../agents/baselines/index.ts';
import type { ActionScheme } from '../../envs/trading/actions.ts';
import { targetExposure } from '../../envs/trading/actions.ts';
import { InvalidArgumentError } from '../core/errors.ts';
import type { DecisionInput, LivePolicy } from './policy.ts';

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
  const exits = policies.find((p) => p.executor !== undefined)?.executor;
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
