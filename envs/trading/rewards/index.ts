// Reward schemes by name, and the resolver that turns a user's reward spec (a name, a function, or a weighted sum of
// either) into one RewardScheme bound to N sub-envs. Unknown names fail here, before any training starts.
import { InvalidArgumentError } from '../../../src/core/errors.ts';
import { cost, downside, drawdown, holding, logReturn, netPnl, turnover } from './basic.ts';
import { differentialSharpe } from './differential-sharpe.ts';
import { sortino } from './sortino.ts';
import type { RewardFactory, RewardFunction, RewardInputs, RewardScheme } from './types.ts';

export { RewardInputs } from './types.ts';
export type { RewardFactory, RewardFunction, RewardScheme } from './types.ts';

const builtins: Record<string, { factory: RewardFactory; params: readonly string[] }> = {
  log_return: { factory: logReturn, params: [] },
  pnl: { factory: netPnl, params: [] },
  differential_sharpe: { factory: differentialSharpe, params: ['eta', 'eps'] },
  sortino: { factory: sortino, params: ['eta', 'eps'] },
  downside: { factory: downside, params: [] },
  drawdown: { factory: drawdown, params: [] },
  cost: { factory: cost, params: [] },
  turnover: { factory: turnover, params: [] },
  holding: { factory: holding, params: ['after'] },
};

/** Names accepted by `reward` (and by the terms of a weighted sum). */
export const REWARD_NAMES: readonly string[] = Object.keys(builtins);

/** One term of a weighted sum: a built-in name (with optional numeric params) or a user function. */
export interface RewardTerm {
  name: string | RewardFunction;
  weight?: number;
  params?: Record<string, number>;
}

/**
 * What `reward` accepts:
 *  - `'log_return'` (a built-in name),
 *  - a function `(x, i) => number`,
 *  - `{ log_return: 1, drawdown: 0.5 }` (weights by name),
 *  - `[{ name: 'differential_sharpe', params: { eta: 0.02 } }, { name: 'cost', weight: 2 }]` (terms).
 */
export type RewardSpec =
  | string
  | RewardFunction
  | RewardTerm
  | readonly RewardTerm[]
  | Readonly<Record<string, number>>;

function unknownName(name: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `reward: unknown reward scheme '${name}'; valid names are ${REWARD_NAMES.join(', ')} ` +
      `(or pass a function (x, i) => number, or a weighted sum such as { log_return: 1, drawdown: 0.5 })`,
  );
}

function finiteWeight(w: unknown, where: string): number {
  if (typeof w !== 'number' || !Number.isFinite(w)) {
    throw new InvalidArgumentError(`reward: weight of ${where} must be a finite number, got ${String(w)}`);
  }
  return w;
}

function buildTerm(term: RewardTerm, n: number): RewardScheme {
  if (typeof term.name === 'function') {
    const f = term.name;
    return { name: f.name || 'user', reset(): void {}, compute: f };
  }
  const entry = builtins[term.name];
  if (entry === undefined) throw unknownName(String(term.name));
  const params = term.params ?? {};
  for (const [k, v] of Object.entries(params)) {
    if (!entry.params.includes(k)) {
      throw new InvalidArgumentError(
        `reward: '${term.name}' has no parameter '${k}'` +
          (entry.params.length ? `; its parameters are ${entry.params.join(', ')}` : '; it takes no parameters'),
      );
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidArgumentError(`reward: parameter ${term.name}.${k} must be a finite number, got ${String(v)}`);
    }
  }
  if (
    (term.name === 'differential_sharpe' || term.name === 'sortino') &&
    params.eta !== undefined &&
    !(params.eta > 0 && params.eta <= 1)
  ) {
    throw new InvalidArgumentError(`reward: ${term.name}.eta must be in (0, 1], got ${params.eta}`);
  }
  return entry.factory(n, params);
}

function weightedSum(terms: readonly RewardTerm[], n: number): RewardScheme {
  if (terms.length === 0) throw new InvalidArgumentError('reward: a weighted sum needs at least one term');
  const schemes = terms.map((t) => buildTerm(t, n));
  const weights = Float64Array.from(terms, (t, k) => finiteWeight(t.weight ?? 1, `term ${k}`));
  if (schemes.length === 1 && weights[0] === 1) return schemes[0]!;
  const m = schemes.length;
  return {
    name: schemes.map((s, k) => `${weights[k]}*${s.name}`).join('+'),
    reset(i: number): void {
      for (let k = 0; k < m; k++) schemes[k]!.reset(i);
    },
    compute(x: RewardInputs, i: number): number {
      let r = 0;
      for (let k = 0; k < m; k++) r += weights[k]! * schemes[k]!.compute(x, i);
      return r;
    },
  };
}

/** Turns a reward spec into a scheme for N sub-envs; throws InvalidArgumentError naming the valid choices. */
export function createReward(spec: RewardSpec, n: number): RewardScheme {
  if (typeof spec === 'string') return buildTerm({ name: spec }, n);
  if (typeof spec === 'function') return buildTerm({ name: spec }, n);
  if (Array.isArray(spec)) return weightedSum(spec as readonly RewardTerm[], n);
  if (spec !== null && typeof spec === 'object') {
    if ('name' in spec) return weightedSum([spec as RewardTerm], n);
    const entries = Object.entries(spec as Record<string, unknown>);
    return weightedSum(
      entries.map(([name, w]) => ({ name, weight: finiteWeight(w, `'${name}'`) })),
      n,
    );
  }
  throw new InvalidArgumentError(`reward: expected a name, a function or a weighted sum, got ${String(spec)}`);
}
