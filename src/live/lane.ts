// One symbol of the live loop: the feature state (src/features' ObservationBuilder: the same code and spec hash as
// training), the observation window, the ATR for stops, a PaperExecutor with one isolated portfolio per policy, and a
// TargetTrader per policy. On each closed bar t+1: the targets set at bar t are traded at t+1's open, the executor
// runs bar t+1 (exits, mark), then every policy decides on the observation at t+1's close. Bars before the first bar
// at which every feature, the window and the ATR are valid only warm the state up (they are the backtest's warm-up).
import { targetExposure, type ActionScheme } from '../../envs/trading/actions.ts';
import { InvalidArgumentError } from '../core/errors.ts';
import { symbolParamsOf, type TradingConfig } from '../../envs/trading/config.ts';
import { MS_PER_YEAR } from '../execution/metrics.ts';
import { PaperExecutor } from '../execution/paper-executor.ts';
import type { ExecutionEvent } from '../execution/types.ts';
import { ObservationBuilder, type FeatureSpec } from '../features/index.ts';
import { barAt, type CandleSeries, type ClosedBar } from './candle-series.ts';
import type { LivePolicy } from './policy.ts';
import { TargetTrader, type OrderOutcome } from './target-trader.ts';

/** One decision, as logged and as the parity test compares it. */
export interface Decision {
  policy: string;
  symbol: string;
  /** Decision bar open time. */
  time: number;
  bar: number;
  action: number;
  target: number;
  /** Exposure before the decision. */
  exposure: number;
  equity: number;
}

export interface LaneOptions {
  symbol: string;
  series: CandleSeries;
  spec: FeatureSpec;
  windowSize: number;
  config: TradingConfig;
  scheme: ActionScheme;
  policies: readonly LivePolicy[];
  /** Portfolio id of each policy (log-safe names). */
  portfolioIds: readonly string[];
  onDecision?: (d: Decision, obs: Float32Array, policy: LivePolicy) => void;
  onOrder?: (policy: LivePolicy, outcome: OrderOutcome, bar: ClosedBar) => void;
  /** An asynchronous policy failed or timed out: no new target for that bar (the position is held). */
  onPolicyError?: (policy: LivePolicy, e: Error) => void;
}

export class Lane {
  readonly symbol: string;
  readonly builder: ObservationBuilder;
  readonly executor: PaperExecutor;
  readonly traders: TargetTrader[];
  readonly obsSize: number;
  readonly F: number;
  readonly W: number;
  /** Index (in the series) of the first bar whose features are all valid; −1 before. */
  firstReady = -1;
  decisions = 0;
  lastDecision: Decision | null = null;
  private readonly o: LaneOptions;
  private readonly ring: Float32Array;
  private ringHead = 0;
  private readonly obs: Float32Array;
  private readonly maskBuf: Uint8Array;
  private readonly events: ExecutionEvent[] = [];
  /** Decisions run from the next ready bar on (false while the loop only warms up). */
  live = false;
  /** Kill switch: no decision and no order from now on (features and marks go on). */
  halted = false;
  /** Bars waiting for an asynchronous decision, in order (null when none is pending). */
  private queue: Promise<void> | null = null;

  constructor(o: LaneOptions) {
    this.o = { ...o, policies: [...o.policies] };
    this.symbol = o.symbol;
    this.builder = new ObservationBuilder(o.spec, { timeframe: o.series.timeframe });
    this.F = this.builder.names.length;
    this.W = o.windowSize;
    this.obsSize = this.W * this.F + 4;
    this.ring = new Float32Array(this.W * this.F);
    this.obs = new Float32Array(this.obsSize);
    this.maskBuf = new Uint8Array(o.scheme.levels?.length ?? 0);
    const ex = o.config.executor;
    this.executor = new PaperExecutor({
      // The same kernel params the env's core trades under (one mapping from the executor config).
      symbols: { [o.symbol]: symbolParamsOf(ex) },
      periodsPerYear: MS_PER_YEAR / o.series.timeframeMs,
    });
    this.executor.onEvent((e) => this.events.push(e));
    // A policy that sets its own exits (a baseline's stop/target) trades under them, as its backtest does.
    this.traders = o.policies.map(
      (p, k) =>
        new TargetTrader(
          this.executor,
          this.executor.createPortfolio(o.portfolioIds[k]!, ex.initialCapital),
          o.symbol,
          {
            discrete: o.scheme.discrete,
            rebalanceThreshold: o.config.rebalanceThreshold,
            cooldownBars: o.config.cooldownBars,
            timeScale: o.config.timeScale,
            executor: { ...ex, ...(p.executor ?? {}) },
            timeframeMs: o.series.timeframeMs,
          },
        ),
    );
  }

  /**
   * Hot swap: policy k is replaced between two decisions (its portfolio and pending target stay). The new policy must
   * read the same features (spec hash).
   */
  swapPolicy(k: number, next: LivePolicy): LivePolicy {
    const cur = this.o.policies[k];
    if (cur === undefined) throw new InvalidArgumentError(`no policy ${k} in the ${this.symbol} lane`);
    if (next.featureSpecHash !== null && cur.featureSpecHash !== null && next.featureSpecHash !== cur.featureSpecHash)
      throw new InvalidArgumentError(
        `hot swap refused: ${next.name} reads feature spec ${next.featureSpecHash.slice(0, 12)}, the lane computes ${cur.featureSpecHash.slice(0, 12)}`,
      );
    (this.o.policies as LivePolicy[])[k] = next;
    return cur;
  }

