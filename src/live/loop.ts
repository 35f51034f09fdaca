// The live loop: Kraken's WS v2 feed → DataManager (closed bars, books, trades) → one Lane per symbol (features,
// policies, paper portfolios) → orders (the PaperExecutor by default; the Kraken gateway only with --live) → the bot's
// JSONL logs. Warm-up history goes through the same features first, so the first live bar is already a valid decision.
import { normalizeSymbol } from '../../replay/symbol.ts';
import { timeframeMs, timeframeName } from '../../replay/timeframe.ts';
import { InvalidArgumentError } from '../core/errors.ts';
import type { EventLog } from '../logging/event-log.ts';
import { logExecutorEvents } from '../logging/executor-sink.ts';
import { dataHash } from '../logging/data-hash.ts';
import type { SignalAction } from '../logging/event-types.ts';
import { BarStore } from './bar-store.ts';
import type { ClosedBar } from './candle-series.ts';
import { DataManager } from './data-manager.ts';
import { KrakenWsClient } from './kraken/ws-client.ts';
import { Lane, type Decision } from './lane.ts';
import { liveTradingSetup, policyContext, type LiveTradingSetup } from './live-config.ts';
import type { FusedPolicy } from './fusion.ts';
import type { LivePolicy, PolicyContext } from './policy.ts';
import type { OrderOutcome } from './target-trader.ts';
import { loadWarmup, type HttpFetch } from './warmup.ts';
import type { KrakenGateway } from './gateway/gateway.ts';
import { LiveRouter, type RouterOptions } from './live-router.ts';
import { existsSync } from 'node:fs';

export interface LiveLoopOptions {
  symbols: readonly string[];
  /** Decision timeframe, e.g. '1m'. */
  timeframe: string;
  /** Trading-v0 kwargs (executor, actionScheme, features, windowSize, cooldownBars, …), as for tg4 backtest. */
  kwargs?: Record<string, unknown>;
  /** One factory per policy: called once per symbol (each lane owns its policy instances). */
  policies: readonly ((ctx: PolicyContext) => LivePolicy)[];
  wsUrl?: string;
  /** Extra ohlc timeframes kept by the DataManager (e.g. ['5m']). */
  extraTimeframes?: readonly string[];
  bookDepth?: number;
  keepTrades?: number;
  /** Grace after an interval's end before the clock closes its bar (default 2000 ms); null: only the next interval's update closes it. */
  graceMs?: number | null;
  staleAfterMs?: number;
  backoff?: { initialMs?: number; maxMs?: number; factor?: number };
  /** Warm-up history source ('bundled', 'kraken', a CSV, a postgres:// URL) and the time it must end before. */
  warmup?: { source: string; until?: number; maxBars?: number; fetch?: HttpFetch; restUrl?: string } | null;
  /** Closed bars are written here when set (PostgreSQL URL). */
  db?: string | null;
  log?: EventLog | null;
  /** Called for every decision (tests, the status line). */
  onDecision?: (d: Decision) => void;
  /** Called for each closed decision-timeframe bar, after the lanes handled it. */
  onBar?: (b: ClosedBar) => void;
  seed?: number;
  /** Live mode: the gateway the first policy's orders go through (absent: paper only, nothing reaches an exchange). */
  gateway?: KrakenGateway | null;
  router?: RouterOptions;
  /** The kill switch's file: when it appears, the loop flattens and halts. */
  killFile?: string | null;
}

/** A portfolio id the JSONL logs accept: policy name and symbol, [A-Za-z0-9._-]. */
export function portfolioId(policy: string, symbol: string): string {
  return `${policy}-${symbol}`
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[^A-Za-z0-9]+/, 'p')
    .slice(0, 120);
}

const KRAKEN_MINUTES = [1, 5, 15, 30, 60, 240, 1440];

/**
 * The ohlc series kept beside the decision timeframe: those asked for, and the feature spec's coarser timeframes that
 * Kraken serves (the features compute them from the base bars; the series are for logs, the status and the database).
 */
