// `tg4 policy serve`: a policy answering over ZeroMQ (REP, plain msgpack maps like the env server's protocol), so that
// the TG4 bot (agents/python/tg4gym/strategy.py) runs promoted policies. Two questions:
//  - act    {op:'act', obs: bytes (float32 little-endian) | number[], mask?}  → {ok, action, target}
//  - signal {op:'signal', symbol, bars: [[time ms, open, high, low, close, volume(, trades)], …]}
//           → {ok, symbol, bar_time, action, target, signal: {action, price, stop_loss, take_profit}, policy}
//    The server keeps a Lane per symbol (the live loop's: same features, paper portfolio, trading rules): the first
//    request's bars warm it up, later requests add the bars it has not seen (closed bars, ascending; intervals with no
//    trade are filled as replay fills them), and the decision on the last bar is the answer.
// Hot swap: `reload` is asked between requests; a new policy takes over at the next decision, the portfolio stays.
// Bounded: message size, bars per request, symbols; loopback binds only (no keys on this socket).
import * as zmq from 'zeromq';
import { normalizeSymbol } from '../../replay/symbol.ts';
import { timeframeMs } from '../../replay/timeframe.ts';
import { InvalidArgumentError } from '../core/errors.ts';
import { parseBindAddress } from '../server/address.ts';
import { decodeMessage, encodeMessage } from '../server/protocol/codec.ts';
import { CandleSeries, type ClosedBar } from './candle-series.ts';
import { Lane, type Decision } from './lane.ts';
import { liveTradingSetup, policyContext, type LiveTradingSetup } from './live-config.ts';
import type { LivePolicy, PolicyContext } from './policy.ts';

export const POLICY_PROTOCOL = 'tg4-policy/1';

export interface PolicyServerOptions {
  bind: string;
  timeframe: string;
  kwargs?: Record<string, unknown>;
  policy: (ctx: PolicyContext) => LivePolicy;
  /** Asked between requests (at most every reloadEveryMs): a new policy factory, or null to keep the current one. */
  reload?: () => ((ctx: PolicyContext) => LivePolicy) | null;
  reloadEveryMs?: number;
  maxMessageBytes?: number;
  maxBarsPerRequest?: number;
  maxSymbols?: number;
}

interface SymbolState {
  lane: Lane;
  series: CandleSeries;
  last: Decision | null;
}

export class PolicyServer {
  readonly setup: LiveTradingSetup;
  readonly ctx: PolicyContext;
  policy: LivePolicy;
  private readonly o: PolicyServerOptions;
  private readonly sock: zmq.Reply;
  private readonly symbols = new Map<string, SymbolState>();
  private readonly tfMs: number;
  private closed = false;
  private lastReload = 0;
  readonly stats = { requests: 0, errors: 0, swaps: 0 };

  constructor(o: PolicyServerOptions) {
    const addr = parseBindAddress(o.bind);
    if (!addr.loopback)
      throw new InvalidArgumentError(
        `--bind ${o.bind}: tg4 policy serve listens on loopback, ipc or inproc addresses only`,
      );
    this.o = o;
    this.tfMs = timeframeMs(o.timeframe);
    this.setup = liveTradingSetup(o.kwargs ?? {}, o.timeframe);
    this.ctx = policyContext(this.setup);
    this.policy = o.policy(this.ctx);
    this.sock = new zmq.Reply({ linger: 0, maxMessageSize: o.maxMessageBytes ?? 8 * 1024 * 1024 });
  }

  async start(): Promise<void> {
    await this.sock.bind(this.o.bind);
    void this.serve();
  }

  get endpoint(): string {
    return this.sock.lastEndpoint ?? this.o.bind;
  }

  close(): void {
    this.closed = true;
    this.sock.close();
  }

