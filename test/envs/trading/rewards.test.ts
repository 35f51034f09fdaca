// Reward formulas against direct computations, and the resolver's errors.
import { describe, expect, it } from 'vitest';
import { createReward, REWARD_NAMES, type RewardInputs } from '../../../envs/trading/rewards/index.ts';
import { Rng } from '../../../src/core/rng.ts';

/** A random equity path of `steps` steps for one sub-env, with its per-step inputs. */
function path(
  steps: number,
  seed: number,
): { equity: number[]; costs: number[]; turnover: number[]; exposure: number[]; tit: number[] } {
  const rng = new Rng(seed);
  const equity = [10_000];
  const costs: number[] = [];
  const turnover: number[] = [];
  const exposure: number[] = [];
  const tit: number[] = [];
  for (let k = 0; k < steps; k++) {
    equity.push(equity[k]! * (1 + 0.01 * rng.normal()));
    costs.push(rng.random() < 0.3 ? 5 * rng.random() : 0);
    turnover.push(costs[k]! * 1000);
    exposure.push(rng.uniform(-1, 1));
    tit.push(rng.integer(5));
  }
  return { equity, costs, turnover, exposure, tit };
}

function inputsAt(p: ReturnType<typeof path>, k: number, peakBefore: number): RewardInputs {
  const e = p.equity[k + 1]!;
  return {
    prevEquity: Float64Array.of(p.equity[k]!),
    equity: Float64Array.of(e),
    prevPeakEquity: Float64Array.of(peakBefore),
    peakEquity: Float64Array.of(Math.max(peakBefore, e)),
    initialEquity: Float64Array.of(p.equity[0]!),
    costs: Float64Array.of(p.costs[k]!),
    turnover: Float64Array.of(p.turnover[k]!),
    exposure: Float64Array.of(p.exposure[k]!),
    timeInTrade: Float64Array.of(p.tit[k]!),
    bar: Int32Array.of(k),
  };
}

/** Runs a reward spec over the path, returning the per-step rewards. */
function run(spec: Parameters<typeof createReward>[0], p: ReturnType<typeof path>): number[] {
  const r = createReward(spec, 1);
  r.reset(0);
  const out: number[] = [];
  let peak = p.equity[0]!;
  for (let k = 0; k + 1 < p.equity.length; k++) {
    out.push(r.compute(inputsAt(p, k, peak), 0));
    peak = Math.max(peak, p.equity[k + 1]!);
  }
  return out;
}

