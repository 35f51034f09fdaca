// `tg4 dashboard`: the web page over the project's run folders (docs/dashboard.md). Prints `dashboard at <url>` once it
// accepts requests; loopback unless --host says otherwise, and then only with a token.
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.ts';
import { startDashboard } from '../../dashboard/server.ts';
import { closeOnStopSignal } from '../interrupt.ts';

export function register(program: Command): void {
  program
    .command('dashboard')
    .description(
      'serve a web page of the training runs (live learning curves) and backtests under models/ and reports/',
    )
    .option('--port <n>', 'TCP port (0 picks a free one)', '8080')
    .option('--host <addr>', 'address to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--token <secret>', 'required for a non-loopback --host (default: $TG4_DASHBOARD_TOKEN)')
    .option('--root <dir>', 'project folder holding models/ and reports/', '.')
    .option('--models <dir>', 'model registry folder, relative to --root', 'models')
    .option('--reports <dir>', 'backtest reports folder, relative to --root', 'reports')
    .option('--logs <dir>', "the live loop's log root (tg4 live --out), relative to --root", 'runs/live')
    .action(
      async (o: {
        port: string;
        host: string;
        token?: string;
        root: string;
        models: string;
        reports: string;
        logs: string;
      }) => {
        if (!/^\d+$/.test(o.port.trim()))
          throw new InvalidArgumentError(`--port must be an integer 0–65535 (got "${o.port}")`);
        const d = await startDashboard({
          port: Number(o.port),
          host: o.host,
          token: o.token ?? (process.env['TG4_DASHBOARD_TOKEN'] || undefined),
          root: o.root,
          models: o.models,
          reports: o.reports,
          logs: o.logs,
        });
        process.stdout.write(`dashboard at ${d.url}  (models: ${d.folders.models}, reports: ${d.folders.reports})\n`);
        await closeOnStopSignal(() => d.close());
      },
    );
}