  private async serve(): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await this.sock.receive();
      } catch {
        return; // closed
      }
      this.stats.requests++;
      let reply: unknown;
      try {
        this.maybeReload();
        reply = this.handle(decodeMessage(frames[0]!));
      } catch (e) {
        this.stats.errors++;
        const err = e as { code?: string; message?: string };
        reply = { ok: false, code: err.code ?? 'INTERNAL', error: String(err.message ?? e).slice(0, 500) };
      }
      try {
        await this.sock.send(encodeMessage(reply));
      } catch {
        return;
      }
    }
  }

  private maybeReload(): void {
    const r = this.o.reload;
    if (r === undefined || Date.now() - this.lastReload < (this.o.reloadEveryMs ?? 1000)) return;
    this.lastReload = Date.now();
    const next = r();
    if (next === null) return;
    const p = next(this.ctx);
    for (const s of this.symbols.values()) s.lane.swapPolicy(0, p);
    this.policy = p;
    this.stats.swaps++;
  }

  private handle(req: unknown): unknown {
    if (req === null || typeof req !== 'object' || Array.isArray(req))
      throw new InvalidArgumentError('send one msgpack map {op, …}');
    const m = req as Record<string, unknown>;
    switch (m.op) {
      case 'hello':
        return {
          ok: true,
          protocol: POLICY_PROTOCOL,
          policy: this.policy.name,
          source: this.policy.source,
          spec_hash: this.setup.specHash,
          obs_size: this.setup.obsSize,
          timeframe: this.o.timeframe,
          action_space: this.setup.actionSpace,
        };
      case 'act':
        return this.act(m);
      case 'signal':
        return this.signal(m);
      default:
        throw new InvalidArgumentError(`unknown op ${JSON.stringify(m.op)}: use hello, act or signal`);
    }
  }

  private act(m: Record<string, unknown>): unknown {
    const n = this.setup.obsSize;
    let obs: Float32Array;
    if (m.obs instanceof Uint8Array) {
      if (m.obs.byteLength !== n * 4)
        throw new InvalidArgumentError(
          `obs has ${m.obs.byteLength} bytes; this policy takes ${n} float32 (${n * 4} bytes)`,
        );
      obs = new Float32Array(n);
      new Uint8Array(obs.buffer).set(m.obs);
    } else if (Array.isArray(m.obs) && m.obs.length === n && m.obs.every((x) => typeof x === 'number'))
      obs = Float32Array.from(m.obs as number[]);
    else throw new InvalidArgumentError(`obs must be ${n} float32 values (bytes or a list)`);
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(obs[i]!))
        throw new InvalidArgumentError(`obs[${i}] is ${obs[i]}: observations must be finite`);
    if (this.policy.kind === 'baseline')
      throw new InvalidArgumentError(`policy ${this.policy.name} reads bars, not observations: use op 'signal'`);
    let mask: Uint8Array | null = null;
    if (m.mask !== undefined && m.mask !== null) {
      if (!Array.isArray(m.mask) || m.mask.length !== (this.setup.scheme.levels?.length ?? -1))
        throw new InvalidArgumentError('mask must have one 0/1 per discrete action');
      mask = Uint8Array.from(m.mask as number[], (v) => (v ? 1 : 0));
    }
    const action = this.policy.decide({
      obs,
      history: () => {
        throw new InvalidArgumentError("op 'act' carries no bars");
      },
      t: 0,
      exposure: 0,
      mask,
    });
    if (typeof action !== 'number')
      throw new InvalidArgumentError(`policy ${this.policy.name} answers asynchronously: serve a local policy`);
    return { ok: true, action, target: this.setup.scheme.levels?.[action] ?? action * this.setup.scheme.exposure };
  }

  private signal(m: Record<string, unknown>): unknown {
    if (typeof m.symbol !== 'string' || m.symbol.length === 0 || m.symbol.length > 32)
      throw new InvalidArgumentError('symbol must be a string such as "BTC/USD"');
    const symbol = normalizeSymbol(m.symbol);
    const bars = m.bars;
    const max = this.o.maxBarsPerRequest ?? 20_000;
    if (!Array.isArray(bars) || bars.length === 0)
      throw new InvalidArgumentError('bars must be a non-empty list of [time ms, open, high, low, close, volume]');
    if (bars.length > max) throw new InvalidArgumentError(`${bars.length} bars in one request: at most ${max}`);
    let st = this.symbols.get(symbol);
    const fresh = st === undefined;
    if (st === undefined) {
      if (this.symbols.size >= (this.o.maxSymbols ?? 32))
        throw new InvalidArgumentError(
          `already serving ${this.symbols.size} symbols: at most ${this.o.maxSymbols ?? 32}`,
        );
      const series = new CandleSeries(symbol, this.o.timeframe);
      const lane = new Lane({
        symbol,
        series,
        spec: this.setup.spec,
        windowSize: this.setup.windowSize,
        config: this.setup.config,
        scheme: this.setup.scheme,
        policies: [this.policy],
        portfolioIds: ['policy'],
        onDecision: (d) => {
          st!.last = d;
        },
      });
      st = { lane, series, last: null };
      this.symbols.set(symbol, st);
    }
    const parsed = bars.map((b, i) => parseBar(b, i, symbol, this.o.timeframe));
    const s = st;
    // Only bars after the last one seen; a hole is filled with flat bars at the last close (replay's gap policy).
    const news: ClosedBar[] = [];
    let last = s.series.lastTime;
    let lastClose = s.series.lastClose;
    for (const b of parsed) {
      if (b.time <= last) continue;
      if (b.time % this.tfMs !== 0)
        throw new InvalidArgumentError(
          `bar time ${new Date(b.time).toISOString()} is not on the ${this.o.timeframe} grid`,
        );
      if (last === last) {
        if ((b.time - last) / this.tfMs > 100_000)
          throw new InvalidArgumentError('bars jump more than 100,000 intervals ahead');
        for (let t = last + this.tfMs; t < b.time; t += this.tfMs)
          news.push({
            symbol,
            timeframe: this.o.timeframe,
            time: t,
            open: lastClose,
            high: lastClose,
            low: lastClose,
            close: lastClose,
            volume: 0,
            trades: 0,
            vwap: lastClose,
            filled: true,
          });
      }
      news.push(b);
      last = b.time;
      lastClose = b.close;
    }
    if (fresh) {
      // Everything but the last bar warms the lane up; the last one is the decision bar.
      for (const b of news.slice(0, -1)) s.series.push(b);
      s.lane.warmUp();
      s.lane.live = true;
      if (news.length > 0) {
        s.series.push(news[news.length - 1]!);
        s.lane.onBar(news[news.length - 1]!);
      }
    } else
      for (const b of news) {
        s.series.push(b);
        s.lane.onBar(b);
      }
    const d = s.last;
    const price = s.series.lastClose;
    if (d === null || d.time !== s.series.lastTime)
      return {
        ok: true,
        symbol,
        bar_time: s.series.lastTime,
        ready: false,
        action: null,
        target: 0,
        signal: { action: 'hold', price, stop_loss: null, take_profit: null },
        policy: this.policy.name,
      };
    const tr = s.lane.traders[0]!;
    // What the decision does to the position (the hold rule, cooldown and caps of the trading env), as the bot's signal.
    const cur = tr.portfolio.book.size[0]!;
    const planned = tr.plannedSize(price, s.series.length);
    const action = planned === cur ? 'hold' : planned === 0 ? 'close' : planned > cur ? 'buy' : 'sell';
    const ex = { ...this.setup.config.executor, ...(this.policy.executor ?? {}) };
    const side = d.target > 0 ? 1 : d.target < 0 ? -1 : 0;
    const atr = tr.atrValue;
    const stop = side !== 0 && ex.stopLossAtr !== null && atr > 0 ? price - side * ex.stopLossAtr * atr : null;
    const take = side !== 0 && ex.takeProfitAtr !== null && atr > 0 ? price + side * ex.takeProfitAtr * atr : null;
    return {
      ok: true,
      symbol,
      bar_time: d.time,
      ready: true,
      action: d.action,
      target: d.target,
      signal: { action, price, stop_loss: stop, take_profit: take },
      policy: this.policy.name,
    };
  }
}

function parseBar(b: unknown, i: number, symbol: string, timeframe: string): ClosedBar {
  if (!Array.isArray(b) || b.length < 6 || b.slice(0, 6).some((x) => typeof x !== 'number' || !Number.isFinite(x)))
    throw new InvalidArgumentError(`bars[${i}] must be [time ms, open, high, low, close, volume] of finite numbers`);
  const [time, open, high, low, close, volume] = b as number[];
  if (!(open! > 0 && high! > 0 && low! > 0 && close! > 0) || high! < low! || volume! < 0 || !Number.isInteger(time))
    throw new InvalidArgumentError(
      `bars[${i}] is not a valid bar (time ${time}, open ${open}, high ${high}, low ${low}, close ${close}, volume ${volume})`,
    );
  const trades = typeof b[6] === 'number' && b[6] >= 0 ? b[6] : Number.NaN;
  return {
    symbol,
    timeframe,
    time: time!,
    open: open!,
    high: high!,
    low: low!,
    close: close!,
    volume: volume!,
    trades,
    vwap: Number.NaN,
    filled: false,
  };
}
