// Planted-signal markets: synthetic 1h candles drawn from a seed by a process whose best policy is known, so that a
// learner can be proven on a market where there is something to learn before anyone blames the learner for a real one.
// Every draw is detrended so that its log return over the traded range is exactly −DRIFT_FLOOR per bar: buy-and-hold
// loses (net of costs, too) on every draw, and an edge can only come from the planted signal. The scales are set so
// that the edge is a few round-trip costs per trade: a policy that trades on every flicker of the signal pays it away.
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import type { MarketFrame } from '../../replay/market-frame.ts';

export const PLANTED_KINDS = ['regime', 'mean-revert', 'momentum'] as const;
export type PlantedKind = (typeof PLANTED_KINDS)[number];

/** Every draw's mean log return per bar over its traded range is exactly minus this (≈ −8.4% a year of 1h bars). */
export const DRIFT_FLOOR = 1e-5;
const HOUR = 3_600_000;
/** First bar's open time of every draw: 2021-01-01T00:00Z (any fixed time works; fixed so draws are comparable). */
const EPOCH = Date.UTC(2021, 0, 1);

/** The parameters of each process, all per 1h bar. Defaults are in PLANTED_DEFAULTS and documented in docs/evaluation.md. */
export interface RegimeParams {
  kind: 'regime';
  /** Drift of the up regime (the down regime has −mu), before detrending. */
  mu: number;
  /** Per-bar volatility of log returns. */
  sigma: number;
  /** Probability per bar that the regime switches (mean regime length 1/switchProb bars). */
  switchProb: number;
}
export interface MeanRevertParams {
  kind: 'mean-revert';
  /** AR(1) coefficient of the log price's deviation from its anchor (half-life ln 0.5 / ln theta bars). */
  theta: number;
  sigma: number;
}
export interface MomentumParams {
  kind: 'momentum';
  /** AR(1) coefficient of the latent drift. */
  phi: number;
  /** Volatility of the latent drift's innovations. */
  eta: number;
  sigma: number;
}
export type PlantedParams = RegimeParams | MeanRevertParams | MomentumParams;

export const PLANTED_DEFAULTS: { readonly [K in PlantedKind]: Extract<PlantedParams, { kind: K }> } = {
  regime: { kind: 'regime', mu: 0.0002, sigma: 0.0006, switchProb: 0.01 },
  'mean-revert': { kind: 'mean-revert', theta: 0.98, sigma: 0.002 },
  momentum: { kind: 'momentum', phi: 0.995, eta: 0.00002, sigma: 0.0008 },
};

/** A drawn market: the candles, and the hidden truth that the oracle policies may use. */
export interface PlantedMarket {
  readonly frame: MarketFrame;
  readonly params: PlantedParams;
  readonly seed: number;
  /** The detrending drift subtracted from every bar's log return (known to the oracles). */
  readonly drift: number;
  /** First bar of the traded range: buy-and-hold from its close to the last close loses DRIFT_FLOOR per bar. */
  readonly tradeFrom: number;
  /**
   * The hidden state at each bar: regime s_t ∈ {−1, +1}; mean-revert: the log price's deviation x_t from its anchor;
   * momentum: the latent drift d_t. Bar t's log return is drawn given the state at t.
   */
  readonly hidden: Float64Array;
}

export interface DrawOptions {
  seed: number;
  /** Number of bars (default 8,760: one year of 1h bars). */
  bars?: number;
  /** Parameters to change from the kind's defaults. */
  params?: Partial<Omit<PlantedParams, 'kind'>>;
  /**
   * First bar of the range that is traded (default 1,000: past the planted spec's feature warm-up); buy-and-hold over
   * [detrendFrom, bars) loses exactly DRIFT_FLOOR per bar.
   */
  detrendFrom?: number;
}

function checkParams(p: PlantedParams): void {
  const bad = (what: string): never => {
    throw new InvalidArgumentError(`planted market '${p.kind}': ${what}`);
  };
  const finite = (name: string, v: number, lo: number, hi: number): void => {
    if (!Number.isFinite(v) || v < lo || v > hi) bad(`${name} must be a number in [${lo}, ${hi}], got ${String(v)}`);
  };
  finite('sigma', p.sigma, 1e-6, 0.2);
  if (p.kind === 'regime') {
    finite('mu', p.mu, 0, 0.1);
    finite('switchProb', p.switchProb, 1e-6, 0.5);
  } else if (p.kind === 'mean-revert') {
    finite('theta', p.theta, 0, 0.9999);
  } else {
    finite('phi', p.phi, 0, 0.9999);
    finite('eta', p.eta, 0, 0.1);
  }
}

