// A real backtest for the dashboard's tests, made the way `tg4 backtest` makes it (agents/common/backtest.ts): the bot's
// EMA-9 trend flip with ATR stops on the bundled Kraken BTC/USD 1h data, beside buy-and-hold on the same env.
import { runBacktest } from '../../agents/common/backtest.ts';

export async function writeEmaBacktest(out: string, range: string): Promise<{ backtestJson: string; html: string }> {
  const r = await runBacktest({
    policy: 'ema-trend-flip',
    compare: ['buy-and-hold'],
    range,
    out,
    kwargs: { executor: { stopLossAtr: 3 } },
  });
  return r.files;
}
