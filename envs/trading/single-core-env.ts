// What tg4/Trading-v0 and tg4/Portfolio-v0 share: a TradingCore with one sub-env behind the Env API (so that their
// numbers are exactly the vector env's), the episode's equity curve and the ansi/svg renders. Each env says how an
// action becomes the core's targets and what its info holds.
import { Env, type RenderFrame } from '../../src/core/env.ts';
import type { Info, RenderMode, ResetResult, StepResult } from '../../src/core/types.ts';
import type { MarketData } from './market-data.ts';
import { ansiLine, equitySvg } from './render.ts';
import { startFromOptions } from './start-option.ts';
import { type CoreOptions, TradingCore } from './trading-core.ts';

export abstract class SingleCoreEnv<A> extends Env<Float32Array, A> {
  override readonly metadata = { renderModes: ['ansi', 'svg'] as readonly RenderMode[] };
  readonly data: MarketData;
  readonly core: TradingCore;
  /** Bar times and equity of the current episode (reset point first; every bar, also between decisions). */
  private curveTime: number[] = [];
  private curveEquity: number[] = [];

  constructor(data: MarketData, core: Omit<CoreOptions, 'numEnvs'>, renderMode: RenderMode) {
    super();
    this.data = data;
    this.core = new TradingCore(data, { ...core, numEnvs: 1 });
    this.renderMode = renderMode;
  }

  /** Writes the action's target exposure(s) into the core's targets for sub-env 0. */
  protected abstract setTargets(action: A): void;
  /** The step's info (metrics added by the caller when the episode is done). */
  protected abstract info(done: boolean): Info;
  /** The title of the equity chart. */
  protected abstract equityTitle(): string;

  /** Hash of the feature spec the observations are built from (checked against a model's manifest). */
  get featureSpecHash(): string | null {
    return this.data.specHash ?? null;
  }

  /** The decision bar (index into the frame): the policy may use bars ≤ this one. */
  get barIndex(): number {
    return this.core.bar[0]!;
  }

  protected resetEpisode(options: Record<string, unknown>): ResetResult<Float32Array> {
    this.core.resetOne(0, this.npRandom, startFromOptions(options, this.data));
    this.curveTime = [this.data.time[this.core.bar[0]!]!];
    this.curveEquity = [this.core.equity[0]!];
    return { observation: this.core.observations.slice(0, this.core.obsDim), info: this.info(false) };
  }

  protected stepEpisode(action: A): StepResult<Float32Array> {
    this.setTargets(action);
    const c = this.core;
    c.stepOne(0);
    const end = c.bar[0]!;
    if (c.stepEquity.length === 0) {
      this.curveTime.push(this.data.time[end]!);
      this.curveEquity.push(c.equity[0]!);
    } else {
      // decisionInterval > 1: every bar of the step (its last is the decision bar's equity).
      const n = c.barsInStep[0]!;
      for (let j = 0; j < n; j++) {
        this.curveTime.push(this.data.time[end - n + 1 + j]!);
        this.curveEquity.push(c.stepEquity[j]!);
      }
    }
    const done = c.terminated[0] === 1 || c.truncated[0] === 1;
    return {
      observation: c.observations.slice(0, c.obsDim),
      reward: c.rewards64[0]!,
      terminated: c.terminated[0] === 1,
      truncated: c.truncated[0] === 1,
      info: this.info(done),
    };
  }

  /** Equity curve of the current episode (bar times in ms, equity), one point per bar. */
  equityCurve(): { time: Float64Array; equity: Float64Array } {
    return { time: Float64Array.from(this.curveTime), equity: Float64Array.from(this.curveEquity) };
  }

  /** Steps taken in the current episode. */
  protected get episodeSteps(): number {
    return this.core.steps[0]!;
  }

  override render(): RenderFrame {
    if (this.renderMode === 'ansi') return ansiLine(this.core, 0);
    if (this.renderMode === 'svg') return this.renderEquity();
    return null;
  }

  /** The equity curve and drawdown of the episode so far, as an SVG document. */
  renderEquity(): string {
    return equitySvg(this.equityTitle(), this.curveTime, this.curveEquity);
  }
}
