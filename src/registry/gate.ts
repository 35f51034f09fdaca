// The promotion gate: a model version is evaluated walk-forward out of sample — on consecutive test windows after the
// data it was trained on (its manifest's range), each with a fresh portfolio — through the one model runner, beside
// the baselines, and judged against the thresholds of a gate config (gate-config.ts): PSR against buy-and-hold, DSR
// over the trials recorded for the model name, drawdown, trades, turnover, and beating the bot's EMA-9 rule. The
// report (numbers, gate.json; a short text view, gate.txt) is added to the version folder under its seal.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TradingEnv } from '../../envs/trading/trading-env.ts';
import {
  policyRef,
  baselineConditions,
  runOverRange,
  trainingConditions,
  type NamedRun,
  type PolicyRef,
} from '../../agents/common/model-runner.ts';
import { barReturns, rangeKwarg } from '../../agents/evaluation/walk-forward.ts';
import type { SplitRange } from '../../replay/splits.ts';
import { isoUtc } from '../../replay/time-range.ts';
import { deflatedSharpeRatio, probabilisticSharpeRatio, sharpeRatio } from '../stats/sharpe.ts';
import { appendLineDurable } from '../core/atomic-file.ts';
import { RegistryError } from './errors.ts';
import { gateConfigHash, type GateConfig } from './gate-config.ts';
import type { ModelRegistry } from './registry.ts';

export const GATE_FORMAT = 'tg4-gate-report/1';
export const GATE_REPORT = 'gate.json';
export const GATE_TEXT = 'gate.txt';

export interface Figures {
  totalReturn: number;
  /** Per-bar Sharpe ratio of the run's bar returns. */
  sharpe: number;
  maxDrawdown: number;
  trades: number;
  /** Traded notional / initial capital per bar. */
  turnoverPerBar: number;
  bars: number;
}

export interface GateCheck {
  name: string;
  value: number;
  op: '>=' | '<=' | '>';
  threshold: number;
  passed: boolean;
}

export interface GateReport {
  format: typeof GATE_FORMAT;
  ref: string;
  contentHash: string;
  time: string;
  config: GateConfig;
  configHash: string;
  /** The out-of-sample data: after `trainedUntil` (and the validation split, with after: 'validation'). */
  span: { trainedUntil: string; from: string; to: string; bars: number };
  windows: {
    window: number;
    from: string;
    to: string;
    policy: Figures;
    baselines: Record<string, Figures>;
    psrVsBuyAndHold: number;
  }[];
  overall: {
    policy: Figures;
    baselines: Record<string, Figures>;
    psrVsBuyAndHold: number;
    dsr: number;
    trials: { count: number; thresholdSharpe: number };
  };
  checks: GateCheck[];
  passed: boolean;
}

function compound(r: ArrayLike<number>): Figures {
  let g = 1;
  let peak = 1;
  let dd = 0;
  for (let i = 0; i < r.length; i++) {
    g *= 1 + r[i]!;
    if (g > peak) peak = g;
    dd = Math.max(dd, 1 - g / peak);
  }
  return {
    totalReturn: g - 1,
    sharpe: r.length >= 2 ? sharpeRatio(r) : 0,
    maxDrawdown: dd,
    trades: 0,
    turnoverPerBar: 0,
    bars: r.length,
  };
}

function figuresOf(run: NamedRun, rets: Float64Array): Figures {
  const f = compound(rets);
  return {
    ...f,
    maxDrawdown: run.metrics.maxDrawdown,
    trades: run.metrics.totalTrades,
    turnoverPerBar: rets.length > 0 ? run.metrics.turnover / rets.length : 0,
  };
}

/** The bars a model never saw, as consecutive test windows (bar index ranges of the data's frame). */
export function outOfSampleWindows(
  envKwargs: Record<string, unknown>,
  cfg: Pick<GateConfig, 'windows' | 'after'>,
): { frameRanges: SplitRange[]; ranges: string[]; trainedUntil: number } {
  const { range, ...conditions } = envKwargs;
  const probe = (r: unknown): TradingEnv => new TradingEnv({ ...conditions, ...(r !== undefined ? { range: r } : {}) });
  const all = probe(undefined);
  const frame = all.data.frames[0]!;
  const end = all.data.rangeEnd;
  all.close();
  const trained = probe(range);
  let start = trained.data.rangeEnd;
  trained.close();
  if (range === undefined) {
    throw new RegistryError(
      "the model's manifest records no training range (envKwargs.range): there is no data it is known not to have seen; train with a range (tg4 train uses range 'train')",
    );
  }
  const trainedUntil = frame.time[start - 1]!;
  if (cfg.after === 'validation' && range === 'train') {
    const v = probe('validation');
    start = Math.max(start, v.data.rangeEnd);
    v.close();
  }
  const bars = end - start;
  const per = Math.floor(bars / cfg.windows);
  if (per < 50) {
    throw new RegistryError(
      `only ${bars} bars after the model's training data (to ${isoUtc(trainedUntil)}): too few for ${cfg.windows} test windows of 50+ bars; lower 'windows' in the gate config or train on less`,
    );
  }
  const frameRanges: SplitRange[] = [];
  for (let k = 0; k < cfg.windows; k++) {
    const s = start + k * per;
    const e = k === cfg.windows - 1 ? end : s + per;
    frameRanges.push({ start: s, end: e } as SplitRange);
  }
  return { frameRanges, ranges: frameRanges.map((r) => rangeKwarg(frame, r)), trainedUntil };
}