function resolveParams(kind: PlantedKind, over: DrawOptions['params']): PlantedParams {
  if (!(PLANTED_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidArgumentError(
      `unknown planted market kind '${String(kind)}': use one of ${PLANTED_KINDS.join(', ')}`,
    );
  }
  const base = PLANTED_DEFAULTS[kind];
  const allowed = Object.keys(base).filter((k) => k !== 'kind');
  for (const k of Object.keys(over ?? {})) {
    if (!allowed.includes(k)) {
      throw new InvalidArgumentError(
        `planted market '${kind}' has no parameter '${k}': its parameters are ${allowed.join(', ')}`,
      );
    }
  }
  const p = { ...base, ...(over ?? {}), kind } as PlantedParams;
  checkParams(p);
  return p;
}

/**
 * Draws `bars` log returns and the hidden state of each bar. Bar 0 has return 0 (its open is the series' start price).
 * The returns here are before detrending.
 */
function drawReturns(p: PlantedParams, rng: Rng, n: number): { r: Float64Array; hidden: Float64Array } {
  const r = new Float64Array(n);
  const hidden = new Float64Array(n);
  if (p.kind === 'regime') {
    let s = rng.random() < 0.5 ? -1 : 1;
    for (let t = 0; t < n; t++) {
      if (t > 0 && rng.random() < p.switchProb) s = -s;
      hidden[t] = s;
      if (t > 0) r[t] = p.mu * s + p.sigma * rng.normal();
    }
  } else if (p.kind === 'mean-revert') {
    // Log price = anchor + x_t, x_t = θ x_{t−1} + σ ε_t: the return is the change of x (the anchor's drift is added by
    // detrending).
    let x = (p.sigma / Math.sqrt(1 - p.theta * p.theta)) * rng.normal();
    hidden[0] = x;
    for (let t = 1; t < n; t++) {
      const next = p.theta * x + p.sigma * rng.normal();
      r[t] = next - x;
      x = next;
      hidden[t] = x;
    }
  } else {
    let d = (p.eta / Math.sqrt(1 - p.phi * p.phi)) * rng.normal();
    hidden[0] = d;
    for (let t = 1; t < n; t++) {
      d = p.phi * d + p.eta * rng.normal();
      hidden[t] = d;
      r[t] = d + p.sigma * rng.normal();
    }
  }
  return { r, hidden };
}

/** Draws a planted-signal market of `kind` from a seed: the same seed and options give the same candles, bit for bit. */
export function drawPlantedMarket(kind: PlantedKind, opts: DrawOptions): PlantedMarket {
  const params = resolveParams(kind, opts.params);
  const n = opts.bars ?? 8_760;
  if (!Number.isInteger(n) || n < 500 || n > 5_000_000) {
    throw new InvalidArgumentError(`bars must be an integer in [500, 5,000,000], got ${String(n)}`);
  }
  const rng = new Rng(opts.seed);
  const { r, hidden } = drawReturns(params, rng, n);
  const from = opts.detrendFrom ?? 1_000;
  if (!Number.isInteger(from) || from < 0 || from > n - 100) {
    throw new InvalidArgumentError(`detrendFrom must be an integer in [0, bars − 100], got ${String(from)}`);
  }
  // Detrend: subtract the drift that makes the log return from bar `from`'s close to the last close exactly
  // −DRIFT_FLOOR per bar.
  let total = 0;
  for (let t = from + 1; t < n; t++) total += r[t]!;
  const drift = total / (n - 1 - from) + DRIFT_FLOOR;
  const time = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  // A separate stream for the cosmetic parts (wicks, volume), so that they never shift the returns' stream.
  const cosmetic = new Rng(rng.uint32());
  let price = 100;
  for (let t = 0; t < n; t++) {
    time[t] = EPOCH + t * HOUR;
    const o = price;
    const c = t === 0 ? o : o * Math.exp(r[t]! - drift);
    // Wicks beyond the body: the intrabar range of a bar with this volatility (stops and targets see them).
    const wick = params.sigma * 0.5;
    open[t] = o;
    close[t] = c;
    high[t] = Math.max(o, c) * Math.exp(wick * Math.abs(cosmetic.normal()));
    low[t] = Math.min(o, c) * Math.exp(-wick * Math.abs(cosmetic.normal()));
    volume[t] = 50 * Math.exp(0.3 * cosmetic.normal());
    price = c;
  }
  const frame: MarketFrame = {
    symbol: `PLANTED-${kind.toUpperCase()}/USD`,
    timeframe: '1h',
    timeframeMs: HOUR,
    length: n,
    time,
    open,
    high,
    low,
    close,
    volume,
  };
  return { frame, params, seed: opts.seed, drift, hidden, tradeFrom: from };
}
