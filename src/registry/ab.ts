// A/B: two registered versions (or a version and a baseline) over the same replayed bars, each with its own isolated
// portfolio (its own env, through the one model runner), and a significance estimate for the difference: a stationary
// bootstrap of the per-bar return differences A − B (src/stats/bootstrap.ts). The report is stored under the registry
// (<root>/.registry/ab/<time>-<A>-vs-<B>.json) where the dashboard reads it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isBaselineName } from '../../agents/baselines/index.ts';
import {
  baselineConditions,
  policyRef,
  runOverRange,
  trainingConditions,
  type PolicyRef,
} from '../../agents/common/model-runner.ts';
import { barReturns } from '../../agents/evaluation/walk-forward.ts';
import { isoUtc } from '../../replay/time-range.ts';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { stationaryBootstrapMean, type MeanDifferenceTest } from '../stats/bootstrap.ts';
import { sharpeRatio } from '../stats/sharpe.ts';
import { RegistryError } from './errors.ts';
import type { ModelRegistry } from './registry.ts';

export const AB_FORMAT = 'tg4-ab-report/1';

export interface AbSide {
  ref: string;
  /** name/vNNNN, or the baseline's name. */
  resolved: string;
  totalReturn: number;
  sharpe: number;
  maxDrawdown: number;
  trades: number;
  fees: number;
  finalEquity: number;
}

export interface AbReport {
  format: typeof AB_FORMAT;
  time: string;
  range: string;
  from: string;
  to: string;
  bars: number;
  a: AbSide;
  b: AbSide;
  /** Per-bar return differences A − B: mean, one-sided p-value of "A is no better", 95% interval. */
  difference: MeanDifferenceTest;
  /** Plain-words verdict at the 5% level. */
  verdict: string;
  /** Equity curves for the dashboard (bar time ms; A's and B's equity). */
  curves: { time: number[]; a: number[]; b: number[] };
}

function side(reg: ModelRegistry, ref: string): PolicyRef {
  if (isBaselineName(ref)) return policyRef(ref, 'ab');
  const v = reg.verify(ref);
  const p = policyRef(v.dir, 'ab');
  return { ...p, name: `${v.name}/${v.version}` };
}

const DATA_KEYS = ['data', 'symbol', 'timeframe'] as const;

export function runAb(
  reg: ModelRegistry,
  refA: string,
  refB: string,
  o: { range?: string; seed?: number; samples?: number; store?: boolean } = {},
): { report: AbReport; path: string | null } {
  const a = side(reg, refA);
  const b = side(reg, refB);
  const models = [a, b].filter((p): p is PolicyRef & { kind: 'model' } => p.kind === 'model');
  if (models.length === 0)
    throw new RegistryError('A/B needs at least one registered version (the other may be a baseline)');
  const ca = trainingConditions(models[0]!);
  for (const m of models.slice(1)) {
    const cb = trainingConditions(m);
    for (const k of DATA_KEYS)
      if (JSON.stringify(ca[k]) !== JSON.stringify(cb[k]))
        throw new RegistryError(
          `A/B compares over the same bars: ${models[0]!.name} was trained on ${k} ${JSON.stringify(ca[k])}, ${m.name} on ${JSON.stringify(cb[k])}`,
        );
  }
  const range = o.range ?? 'test';
  const seed = o.seed ?? 0;
  // Each side under its own training conditions (fees, actions, features) over the same range of the same data; a
  // baseline under the model's, deciding every bar (baselineConditions).
  const run = (p: PolicyRef) =>
    runOverRange([p], { ...(p.kind === 'model' ? trainingConditions(p) : baselineConditions(ca)), range }, seed)[0]!;
  const ra = run(a);
  const rb = run(b);
  if (ra.time.length !== rb.time.length || ra.time.some((t, i) => t !== rb.time[i]))
    throw new RegistryError(
      `A/B: ${a.name} and ${b.name} decided on different bars (${ra.time.length} vs ${rb.time.length}): their feature warm-ups differ; choose a later range start`,
    );
  const retA = barReturns(ra.equity);
  const retB = barReturns(rb.equity);
  const diff = new Float64Array(retA.length);
  for (let i = 0; i < diff.length; i++) diff[i] = retA[i]! - retB[i]!;
  const boot = { seed, ...(o.samples !== undefined ? { samples: o.samples } : {}) };
  const difference = stationaryBootstrapMean(diff, boot);
  // The other side's one-sided test on the negated differences (the same resamples: same seed).
  const reverse = stationaryBootstrapMean(
    diff.map((x) => -x),
    boot,
  );
  const sideOf = (ref: string, p: PolicyRef, r: typeof ra, rets: Float64Array): AbSide => ({
    ref,
    resolved: p.name,
    totalReturn: r.metrics.totalReturnPct,
    sharpe: rets.length >= 2 ? sharpeRatio(rets) : 0,
    maxDrawdown: r.metrics.maxDrawdown,
    trades: r.metrics.totalTrades,
    fees: r.metrics.feesPaid,
    finalEquity: r.metrics.equity,
  });
  const verdict =
    difference.pValue < 0.05
      ? `${a.name} beats ${b.name} (p = ${difference.pValue.toFixed(4)})`
      : reverse.pValue < 0.05
        ? `${b.name} beats ${a.name} (p = ${reverse.pValue.toFixed(4)})`
        : `no significant difference (one-sided p = ${difference.pValue.toFixed(4)} for A, ${reverse.pValue.toFixed(4)} for B)`;
  const report: AbReport = {
    format: AB_FORMAT,
    time: new Date().toISOString(),
    range,
    from: isoUtc(ra.time[0]!),
    to: isoUtc(ra.time[ra.time.length - 1]!),
    bars: diff.length,
    a: sideOf(refA, a, ra, retA),
    b: sideOf(refB, b, rb, retB),
    difference,
    verdict,
    curves: { time: Array.from(ra.time), a: Array.from(ra.equity), b: Array.from(rb.equity) },
  };
  let path: string | null = null;
  if (o.store !== false) {
    const dir = join(reg.root, '.registry', 'ab');
    mkdirSync(dir, { recursive: true });
    const slug = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-');
    path = join(dir, `${report.time.replace(/[:.]/g, '-')}-${slug(a.name)}-vs-${slug(b.name)}.json`);
    writeFileAtomic(path, `${JSON.stringify(report)}\n`);
  }
  return { report, path };
}

export function abText(r: AbReport): string {
  const line = (s: AbSide): string =>
    `  ${s.resolved.padEnd(28)} return ${(s.totalReturn * 100).toFixed(2).padStart(8)}%  Sharpe/bar ${s.sharpe.toFixed(4)}  max DD ${(s.maxDrawdown * 100).toFixed(2)}%  trades ${s.trades}  fees ${s.fees.toFixed(2)}\n`;
  const d = r.difference;
  return (
    `A/B over ${r.range}: ${r.from} → ${r.to}, ${r.bars} bars, isolated portfolios\n` +
    line(r.a) +
    line(r.b) +
    `  A − B per bar: mean ${d.mean.toExponential(3)}, 95% interval [${d.low.toExponential(3)}, ${d.high.toExponential(3)}] (stationary bootstrap, ${d.samples} samples, mean block ${d.meanBlock})\n` +
    `  ${r.verdict}\n`
  );
}