  /** Kill switch, paper side: no more decisions, pending targets dropped, open paper positions closed at `price`. */
  halt(price: number, time: number): void {
    this.halted = true;
    for (const tr of this.traders) {
      tr.pending = Number.NaN;
      if (tr.portfolio.book.size[0] !== 0 && price > 0)
        this.executor.closePosition(tr.portfolio.id, this.symbol, price, time);
    }
  }

  get policies(): readonly LivePolicy[] {
    return this.o.policies;
  }

  /** Feeds warm-up bars already in the series (indices [from, series.length)): features, window and ATR only. */
  warmUp(from = 0): void {
    const s = this.o.series;
    const f = s.frame();
    for (let k = from; k < f.length; k++) this.advance(barAt(f, k), k);
  }

  /** The features/window/ATR update of bar k; returns whether a decision can be taken at k. */
  private advance(bar: ClosedBar, k: number): boolean {
    const row = this.builder.update(bar);
    this.ring.set(row, this.ringHead * this.F);
    this.ringHead = (this.ringHead + 1) % this.W;

    for (const tr of this.traders) tr.updateAtr(bar.high, bar.low, bar.close);
    if (this.firstReady < 0 && this.builder.ready) this.firstReady = k;
    return this.firstReady >= 0 && k >= this.firstReady + this.W - 1 && this.traders.every((tr) => tr.atrReady);
  }

  /** A live closed bar, already appended to the series. */
  onBar(bar: ClosedBar): void {
    const nx = this.o.series.length - 1;
    if (this.queue !== null) {
      this.track(this.queue.then(() => this.process(bar, nx) ?? undefined));
      return;
    }
    const wait = this.process(bar, nx);
    if (wait !== null) this.track(wait);
  }

  /** Resolves when every bar handed over so far has been decided on. */
  idle(): Promise<void> {
    return this.queue ?? Promise.resolve();
  }

  private track(p: Promise<void>): void {
    this.queue = p;
    void p.then(() => {
      if (this.queue === p) this.queue = null;
    });
  }

  private process(bar: ClosedBar, nx: number): Promise<void> | null {
    const canDecide = this.advance(bar, nx);
    const started = this.traders[0]!.started;
    if (!started && !(this.live && canDecide)) return null;
    this.events.length = 0;
    if (started) {
      for (let k = 0; k < this.traders.length; k++) {
        const out = this.traders[k]!.fillAtOpen(nx, bar, [], bar.filled);
        if (out.status !== 'none') this.o.onOrder?.(this.o.policies[k]!, out, bar);
      }
    }
    if (bar.filled) {
      // An interval with no trade: nothing fills in it (no exit either); rollover runs and the close is marked.
      for (const tr of this.traders) {
        const p = tr.portfolio;
        p.accrue(this.symbol, bar.time);
        p.setMark(this.symbol, bar.close);
        p.mark(bar.time);
      }
    } else this.executor.onBar(this.symbol, bar);
    for (const tr of this.traders) tr.afterBar(nx, bar.close, this.events);
    return this.halted ? null : this.decide(nx, bar);
  }

  private decide(t: number, bar: ClosedBar): Promise<void> | null {
    const obs = this.obs;
    const F = this.F;
    // Window rows oldest first: the ring from its head.
    const head = this.ringHead * F;
    obs.set(this.ring.subarray(head), 0);
    obs.set(this.ring.subarray(0, head), this.ring.length - head);
    const series = this.o.series;
    const history = (): ReturnType<typeof series.frame> => series.frame();
    const levels = this.o.scheme.levels;
    let waits: Promise<void>[] | null = null;
    for (let k = 0; k < this.traders.length; k++) {
      const tr = this.traders[k]!;
      const p = this.o.policies[k]!;
      tr.writeState(obs, this.W * F, t, bar.close);
      let mask: Uint8Array | null = null;
      if (levels !== null) {
        tr.mask(levels, t, this.maskBuf);
        mask = this.maskBuf;
      }
      const exposure = tr.exposure;
      const equity = tr.equity;
      const apply = (action: number): void => {
        const target = targetExposure(this.o.scheme, action, `policy ${p.name}`);
        tr.setTarget(target);
        this.decisions++;
        const d: Decision = {
          policy: p.name,
          symbol: this.symbol,
          time: bar.time,
          bar: t,
          action,
          target,
          exposure,
          equity,
        };
        this.lastDecision = d;
        this.o.onDecision?.(d, obs, p);
      };
      const r = p.decide({ obs, history, t, exposure, mask });
      if (typeof r === 'number') apply(r);
      else {
        // The policy copied what it needs before returning (the buffers are reused). No answer: no new target.
        waits ??= [];
        waits.push(r.then(apply, (e: Error) => this.o.onPolicyError?.(p, e)));
      }
    }
    return waits === null ? null : Promise.all(waits).then(() => undefined);
  }
}
