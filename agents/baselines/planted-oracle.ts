// The best policies of each planted-signal market, as baseline policies that run through the very trading env (fees,
// slippage, fills) that a learner trains on.
// - The oracle knows the process and its parameters but not the future or the hidden state: it filters the hidden
//   state from the closes seen so far (an HMM forward filter, the deviation from the known anchor, a Kalman filter)
//   and trades only when the expected edge beats the round-trip cost (hysteresis), so that costs do not eat it. Its
//   net return is the target a learner is measured against: the best a policy that sees only prices can be expected
//   to do.
// - The clairvoyant also knows the hidden state at each bar (not the future returns): an upper bound no causal
//   policy reaches, reported beside the oracle so that a reader sees how much the filtering costs.
import type { MarketFrame } from '../../replay/market-frame.ts';
import type { BaselinePolicy } from './policy.ts';
import type { PlantedMarket } from '../../envs/planted/processes.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';

/** Hysteresis of the oracles, per kind (documented in docs/evaluation.md). */
export const ORACLE_RULES: OracleRules = {
  /** Take a side when the filtered probability of its regime reaches this; hold it until the other side does. */
  regime: { enter: 0.9 },
  /** Enter when the deviation is `enter` stationary std devs from the anchor; exit when it crosses `exit`. */
  'mean-revert': { enter: 1, exit: 0 },
  /** Take a side when the filtered drift exceeds `enter` × its stationary std; flat when it changes sign. */
  momentum: { enter: 0.25 },
};

export interface OracleRules {
  regime: { enter: number };
  'mean-revert': { enter: number; exit: number };
  momentum: { enter: number };
}

/** Target position per bar (decision at bar t's close), given the state estimate; `current` is the position held. */
type Rule = (t: number, current: number) => number;

function filteredState(market: PlantedMarket, frame: MarketFrame, clairvoyant: boolean): Float64Array {
  const n = frame.length;
  const est = new Float64Array(n);
  const p = market.params;
  if (clairvoyant || p.kind === 'mean-revert') {
    if (p.kind !== 'mean-revert') {
      est.set(market.hidden.subarray(0, n));
      return est;
    }
    // The deviation from the known anchor is observable from the closes: x_t = ln(c_t / c_0) + x_0 + drift·t.
    const c0 = frame.close[0]!;
    for (let t = 0; t < n; t++) est[t] = Math.log(frame.close[t]! / c0) + market.hidden[0]! + market.drift * t;
    return est;
  }
  if (p.kind === 'regime') {
    // Forward filter of the two-state HMM: est[t] = P(s_t = +1 | r_1..r_t).
    const q = p.switchProb;
    const inv2s2 = 1 / (2 * p.sigma * p.sigma);
    let up = 0.5;
    est[0] = up;
    for (let t = 1; t < n; t++) {
      const r = Math.log(frame.close[t]! / frame.close[t - 1]!) + market.drift;
      const prior = up * (1 - q) + (1 - up) * q;
      const lu = Math.exp(-(r - p.mu) * (r - p.mu) * inv2s2);
      const ld = Math.exp(-(r + p.mu) * (r + p.mu) * inv2s2);
      const num = prior * lu;
      const den = num + (1 - prior) * ld;
      up = den > 0 ? num / den : prior;
      est[t] = up;
    }
    return est;
  }
  // Momentum: scalar Kalman filter of d_t = φ d_{t−1} + η ξ, r_t + drift = d_t + σ ε.
  const q = p.eta * p.eta;
  const rv = p.sigma * p.sigma;
  let d = 0;
  let v = q / (1 - p.phi * p.phi);
  est[0] = d;
  for (let t = 1; t < n; t++) {
    const r = Math.log(frame.close[t]! / frame.close[t - 1]!) + market.drift;
    const dp = p.phi * d;
    const vp = p.phi * p.phi * v + q;
    const k = vp / (vp + rv);
    d = dp + k * (r - dp);
    v = (1 - k) * vp;
    est[t] = d;
  }
  return est;
}

function ruleFor(market: PlantedMarket, est: Float64Array, clairvoyant: boolean, rules: OracleRules): Rule {
  const p = market.params;
  if (p.kind === 'regime') {
    if (clairvoyant) return (t) => est[t]!;
    const enter = rules.regime.enter;
    return (t, current) => (est[t]! >= enter ? 1 : est[t]! <= 1 - enter ? -1 : Math.sign(current));
  }
  if (p.kind === 'mean-revert') {
    const sd = p.sigma / Math.sqrt(1 - p.theta * p.theta);
    const { enter, exit } = rules['mean-revert'];
    return (t, current) => {
      const z = est[t]! / sd;
      if (z <= -enter) return 1;
      if (z >= enter) return -1;
      if (current > 0 && z < -exit) return 1;
      if (current < 0 && z > exit) return -1;
      return 0;
    };
  }
  const sd = p.eta / Math.sqrt(1 - p.phi * p.phi);
  const enter = rules.momentum.enter * sd;
  return (t, current) => {
    const d = est[t]!;
    if (d >= enter) return 1;
    if (d <= -enter) return -1;
    return Math.sign(current) === Math.sign(d) ? Math.sign(current) : 0;
  };
}

class PlantedPolicy implements BaselinePolicy {
  private rule: Rule = () => 0;

  constructor(
    readonly name: string,
    private readonly market: PlantedMarket,
    private readonly clairvoyant: boolean,
    private readonly rules: OracleRules,
  ) {}

  prepare(frame: MarketFrame): void {
    if (frame.close !== this.market.frame.close) {
      throw new InvalidArgumentError(
        `${this.name} is the policy of one drawn market (seed ${this.market.seed}): run it on that market`,
      );
    }
    this.rule = ruleFor(this.market, filteredState(this.market, frame, this.clairvoyant), this.clairvoyant, this.rules);
  }

  position(t: number, current: number): number {
    return this.rule(t, current);
  }
}

/** The oracle of a drawn market: knows the process, filters the hidden state from past closes, trades sparingly. */
export function oraclePolicy(market: PlantedMarket, rules: OracleRules = ORACLE_RULES): BaselinePolicy {
  return new PlantedPolicy(`oracle-${market.params.kind}`, market, false, rules);
}

/** Knows the hidden state at each bar (an upper bound, not a causal policy). */
export function clairvoyantPolicy(market: PlantedMarket): BaselinePolicy {
  return new PlantedPolicy(`clairvoyant-${market.params.kind}`, market, true, ORACLE_RULES);
}
