// Trading-v0 that keeps the fills of its current episode (orders at the bar's open, then stop/target/max-hold exits
// inside the bar, as info.fills reports them), so that a backtest report can list the trades and mark them on the
// price chart. Same numbers as TradingEnv: it only reads the step's info.
import { tradesFromFills, type Fill, type Trade } from '../../src/report/trades.ts';
import type { ResetResult, StepResult } from '../../src/core/types.ts';
import { TradingEnv, type TradingAction } from './trading-env.ts';

interface InfoFill {
  qty: number;
  price: number;
  fee: number;
  reason: string;
  /** The bar it filled in (with decisionInterval > 1, not always the step's last). */
  bar: number;
}

export class FillLoggingTradingEnv extends TradingEnv {
  /** Fills of the current episode, in order; the bar time is the bar they happened in. */
  readonly fills: Fill[] = [];

  protected override resetEpisode(options: Record<string, unknown>): ResetResult<Float32Array> {
    this.fills.length = 0;
    return super.resetEpisode(options);
  }

  protected override stepEpisode(action: TradingAction): StepResult<Float32Array> {
    const r = super.stepEpisode(action);
    for (const f of r.info['fills'] as InfoFill[])
      this.fills.push({ time: this.data.time[f.bar]!, qty: f.qty, price: f.price, fee: f.fee, reason: f.reason });
    return r;
  }

  /** The episode's round-trip trades (the last one open if a position is held at the end). */
  trades(): Trade[] {
    return tradesFromFills(this.fills);
  }
}

/**
 * A `makeEnv` for the model runner (agents/common/model-runner.ts runOverRange) that keeps every env it makes, so that
 * the trades of the i-th run can be read once the runs are done.
 */
export function fillLoggingEnvs(): {
  make: (kwargs: Record<string, unknown>) => FillLoggingTradingEnv;
  trades: (i: number) => Trade[];
} {
  const envs: FillLoggingTradingEnv[] = [];
  return {
    make: (kwargs) => {
      const env = new FillLoggingTradingEnv(kwargs);
      envs.push(env);
      return env;
    },
    trades: (i) => envs[i]?.trades() ?? [],
  };
}