describe('reward formulas', () => {
  const p = path(200, 7);

  it('log_return sums to ln(E_T/E_0) and pnl sums to E_T − E_0', () => {
    const lr = run('log_return', p);
    const pnl = run('pnl', p);
    const eT = p.equity[p.equity.length - 1]!;
    expect(lr.reduce((a, b) => a + b, 0)).toBeCloseTo(Math.log(eT / p.equity[0]!), 10);
    expect(pnl.reduce((a, b) => a + b, 0)).toBeCloseTo(eT - p.equity[0]!, 8);
    lr.forEach((r, k) => expect(r).toBe(Math.log(p.equity[k + 1]! / p.equity[k]!)));
  });

  it('penalties match their definitions', () => {
    const down = run('downside', p);
    const dd = run('drawdown', p);
    const cost = run('cost', p);
    const turn = run('turnover', p);
    const hold = run({ name: 'holding', params: { after: 2 } }, p);
    let peak = p.equity[0]!;
    let ddTotal = 0;
    for (let k = 0; k < down.length; k++) {
      const r = Math.log(p.equity[k + 1]! / p.equity[k]!);
      expect(down[k]).toBeCloseTo(r < 0 ? -r * r : 0, 15);
      const ddBefore = 1 - p.equity[k]! / peak;
      peak = Math.max(peak, p.equity[k + 1]!);
      const ddAfter = 1 - p.equity[k + 1]! / peak;
      expect(dd[k]).toBeCloseTo(-Math.max(0, ddAfter - ddBefore), 15);
      ddTotal += dd[k]!;
      expect(cost[k]).toBeCloseTo(-p.costs[k]! / p.equity[k]!, 15);
      expect(turn[k]).toBeCloseTo(-p.turnover[k]! / p.equity[k]!, 15);
      expect(hold[k]).toBe(p.tit[k]! > 2 ? -1 : 0);
      expect(dd[k]).toBeLessThanOrEqual(0);
    }
    expect(ddTotal).toBeLessThan(0);
  });

  it('differential Sharpe equals dS/dη of the exponentially weighted Sharpe ratio (finite difference)', () => {
    // Direct computation: A, B from the textbook recursions; S(η) = A_η / sqrt(B_η − A_η²) after one more return.
    const eta = 0.05;
    const rewards = run({ name: 'differential_sharpe', params: { eta } }, p);
    let A = 0;
    let B = 0;
    let checked = 0;
    for (let k = 0; k < rewards.length; k++) {
      const R = p.equity[k + 1]! / p.equity[k]! - 1;
      if (B - A * A > 1e-12) {
        const h = 1e-7;
        const S = (a: number, b: number) => a / Math.sqrt(b - a * a);
        const fd = (S(A + h * (R - A), B + h * (R * R - B)) - S(A, B)) / h;
        expect(rewards[k]).toBeCloseTo(fd, 2);
        expect(Math.abs(rewards[k]! - fd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd)));
        checked++;
      } else {
        expect(rewards[k]).toBe(0);
      }
      A += eta * (R - A);
      B += eta * (R * R - B);
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('sortino (differential downside deviation ratio) equals dS/dη of A/DD (finite difference)', () => {
    const eta = 0.05;
    const rewards = run({ name: 'sortino', params: { eta } }, p);
    let A = 0;
    let D2 = 0;
    let checked = 0;
    for (let k = 0; k < rewards.length; k++) {
      const R = p.equity[k + 1]! / p.equity[k]! - 1;
      const neg = Math.min(R, 0);
      if (D2 > 1e-12) {
        const h = 1e-7;
        const S = (a: number, d2: number) => a / Math.sqrt(d2);
        const fd = (S(A + h * (R - A), D2 + h * (neg * neg - D2)) - S(A, D2)) / h;
        expect(Math.abs(rewards[k]! - fd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd)));
        checked++;
      } else {
        expect(rewards[k]).toBe(0);
      }
      A += eta * (R - A);
      D2 += eta * (neg * neg - D2);
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('weighted sums add their terms with their weights, in every accepted form', () => {
    const lr = run('log_return', p);
    const dd = run('drawdown', p);
    const c = run('cost', p);
    const byRecord = run({ log_return: 1, drawdown: 0.5, cost: 2 }, p);
    const byTerms = run([{ name: 'log_return' }, { name: 'drawdown', weight: 0.5 }, { name: 'cost', weight: 2 }], p);
    const user = run(
      [
        { name: (x, i) => Math.log(x.equity[i]! / x.prevEquity[i]!) },
        { name: 'cost', weight: 2 },
        { name: 'drawdown', weight: 0.5 },
      ],
      p,
    );
    for (let k = 0; k < lr.length; k++) {
      const want = lr[k]! + 0.5 * dd[k]! + 2 * c[k]!;
      expect(byRecord[k]).toBeCloseTo(want, 14);
      expect(byTerms[k]).toBeCloseTo(want, 14);
      expect(user[k]).toBeCloseTo(want, 14);
    }
  });

  it('reset clears stateful schemes so that episodes are independent', () => {
    const r = createReward('differential_sharpe', 2);
    const x = inputsAt(p, 3, p.equity[3]!);
    const two: RewardInputs = Object.fromEntries(
      Object.entries(x).map(([k, v]) => [k, Float64Array.of(v[0], v[0])]),
    ) as unknown as RewardInputs;
    const first = [r.compute(two, 0), r.compute(two, 0), r.compute(two, 0)];
    r.reset(0);
    expect([r.compute(two, 0), r.compute(two, 0), r.compute(two, 0)]).toEqual(first);
    expect(r.compute(two, 1)).toBe(first[0]); // slot 1 untouched by slot 0's steps
  });
});

describe('reward spec errors', () => {
  it('an unknown name lists the valid ones', () => {
    expect(() => createReward('sharpe', 1)).toThrow(
      /unknown reward scheme 'sharpe'; valid names are log_return, pnl, differential_sharpe/,
    );
    try {
      createReward({ log_return: 1, profit: 1 }, 1);
    } catch (e) {
      expect((e as { code: string }).code).toBe('INVALID_ARGUMENT');
    }
    expect(REWARD_NAMES).toContain('sortino');
  });
  it('bad params and weights are named', () => {
    expect(() => createReward({ name: 'differential_sharpe', params: { eta: 2 } }, 1)).toThrow(
      /eta must be in \(0, 1\]/,
    );
    expect(() => createReward({ name: 'log_return', params: { eta: 0.1 } }, 1)).toThrow(
      /'log_return' has no parameter 'eta'/,
    );
    expect(() => createReward({ log_return: Number.NaN }, 1)).toThrow(/weight of 'log_return' must be a finite number/);
    expect(() => createReward([], 1)).toThrow(/at least one term/);
  });
});
