// tg4/Trading-v0: one symbol, the PaperExecutor's kernel as a Gymnasium env. A TradingCore with one sub-env, so that
// its numbers are exactly the vector env's. Kwargs: envs/trading/config.ts; behaviour and formulas: docs/trading-env.md.
import type { Box } from '../../src/core/spaces/box.ts';
import type { Info, Space } from '../../src/core/types.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import type { ActionScheme } from './actions.ts';
import { targetExposure } from './actions.ts';
import type { TradingConfig } from './config.ts';
import { observationNames, observationSpace } from './observation.ts';
import { SingleCoreEnv } from './single-core-env.ts';
import { SYMBOL_STATE_FIELDS } from './trading-core.ts';
import { tradingSetup } from './setup.ts';

export type TradingAction = number | Float32Array | readonly number[];

export class TradingEnv extends SingleCoreEnv<TradingAction> {
  readonly observationSpace: Box<Float32Array>;
  readonly actionSpace: Space<TradingAction>;
  readonly config: TradingConfig;
  readonly scheme: ActionScheme;
  /** Names of the observation's elements (feature[t-k] …, then the portfolio state). */
  readonly observationNames: readonly string[];
  private readonly mask: Uint8Array;

  constructor(kwargs: Record<string, unknown> = {}) {
    const setup = tradingSetup(kwargs);
    super(setup.data, setup.core, setup.config.renderMode);
    this.config = setup.config;
    this.scheme = setup.scheme;
    this.observationSpace = observationSpace(this.core.windowSize, this.data.numFeatures);
    this.actionSpace = this.scheme.space as Space<TradingAction>;
    this.observationNames = observationNames(this.core.windowSize, this.data.featureNames, [
      ...SYMBOL_STATE_FIELDS,
      'drawdown',
    ]);
    this.mask = new Uint8Array(this.scheme.levels?.length ?? 0);
  }

  /** Current exposure (signed notional / equity) at the decision bar's close. */
  get currentExposure(): number {
    return this.core.exposure[0]!;
  }

  get equity(): number {
    return this.core.equity[0]!;
  }

  protected setTargets(action: TradingAction): void {
    const a = typeof action === 'number' ? action : action[0]!;
    this.core.targets[0] = targetExposure(this.scheme, a, 'tg4/Trading-v0');
  }

  protected info(done: boolean): Info {
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

  protected equityTitle(): string {
    return `${this.data.symbols[0]} ${this.data.timeframe}: equity (${this.episodeSteps} steps)`;
  }

  /** Observation space description for the server/spaces op. */
  get spaces(): { observation: Space; action: Space } {
    return { observation: this.observationSpace, action: this.actionSpace };
  }
}