function extraTimeframes(
  asked: readonly string[] | undefined,
  features: readonly { timeframe?: string | undefined }[],
  tfMs: number,
): string[] {
  const out = new Map<number, string>();
  for (const t of [...(asked ?? []), ...features.map((f) => f.timeframe).filter((t): t is string => t !== undefined)]) {
    const ms = timeframeMs(t);
    if (ms > tfMs && KRAKEN_MINUTES.includes(ms / 60_000)) out.set(ms, timeframeName(ms));
  }
  return [...out.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
}

export class LiveLoop {
  readonly data: DataManager;
  readonly client: KrakenWsClient;
  readonly lanes = new Map<string, Lane>();
  readonly setup: LiveTradingSetup;
  readonly timeframe: string;
  store: BarStore | null = null;
  private readonly o: LiveLoopOptions;
  private timer: NodeJS.Timeout | null = null;
  private unsubs: (() => void)[] = [];
  /** Latency of the last closed bar: message receipt → decisions done (ms). */
  lastDecisionLatencyMs = Number.NaN;
  private currentReceivedAt = 0;
  readonly errors: Error[] = [];
  readonly router: LiveRouter | null;
  /** Set by the kill switch: reason and time. */
  killed: { reason: string; time: number } | null = null;

  private constructor(o: LiveLoopOptions) {
    this.o = o;
    if (o.policies.length === 0) throw new InvalidArgumentError('live: give at least one policy (--policy)');
    this.timeframe = o.timeframe;
    const tfMs = timeframeMs(o.timeframe);
    this.setup = liveTradingSetup(o.kwargs ?? {}, o.timeframe);
    const symbols = o.symbols.map((s) => normalizeSymbol(s));
    if (new Set(symbols).size !== symbols.length)
      throw new InvalidArgumentError(`--symbols lists a symbol twice: ${symbols.join(', ')}`);
    this.data = new DataManager({
      symbols,
      timeframes: [o.timeframe, ...extraTimeframes(o.extraTimeframes, this.setup.spec.features, tfMs)],
      bookDepth: o.bookDepth ?? 10,
      keepTrades: o.keepTrades ?? 1000,
      graceMs: o.graceMs ?? 2000,
    });
    const ctx = policyContext(this.setup, o.seed ?? 0);
    for (const s of symbols) {
      const policies = o.policies.map((f) => f(ctx));
      const names = policies.map((p) => p.name);
      if (new Set(names).size !== names.length)
        throw new InvalidArgumentError(
          `two policies share the name '${names.find((n, i) => names.indexOf(n) !== i)}': give each its own`,
        );
      for (const p of policies)
        if (p.featureSpecHash !== null && p.featureSpecHash !== this.setup.specHash)
          throw new InvalidArgumentError(
            `policy ${p.name} was trained with feature spec ${p.featureSpecHash.slice(0, 12)}, the live features are ${this.setup.specHash.slice(0, 12)}: run it with the kwargs it was trained with`,
          );
      const lane = new Lane({
        symbol: s,
        series: this.data.candles(s, o.timeframe),
        spec: this.setup.spec,
        windowSize: this.setup.windowSize,
        config: this.setup.config,
        scheme: this.setup.scheme,
        policies,
        portfolioIds: policies.map((p) => portfolioId(p.name, s)),
        onDecision: (d, obs, p) => this.decided(d, obs, p),
        onOrder: (p, out, bar) => this.ordered(p, s, out, bar),
        onPolicyError: (p, e) =>
          this.system('warn', `${portfolioId(p.name, s)}: no decision (${e.message}): position held`),
      });
      this.lanes.set(s, lane);
      if (o.log) this.unsubs.push(logExecutorEvents(lane.executor, o.log));
    }
    this.router = o.gateway
      ? new LiveRouter(o.gateway, {
          instrument: (s) => this.client.precision.get(s),
          onEvent: (level, message) => this.system(level, `exchange exits: ${message}`),
          ...o.router,
        })
      : null;
    this.data.onBar((b) => {
      if (b.timeframe !== o.timeframe) return;
      const lane = this.lanes.get(b.symbol);
      lane?.onBar(b);
      this.store?.write(b);
      if (lane && this.router && !lane.halted && lane.traders[0]!.started) this.route(lane, b);
      o.onBar?.(b);
    });
    this.client = new KrakenWsClient({
      url: o.wsUrl,
      subscriptions: this.data.subscriptions(),
      staleAfterMs: o.staleAfterMs,
      backoff: o.backoff,
      handlers: {
        onMessage: (m, at) => {
          this.currentReceivedAt = at;
          this.data.handle(m, at);
        },
        onBook: (b) => this.data.setBook(b),
        onStatus: (s) => {
          o.gateway?.setExchangeStatus(s);
          this.system(
            s === 'online' ? 'info' : 'warn',
            `exchange status ${s}${s === 'online' ? '' : ': no new live orders'}`,
          );
        },
        onChecksumMismatch: (sym, want, got) =>
          this.system('warn', `book checksum mismatch on ${sym} (Kraken ${want}, ours ${got}): resubscribed`),
        onStale: (ms) => this.system('warn', `feed stale: no message for ${ms} ms; reconnecting`),
        onDisconnect: (why) => this.system('warn', `disconnected: ${why}`),
        onConnect: (n) => this.system('info', `connected to ${this.client.url} (attempt ${n})`),
        onError: (e) => {
          this.errors.push(e);
          if (this.errors.length > 100) this.errors.shift();
          this.system('error', e.message);
        },
      },
    });
  }

  /** Builds the loop and loads the warm-up history into every lane (features valid from the first live bar). */
  static async create(o: LiveLoopOptions): Promise<LiveLoop> {
    const loop = new LiveLoop(o);
    if (o.warmup) {
      for (const [s, lane] of loop.lanes) {
        const frame = await loadWarmup({ ...o.warmup, symbol: s, timeframe: o.timeframe });
        loop.data.warmUp(frame);
        lane.warmUp();
      }
    }
    for (const lane of loop.lanes.values()) for (const p of lane.policies) await p.ready?.();
    for (const lane of loop.lanes.values()) lane.live = true;
    if (o.db) loop.store = await BarStore.open(o.db);
    return loop;
  }

  /** Connects to the feed and starts the bar timer (which also watches the kill file). */
  async start(): Promise<void> {
    this.timer = setInterval(() => {
      const now = Date.now();
      // Bars close by the clock only while the feed is up and fresh: silence from a dead link is not a quiet market.
      const fresh = this.client.connected && now - this.client.lastMessageAt < (this.o.staleAfterMs || 10_000);
      if (fresh && this.o.graceMs !== null) this.data.tick(now);
      if (this.o.killFile && this.killed === null && existsSync(this.o.killFile))
        void this.kill(`kill file ${this.o.killFile} appeared`);
    }, 250);
    await this.client.start();
  }

  /** Live mode: the exchange follows the first policy's planned position; the daily loss limit sees the exchange PnL. */
  private route(lane: Lane, b: ClosedBar): void {
    const router = this.router!;
    const prices = new Map<string, number>();
    for (const s of this.lanes.keys()) {
      const px = this.data.candles(s, this.timeframe).lastClose;
      if (px > 0) prices.set(s, px);
    }
    router.gateway.risk.updatePnl(router.pnl(prices));
    const nx = this.data.candles(b.symbol, this.timeframe).length - 1;
    // After the bar's decisions (an asynchronous policy may still be answering).
    void lane
      .idle()
      .then(() => router.follow(lane.traders[0]!, b.symbol, b.close, nx, b.time))
      .then((r) => {
        if (r !== 'hold') this.system(r.startsWith('refused') ? 'warn' : 'info', `${b.symbol} live order: ${r}`);
      });
  }

  /** The kill switch: every lane stops deciding and closes its paper positions; live: cancel, flatten, HALT. */
  async kill(reason: string): Promise<void> {
    if (this.killed !== null) return;
    const now = Date.now();
    this.killed = { reason, time: now };
    this.system('error', `KILL SWITCH: ${reason}`);
    const prices = new Map<string, number>();
    for (const [s, lane] of this.lanes) {
      const series = this.data.candles(s, this.timeframe);
      const px = series.lastClose;
      prices.set(s, px);
      lane.halt(px, Math.max(now, Number.isFinite(series.lastTime) ? series.lastTime : 0));
    }
    if (this.o.gateway) await this.o.gateway.kill(reason, prices);
  }

  /** Stops the feed and timers, flushes the bar store; portfolios stay readable. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.client.stop();
    for (const u of this.unsubs) u();
    this.unsubs = [];
    for (const l of this.lanes.values()) for (const p of l.policies) p.close?.();
    if (this.store) await this.store.close();
    this.store = null;
  }

  private decided(d: Decision, obs: Float32Array, p: LivePolicy): void {
    this.lastDecisionLatencyMs = Date.now() - this.currentReceivedAt;
    this.o.onDecision?.(d);
    const log = this.o.log;
    if (!log) return;
    const action: SignalAction =
      d.target > d.exposure ? 'buy' : d.target < d.exposure ? (d.target === 0 ? 'close' : 'sell') : 'hold';
    log.signal({
      time: d.time,
      strategy: portfolioId(p.name, d.symbol),
      symbol: d.symbol,
      action: d.target === 0 && d.exposure === 0 ? 'hold' : action,
      price: this.data.candles(d.symbol, this.timeframe).lastClose,
      indicators: {
        action: d.action,
        target_exposure: d.target,
        exposure: d.exposure,
        equity: d.equity,
        // A fused policy's parts: each policy's target and the fused one.
        ...Object.fromEntries(
          Object.entries((p as Partial<FusedPolicy>).lastParts ?? {}).map(([k, v]) => [`fusion.${k}`, v]),
        ),
      },
      dataHash: dataHash(obs),
    });
  }

  private ordered(p: LivePolicy, symbol: string, out: OrderOutcome, bar: ClosedBar): void {
    if (out.status === 'held' || out.status === 'filled') return;
    this.o.log?.system({
      time: bar.time,
      level: out.status === 'rejected' ? 'warn' : 'info',
      component: 'live',
      message: `${portfolioId(p.name, symbol)}: target ${out.status}${out.message ? `: ${out.message}` : ''}`,
    });
  }

  private system(level: 'info' | 'warn' | 'error', message: string): void {
    this.o.log?.system({ time: Date.now(), level, component: 'live.feed', message });
  }
}
