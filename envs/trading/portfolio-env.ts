// tg4/Portfolio-v0: several symbols on one shared time axis, one account (cross margin), actions = target weights.
// Observation: window of the symbols' concatenated feature rows, then per symbol (exposure, unrealized PnL, time in
// trade) and the account's drawdown. Same core as the vector env (TradingCore with S symbols).
import type { Box } from '../../src/core/spaces/box.ts';
import type { Info } from '../../src/core/types.ts';
import type { PortfolioConfig } from './config.ts';
import { observationNames, observationSpace } from './observation.ts';
import { portfolioActionSpace, portfolioTargets } from './portfolio-actions.ts';
import { portfolioSetup } from './setup.ts';
import { SingleCoreEnv } from './single-core-env.ts';
import { SYMBOL_STATE_FIELDS } from './trading-core.ts';

export class PortfolioEnv extends SingleCoreEnv<Float32Array> {
  readonly observationSpace: Box<Float32Array>;
  readonly actionSpace: Box<Float32Array>;
  readonly config: PortfolioConfig;
  readonly observationNames: readonly string[];

  constructor(kwargs: Record<string, unknown> = {}) {
    const setup = portfolioSetup(kwargs);
    super(setup.data, setup.core, setup.config.renderMode);
    this.config = setup.config;
    this.observationSpace = observationSpace(this.core.windowSize, this.data.numFeatures, this.core.portfolioDim);
    this.actionSpace = portfolioActionSpace(this.data.symbols.length);
    const state = this.data.symbols.flatMap((s) => SYMBOL_STATE_FIELDS.map((f) => `${s}:${f}`));
    this.observationNames = observationNames(this.core.windowSize, this.data.featureNames, [...state, 'drawdown']);
  }

  protected setTargets(action: Float32Array): void {
    const S = this.data.symbols.length;
    portfolioTargets((k) => action[k], S, this.config.maxGrossExposure, this.core.targets, 0, 0);
  }

  protected info(done: boolean): Info {
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

  protected equityTitle(): string {
    return `${this.data.symbols.join(' + ')} ${this.data.timeframe}: equity`;
  }
}
