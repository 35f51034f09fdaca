// A real backtest for the dashboard's and the report's tests: Trading-v0 on the bundled Kraken data, a fixed
// momentum rule (long above the close 24 bars back, else short), ATR stops, recorded with its fills; and buy-and-hold
// on the same env beside it.
import { FillLoggingTradingEnv } from '../../envs/trading/fill-log.ts';
import { writeBacktestReport, type BacktestReportFiles, type BacktestRun } from '../../envs/trading/report.ts';

function run(
  name: string,
  kwargs: Record<string, unknown>,
  decide: (env: FillLoggingTradingEnv) => number,
): {
  run: BacktestRun;
  env: FillLoggingTradingEnv;
} {
  const env = new FillLoggingTradingEnv(kwargs);
  env.reset({ seed: 0, options: { start: 'first' } });
  for (;;) {
    const r = env.step(decide(env));
    if (r.terminated || r.truncated)
      return {
        env,
        run: { name, ...env.equityCurve(), metrics: r.info['metrics'] as BacktestRun['metrics'], trades: env.trades() },
      };
  }
}

/** Writes the report of a momentum rule vs buy-and-hold over `range` into `out`. */
export function writeMomentumBacktest(out: string, range: string): BacktestReportFiles & { runs: BacktestRun[] } {
  const kwargs = {
    data: 'bundled',
    range,
    start: 'first',
    episodeLength: null,
    ruinFraction: 0,
    executor: { stopLossAtr: 3 },
  };
  const momentum = run('momentum-24', kwargs, (env) => {
    const c = env.data.close[0]!;
    const t = env.barIndex;
    return t >= 24 && c[t]! > c[t - 24]! ? 2 : 0;
  });
  const hold = run('buy-and-hold', kwargs, () => 2);
  const runs = [momentum.run, hold.run];
  const files = writeBacktestReport(out, {
    title: 'Backtest: momentum-24 vs buy-and-hold',
    description: `bundled data, range ${range}, ATR-3 stops`,
    runs,
    market: momentum.env.data,
  });
  return { ...files, runs };
}
