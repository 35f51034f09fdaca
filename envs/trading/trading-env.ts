// tg4/Trading-v0: one symbol, the PaperExecutor's kernel as a Gymnasium env. A TradingCore with one sub-env, so that
// its numbers are exactly the vector env's. Kwargs: envs/trading/config.ts; behaviour and formulas: docs/trading-env.md.
import { Env, type RenderFrame } from '../../src/core/env.ts';
import type { Box } from '../../src/core/spaces/box.ts';
import type { Info, RenderMode, ResetResult, Space, StepResult } from '../../src/core/types.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import type { ActionScheme } from './actions.ts';
import { targetExposure } from './actions.ts';
import type { TradingConfig } from './config.ts';
import type { MarketData } from './market-data.ts';
import { observationNames, observationSpace } from './observation.ts';
import { ansiLine, equitySvg } from './render.ts';
import { startFromOptions } from './start-option.ts';
import { SYMBOL_STATE_FIELDS, TradingCore } from './trading-core.ts';
import { tradingSetup } from './setup.ts';

export type TradingAction = number | Float32Array | readonly number[];

export class TradingEnv extends Env<Float32Array, TradingAction> {
  readonly observationSpace: Box<Float32Array>;
  readonly actionSpace: Space<TradingAction>;
  override readonly metadata = { renderModes: ['ansi', 'svg'] as readonly RenderMode[] };
  readonly config: TradingConfig;
  readonly scheme: ActionScheme;
  readonly data: MarketData;
  readonly core: TradingCore;
  /** Names of the observation's elements (feature[t-k] …, then the portfolio state). */
  readonly observationNames: readonly string[];
  /** Bar times and equity of the current episode (reset point first). */
  private curveTime: number[] = [];
  private curveEquity: number[] = [];
  private readonly mask: Uint8Array;

  constructor(kwargs: Record<string, unknown> = {}) {
    super();
    const setup = tradingSetup(kwargs);
    this.config = setup.config;
    this.scheme = setup.scheme;
    this.data = setup.data;
    this.core = new TradingCore(setup.data, { ...setup.core, numEnvs: 1 });
    this.observationSpace = observationSpace(this.core.windowSize, this.data.numFeatures);
    this.actionSpace = this.scheme.space as Space<TradingAction>;
    this.observationNames = observationNames(this.core.windowSize, this.data.featureNames, [
      ...SYMBOL_STATE_FIELDS,
      'drawdown',
    ]);
    this.renderMode = setup.config.renderMode;
    this.mask = new Uint8Array(this.scheme.levels?.length ?? 0);
  }

  /** Hash of the feature spec the observations are built from (checked against a model's manifest). */
  get featureSpecHash(): string | null {
    return this.data.specHash ?? null;
  }

  /** The decision bar (index into the frame): the policy may use bars ≤ this one. */
  get barIndex(): number {
    return this.core.bar[0]!;
  }

  /** Current exposure (signed notional / equity) at the decision bar's close. */
  get currentExposure(): number {
    return this.core.exposure[0]!;
  }

  get equity(): number {
    return this.core.equity[0]!;
  }

  protected resetEpisode(options: Record<string, unknown>): ResetResult<Float32Array> {
    this.core.resetOne(0, this.npRandom, startFromOptions(options, this.data));
    this.curveTime = [this.data.time[this.core.bar[0]!]!];
    this.curveEquity = [this.core.equity[0]!];
    return { observation: this.core.observations.slice(0, this.core.obsDim), info: this.info(false) };
  }

  protected stepEpisode(action: TradingAction): StepResult<Float32Array> {
    const a = typeof action === 'number' ? action : action[0]!;
    this.core.targets[0] = targetExposure(this.scheme, a, 'tg4/Trading-v0');
    this.core.stepOne(0);
    const c = this.core;
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
    const t = c.bar[0]!;
    const info: Info = {
      time: this.data.time[t]!,
      bar: t,
      price: this.data.close[0]![t]!,
      equity: c.equity[0]!,
      cash: b.cash[0]!,
      position: b.size[0]!,
      entry_price: b.size[0] !== 0 ? b.entryPrice[0]! : null,
      exposure: c.exposure[0]!,
      drawdown: 1 - c.equity[0]! / c.peakEquity[0]!,
      fills: c.fills(0),
      fees: b.feesPaid[0]!,
      trades: b.tradeCount[0]!,
      step_costs: c.costs[0]!,
      entry_blocked: c.blocked[0] === 1,
    };
    if (this.scheme.discrete) info.action_mask = Array.from(this.actionMasks(), (v) => v === 1);
    if (done) info.metrics = c.metrics(0);
    return info;
  }

  /** 1 = allowed, per discrete action (MaskablePPO's action_masks()); throws for the continuous scheme. */
  actionMasks(): Uint8Array {
    if (this.scheme.levels === null) {
      throw new InvalidArgumentError(
        "actionMasks(): the 'continuous' action scheme has no discrete actions to mask; use 'discrete3' or 'discrete-sized'",
      );
    }
    this.core.actionMask(0, this.scheme.levels, this.mask, 0);
    return this.mask.slice();
  }

  /** Gymnasium/SB3 name for actionMasks(), the method the server whitelists. */
  action_masks(): boolean[] {
    return Array.from(this.actionMasks(), (v) => v === 1);
  }

  /** Equity curve of the current episode (bar times in ms, equity). */
  equityCurve(): { time: Float64Array; equity: Float64Array } {
    return { time: Float64Array.from(this.curveTime), equity: Float64Array.from(this.curveEquity) };
  }

  override render(): RenderFrame {
    if (this.renderMode === 'ansi') return ansiLine(this.core, 0);
    if (this.renderMode === 'svg') return this.renderEquity();
    return null;
  }

  /** The equity curve and drawdown of the episode so far, as an SVG document. */
  renderEquity(): string {
    const title = `${this.data.symbols[0]} ${this.data.timeframe}: equity (${this.curveEquity.length - 1} steps)`;
    return equitySvg(title, this.curveTime, this.curveEquity);
  }

  /** Observation space description for the server/spaces op. */
  get spaces(): { observation: Space; action: Space } {
    return { observation: this.observationSpace, action: this.actionSpace };
  }
}
