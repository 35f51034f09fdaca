// `tg4 models eval | promote | ab`: the promotion gate, gated alias moves and A/B comparisons (src/registry;
// docs/registry.md). Attached to `tg4 models` by models.ts (this file registers no top-level command).
import type { Command } from 'commander';
import { ModelRegistry, registryRoot } from '../../registry/index.ts';
import { abText, runAb } from '../../registry/ab.ts';
import { loadGateConfig } from '../../registry/gate-config.ts';
import { runGate } from '../../registry/gate.ts';
import { promote } from '../../registry/promote.ts';

interface RootFlags {
  registry?: string;
  json?: boolean;
}

function out(f: RootFlags, value: unknown, text: string): void {
  process.stdout.write(f.json ? `${JSON.stringify(value, null, 2)}\n` : text);
}

export function registerGateCommands(models: Command, flags: () => RootFlags): void {
  const open = (): ModelRegistry => new ModelRegistry(registryRoot(flags().registry));

  models
    .command('eval <ref>')
    .description(
      'run the promotion gate on a version without promoting it: walk-forward test windows after its training data; report stored with the version',
    )
    .option('--gate <file>', 'thresholds (JSON or YAML; default src/registry/gate.default.json)')
    .option('--seed <n>', 'seed of the runs', '0')
    .option('--no-store', 'do not store the report with the version')
    .action((ref: string, o: { gate?: string; seed: string; store: boolean }) => {
      const g = runGate(open(), ref, loadGateConfig(o.gate), { seed: Number(o.seed), store: o.store });
      out(flags(), g.report, g.text);
      if (!g.report.passed) process.exitCode = 1;
    });

  models
    .command('promote <ref>')
    .description(
      'point an alias at a version: refused unless it fits the alias (features, observations, actions) and passes the gate',
    )
    .requiredOption('--alias <alias>', 'e.g. champion, challenger, paper')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .option('--force', 'promote despite a failing gate (logged as forced)')
    .option('--gate <file>', 'thresholds (JSON or YAML; default src/registry/gate.default.json)')
    .option(
      '--config <file>',
      "target interface (a manifest, or {featureSpecHash, observation, action}); default: the alias's current version",
    )
    .option('--seed <n>', 'seed of the gate runs', '0')
    .action(
      (
        ref: string,
        o: { alias: string; reason: string; force?: boolean; gate?: string; config?: string; seed: string },
      ) => {
        const r = promote(open(), ref, {
          alias: o.alias,
          reason: o.reason,
          gate: loadGateConfig(o.gate),
          force: o.force === true,
          seed: Number(o.seed),
          ...(o.config !== undefined ? { config: o.config } : {}),
        });
        const m = r.move;
        out(
          flags(),
          r,
          `${r.gate?.text ?? ''}${m.name}@${m.alias}: ${m.from ?? '-'} -> ${m.to}${m.forced ? ' (FORCED past a failing gate)' : ''}  "${m.reason}"\n`,
        );
      },
    );

  models
    .command('ab <refA> <refB>')
    .description(
      'A/B: two versions (or a version and a baseline) over the same bars with isolated portfolios; stationary-bootstrap significance; report under <registry>/.registry/ab/',
    )
    .option('--range <range>', "split name (train, validation, test) or 'from..to'", 'test')
    .option('--seed <n>', 'seed of the runs and the bootstrap', '0')
    .option('--samples <n>', 'bootstrap replicates', '2000')
    .action((a: string, b: string, o: { range: string; seed: string; samples: string }) => {
      const r = runAb(open(), a, b, { range: o.range, seed: Number(o.seed), samples: Number(o.samples) });
      const { curves: _c, ...summary } = r.report;
      out(flags(), { ...summary, path: r.path }, `${abText(r.report)}  report: ${r.path}\n`);
    });
}