interface TrialLine {
  name: string;
  version: string;
  contentHash: string;
  sharpe: number;
  bars: number;
  time: string;
}

/** Per-bar Sharpe of every version of `name` the gate has evaluated (the latest per version): the DSR's trials. */
function recordedTrials(ledger: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(ledger)) return out;
  for (const line of readFileSync(ledger, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const t = JSON.parse(line) as TrialLine;
      if (t.name === name && Number.isFinite(t.sharpe)) out.set(t.version, t.sharpe);
    } catch {
      // a torn last line (crash mid-append) is not a trial
    }
  }
  return out;
}

export interface GateRun {
  report: GateReport;
  text: string;
}

/** Runs the gate on a registered version (verified first); stores the report under its seal unless `store` is false. */
export function runGate(
  reg: ModelRegistry,
  ref: string,
  cfg: GateConfig,
  o: { store?: boolean; seed?: number } = {},
): GateRun {
  const v = reg.verify(ref);
  const label = `${v.name}/${v.version}`;
  const manifest = JSON.parse(readFileSync(join(v.dir, 'manifest.json'), 'utf8')) as { kind?: unknown };
  if (manifest.kind === 'remote')
    throw new RegistryError(
      `${label} is a remote policy endpoint: the gate backtests tg4/Trading-v0 models only; promote an endpoint with --force --reason (logged)`,
    );
  let model: PolicyRef;
  try {
    model = policyRef(v.dir, 'gate');
  } catch (e) {
    throw new RegistryError(
      `${label}: the gate backtests tg4/Trading-v0 models (${(e as Error).message}); a remote or foreign model can only be promoted with --force --reason`,
    );
  }
  const m = model as PolicyRef & { kind: 'model' };
  const conditions = trainingConditions(m);
  const win = outOfSampleWindows({ ...conditions, range: m.envKwargs.range }, cfg);
  const baselineNames = [...new Set(['buy-and-hold', ...cfg.beat])];
  const refs: PolicyRef[] = [{ ...m, name: label }, ...baselineNames.map((b) => policyRef(b, 'gate baselines'))];
  const seed = o.seed ?? 0;
  const perRun: Float64Array[][] = refs.map(() => []);
  const windows: GateReport['windows'] = [];
  let trades = 0;
  let turnover = 0;
  win.ranges.forEach((range, k) => {
    // The model at its own decision interval; the baselines deciding every bar, as they were designed to.
    const runs = [
      ...runOverRange(refs.slice(0, 1), { ...conditions, range }, seed),
      ...runOverRange(refs.slice(1), { ...baselineConditions(conditions), range }, seed),
    ];
    const rets = runs.map((r) => barReturns(r.equity));
    rets.forEach((r, i) => perRun[i]!.push(r));
    const bh = rets[1]!;
    const baselines: Record<string, Figures> = {};
    baselineNames.forEach((b, i) => (baselines[b] = figuresOf(runs[i + 1]!, rets[i + 1]!)));
    const policy = figuresOf(runs[0]!, rets[0]!);
    trades += runs[0]!.metrics.totalTrades;
    turnover += runs[0]!.metrics.turnover;
    windows.push({
      window: k,
      from: isoUtc(runs[0]!.time[0]!),
      to: isoUtc(runs[0]!.time[runs[0]!.time.length - 1]!),
      policy,
      baselines,
      psrVsBuyAndHold: rets[0]!.length >= 2 ? probabilisticSharpeRatio(rets[0]!, sharpeRatio(bh)) : 0,
    });
  });
  const chained = perRun.map((parts) => Float64Array.from(parts.flatMap((p) => Array.from(p))));
  const policy: Figures = {
    ...compound(chained[0]!),
    trades,
    turnoverPerBar: chained[0]!.length > 0 ? turnover / chained[0]!.length : 0,
  };
  const baselines: Record<string, Figures> = {};
  baselineNames.forEach((b, i) => (baselines[b] = compound(chained[i + 1]!)));
  const psr = probabilisticSharpeRatio(chained[0]!, baselines['buy-and-hold']!.sharpe);

  // DSR: every version of this name the gate has seen counts as a trial (this one included, at its current figure).
  const ledger = join(reg.root, '.registry', 'trials.jsonl');
  const trials = recordedTrials(ledger, v.name);
  trials.set(v.version, policy.sharpe);
  const d = deflatedSharpeRatio(chained[0]!, [...trials.values()]);

  const checks: GateCheck[] = [
    {
      name: 'PSR vs buy-and-hold',
      value: psr,
      op: '>=',
      threshold: cfg.minPsrVsBuyAndHold,
      passed: psr >= cfg.minPsrVsBuyAndHold,
    },
    {
      name: `DSR over ${d.trials} trial(s)`,
      value: d.dsr,
      op: '>=',
      threshold: cfg.minDsr,
      passed: d.dsr >= cfg.minDsr,
    },
    {
      name: 'max drawdown',
      value: policy.maxDrawdown,
      op: '<=',
      threshold: cfg.maxDrawdown,
      passed: policy.maxDrawdown <= cfg.maxDrawdown,
    },
    { name: 'trades', value: trades, op: '>=', threshold: cfg.minTrades, passed: trades >= cfg.minTrades },
    {
      name: 'turnover per bar',
      value: policy.turnoverPerBar,
      op: '<=',
      threshold: cfg.maxTurnoverPerBar,
      passed: policy.turnoverPerBar <= cfg.maxTurnoverPerBar,
    },
    ...cfg.beat.map(
      (b): GateCheck => ({
        name: `Sharpe above ${b}'s`,
        value: policy.sharpe,
        op: '>',
        threshold: baselines[b]!.sharpe,
        passed: policy.sharpe > baselines[b]!.sharpe,
      }),
    ),
  ];
  const first = win.frameRanges[0]!;
  const lastWin = windows[windows.length - 1]!;
  const report: GateReport = {
    format: GATE_FORMAT,
    ref: label,
    contentHash: v.contentHash,
    time: new Date().toISOString(),
    config: cfg,
    configHash: gateConfigHash(cfg),
    span: {
      trainedUntil: isoUtc(win.trainedUntil),
      from: windows[0]!.from,
      to: lastWin.to,
      bars: win.frameRanges[win.frameRanges.length - 1]!.end - first.start,
    },
    windows,
    overall: {
      policy,
      baselines,
      psrVsBuyAndHold: psr,
      dsr: d.dsr,
      trials: { count: d.trials, thresholdSharpe: d.threshold },
    },
    checks,
    passed: checks.every((c) => c.passed),
  };
  const text = gateText(report);
  if (o.store !== false) {
    mkdirSync(dirname(ledger), { recursive: true });
    appendLineDurable(
      ledger,
      JSON.stringify({
        name: v.name,
        version: v.version,
        contentHash: v.contentHash,
        sharpe: policy.sharpe,
        bars: chained[0]!.length,
        time: report.time,
      } satisfies TrialLine),
    );
    reg.addFiles(label, { [GATE_REPORT]: `${JSON.stringify(report, null, 2)}\n`, [GATE_TEXT]: text });
  }
  return { report, text };
}

