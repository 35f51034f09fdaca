// tg4/Portfolio-v0: several symbols on one shared time axis, one account (cross margin), actions = target weights.
// Observation: window of the symbols' concatenated feature rows, then per symbol (exposure, unrealized PnL, time in
// trade) and the account's drawdown. Same core as the vector env (TradingCore with S symbols).
import { Env, type RenderFrame } from '../../src/core/env.ts';
import type { Box } from '../../src/core/spaces/box.ts';
import type { Info, RenderMode, ResetResult, StepResult } from '../../src/core/types.ts';
import type { PortfolioConfig } from './config.ts';
import type { MarketData } from './market-data.ts';
import { observationNames, observationSpace } from './observation.ts';
import { portfolioActionSpace, portfolioTargets } from './portfolio-actions.ts';
import { ansiLine, equitySvg } from './render.ts';
import { portfolioSetup } from './setup.ts';
import { startFromOptions } from './start-option.ts';
import { SYMBOL_STATE_FIELDS, TradingCore } from './trading-core.ts';

export class PortfolioEnv extends Env<Float32Array, Float32Array> {
  readonly observationSpace: Box<Float32Array>;
  readonly actionSpace: Box<Float32Array>;
  override readonly metadata = { renderModes: ['ansi', 'svg'] as readonly RenderMode[] };
  readonly config: PortfolioConfig;
  readonly data: MarketData;
  readonly core: TradingCore;
  readonly observationNames: readonly string[];
  private curveTime: number[] = [];
  private curveEquity: number[] = [];

  constructor(kwargs: Record<string, unknown> = {}) {
    super();
    const setup = portfolioSetup(kwargs);
    this.config = setup.config;
    this.data = setup.data;
    this.core = new TradingCore(setup.data, { ...setup.core, numEnvs: 1 });
    this.observationSpace = observationSpace(this.core.windowSize, this.data.numFeatures, this.core.portfolioDim);
    this.actionSpace = portfolioActionSpace(this.data.symbols.length);
    const state = this.data.symbols.flatMap((s) => SYMBOL_STATE_FIELDS.map((f) => `${s}:${f}`));
    this.observationNames = observationNames(this.core.windowSize, this.data.featureNames, [...state, 'drawdown']);
    this.renderMode = setup.config.renderMode;
  }

  /** Hash of the feature spec the observations are built from (checked against a model's manifest). */
  get featureSpecHash(): string | null {
    return this.data.specHash ?? null;
  }

  get barIndex(): number {
    return this.core.bar[0]!;
  }

  protected resetEpisode(options: Record<string, unknown>): ResetResult<Float32Array> {
    this.core.resetOne(0, this.npRandom, startFromOptions(options, this.data));
    this.curveTime = [this.data.time[this.core.bar[0]!]!];
    this.curveEquity = [this.core.equity[0]!];
    return { observation: this.core.observations.slice(0, this.core.obsDim), info: this.info(false) };
  }

  protected stepEpisode(action: Float32Array): StepResult<Float32Array> {
    const S = this.data.symbols.length;
    portfolioTargets((k) => action[k], S, this.config.maxGrossExposure, this.core.targets, 0, 0);
    const c = this.core;
    c.stepOne(0);
    this.curveTime.push(this.data.time[c.bar[0]!]!);
    this.curveEquity.push(c.equity[0]!);
    const done = c.terminated[0] === 1 || c.truncated[0] === 1;
    return {
      observation: c.observations.slice(0, c.obsDim),
      reward: c.rewards64[0]!,
      terminated: c.terminated[0] === 1,
      truncated: c.truncated[0] === 1,
      info: this.info(done),
    };
  }

  private info(done: boolean): Info {
    const c = this.core;
    const b = c.book;
    const S = this.data.symbols.length;
    const t = c.bar[0]!;
    const info: Info = {
      time: this.data.time[t]!,
      bar: t,
      equity: c.equity[0]!,
      cash: b.cash[0]!,
      positions: Object.fromEntries(this.data.symbols.map((s, k) => [s, b.size[k]!])),
      prices: Object.fromEntries(this.data.symbols.map((s, k) => [s, this.data.close[k]![t]!])),
      gross_exposure: c.exposure[0]!,
      weights: Array.from({ length: S }, (_, k) => (b.size[k]! * this.data.close[k]![t]!) / c.equity[0]!),
      fills: c.fills(0),
      fees: b.feesPaid[0]!,
      trades: b.tradeCount[0]!,
      step_costs: c.costs[0]!,
    };
    if (done) info.metrics = c.metrics(0);
    return info;
  }

  equityCurve(): { time: Float64Array; equity: Float64Array } {
    return { time: Float64Array.from(this.curveTime), equity: Float64Array.from(this.curveEquity) };
  }

  override render(): RenderFrame {
    if (this.renderMode === 'ansi') return ansiLine(this.core, 0);
    if (this.renderMode === 'svg')
      return equitySvg(
        `${this.data.symbols.join(' + ')} ${this.data.timeframe}: equity`,
        this.curveTime,
        this.curveEquity,
      );
    return null;
  }
}
