// Small helpers shared by the live-loop tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { prepareTradingKwargs } from '../../envs/trading/prepare.ts';
import { TradingEnv } from '../../envs/trading/trading-env.ts';
import type { Fill } from '../../src/execution/types.ts';
import type { LiveLoop } from '../../src/live/loop.ts';
import { KrakenGateway, LIVE_CONFIRMATION, type GatewayOptions } from '../../src/live/gateway/gateway.ts';
import { RiskEngine, type RiskLimits } from '../../src/live/gateway/risk.ts';
import type { KrakenTestServer, ServerCandle } from './kraken-server.ts';

/** Waits until `cond()` holds (polling every 5 ms) or fails after `ms`, naming what it waited for. */
export async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Sample {
  kind: string;
  source: string;
  message: Record<string, unknown>;
}

/** The real Kraken WS v2 samples copied into test/fixtures/kraken_ws_v2 (one JSON a line: kind, source, message). */
export function krakenSamples(): Map<string, Sample> {
  const p = fileURLToPath(new URL('../fixtures/kraken_ws_v2/samples.jsonl', import.meta.url));
  const out = new Map<string, Sample>();
  for (const line of readFileSync(p, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const s = JSON.parse(line) as Sample;
    out.set(s.kind, s);
  }
  return out;
}

/** Kraken's ohlc update (wire JSON) for bar k of a frame: what the loop's client parses. */
export function ohlcUpdate(frame: MarketFrame, k: number, interval = 60): string {
  const c = {
    symbol: frame.symbol,
    open: frame.open[k],
    high: frame.high[k],
    low: frame.low[k],
    close: frame.close[k],
    volume: frame.volume[k],
    trades: frame.trades?.[k] ?? 1,
    vwap: frame.close[k],
    interval,
    interval_begin: new Date(frame.time[k]!).toISOString(),
  };
  return JSON.stringify({ channel: 'ohlc', type: 'update', data: [c] });
}

/** Bars [from, to] of a frame into a loop's client, as Kraken sends them: nothing for a minute with no trade. */
export function feedBars(loop: LiveLoop, frame: MarketFrame, from: number, to: number, interval = 60): void {
  for (let k = from; k <= to; k++)
    if (!frame.filled![k]) loop.client.onFrame(ohlcUpdate(frame, k, interval), Date.now());
}

/** Bar k of a frame as the test server's candle. */
export function serverCandle(frame: MarketFrame, k: number, interval = 60): ServerCandle {
  return {
    symbol: frame.symbol,
    interval,
    time: frame.time[k]!,
    open: frame.open[k]!,
    high: frame.high[k]!,
    low: frame.low[k]!,
    close: frame.close[k]!,
    volume: frame.volume[k]!,
  };
}

export interface BacktestRun {
  actions: number[];
  fills: { qty: number; price: number; fee: number; reason: string; time: number }[];
  time: number[];
  equity: number[];
}

/** The backtest's own step loop over bundled 1h bars of `range` (what the model runner does), recording actions and fills. */
export async function backtestRun(
  symbol: string,
  range: string,
  kwargs: Record<string, unknown>,
  decide: (env: TradingEnv, obs: Float32Array) => number,
  prepare?: (env: TradingEnv) => void,
): Promise<BacktestRun> {
  const env = new TradingEnv(
    await prepareTradingKwargs({
      ruinFraction: 0,
      ...kwargs,
      data: 'bundled',
      symbol,
      timeframe: '1h',
      range,
      start: 'first',
      episodeLength: null,
    }),
  );
  prepare?.(env);
  let obs = env.reset({ seed: 0, options: { start: 'first' } }).observation;
  const run: BacktestRun = { actions: [], fills: [], time: [], equity: [] };
  for (;;) {
    const a = decide(env, obs);
    run.actions.push(a);
    const r = env.step(a);
    for (const f of r.info.fills as { qty: number; price: number; fee: number; reason: string }[])
      run.fills.push({ qty: f.qty, price: f.price, fee: f.fee, reason: f.reason, time: r.info.time as number });
    obs = r.observation;
    if (r.terminated || r.truncated) break;
  }
  const c = env.equityCurve();
  run.time = Array.from(c.time);
  run.equity = Array.from(c.equity);
  return run;
}

/** A paper portfolio's fills in the backtest's info form (signed qty). */
export function signedFills(fills: readonly Fill[]): BacktestRun['fills'] {
  return fills.map((f) => ({
    qty: f.side === 'buy' ? f.size : -f.size,
    price: f.price,
    fee: f.fee,
    reason: f.reason,
    time: f.time,
  }));
}

/** A live gateway to the local test exchange (its keys, the confirmation, fast reconnects), with these risk limits. */
export function testGateway(
  server: KrakenTestServer,
  limits: RiskLimits,
  over: Partial<GatewayOptions> = {},
): KrakenGateway {
  return new KrakenGateway({
    credentials: { apiKey: server.apiKey, apiSecret: server.apiSecret },
    confirmation: LIVE_CONFIRMATION,
    risk: new RiskEngine(limits),
    url: server.url,
    restUrl: server.restUrl,
    backoff: { initialMs: 20 },
    ...over,
  });
}