const num = (x: number, d = 4): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/** The short text view: one line per check, then the windows. */
export function gateText(r: GateReport): string {
  const lines = [
    `gate ${r.passed ? 'PASSED' : 'FAILED'} for ${r.ref} (config ${r.configHash}); out of sample ${r.span.from} → ${r.span.to}, ${r.span.bars} bars after training data ending ${r.span.trainedUntil}`,
    ...r.checks.map(
      (c) =>
        `  ${c.passed ? 'pass' : 'FAIL'}  ${c.name}: ${Number.isInteger(c.value) ? c.value : num(c.value)} (needs ${c.op} ${Number.isInteger(c.threshold) ? c.threshold : num(c.threshold)})`,
    ),
    `  overall: return ${(r.overall.policy.totalReturn * 100).toFixed(2)}%, Sharpe/bar ${num(r.overall.policy.sharpe)}; ` +
      Object.entries(r.overall.baselines)
        .map(([n, b]) => `${n} ${(b.totalReturn * 100).toFixed(2)}% (Sharpe/bar ${num(b.sharpe)})`)
        .join(', '),
    ...r.windows.map(
      (w) =>
        `  window ${w.window + 1}: ${w.from} → ${w.to}  return ${(w.policy.totalReturn * 100).toFixed(2)}%  Sharpe/bar ${num(w.policy.sharpe)}  trades ${w.policy.trades}  PSR vs B&H ${num(w.psrVsBuyAndHold, 3)}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** The gate report stored with a version, if any (read after verifying the version). */
export function storedGateReport(reg: ModelRegistry, ref: string): GateReport | null {
  const v = reg.verify(ref);
  const p = join(v.dir, GATE_REPORT);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as GateReport) : null;
}
