// `tg4 models …`: the model registry from the command line (src/registry; docs/registry.md).
//   list, show, register, history, rollback here; promote (with the gate), eval and ab in models-gate.ts.
import type { Command } from 'commander';
import { ModelRegistry, registryRoot, type AliasMove } from '../../registry/index.ts';
import { registerGateCommands } from './models-gate.ts';

interface RootFlags {
  registry?: string;
  json?: boolean;
}

function open(f: RootFlags): ModelRegistry {
  return new ModelRegistry(registryRoot(f.registry));
}

function print(f: RootFlags, value: unknown, text: () => string): void {
  process.stdout.write(f.json ? `${JSON.stringify(value, null, 2)}\n` : text());
}

function moveLine(m: AliasMove): string {
  const gate = m.gate === null ? 'no gate' : `gate ${m.gate.passed ? 'passed' : 'FAILED'} (${m.gate.report})`;
  return `${m.time}  ${m.name}@${m.alias}  ${m.from ?? '-'} -> ${m.to ?? '-'}  ${m.action}${m.forced ? ' FORCED' : ''}  ${gate}  "${m.reason}"\n`;
}

export function register(program: Command): void {
  const models = program
    .command('models')
    .description(
      'the model registry: versions, aliases (champion, challenger, paper), gate, history (docs/registry.md)',
    )
    .option('--registry <dir>', 'registry folder (default: $TG4_REGISTRY or ./models)')
    .option('--json', 'print JSON instead of text');
  const flags = (): RootFlags => models.opts<RootFlags>();

  models
    .command('list')
    .description('every model name with its versions and aliases')
    .action(() => {
      const reg = open(flags());
      const rows = reg.names().map((name) => ({ name, versions: reg.versions(name), aliases: reg.aliases(name) }));
      print(flags(), rows, () =>
        rows.length === 0
          ? `no models in ${reg.root} yet: train one with \`tg4 train\`\n`
          : rows
              .map((r) => {
                const al = Object.entries(r.aliases)
                  .map(([a, v]) => `${a}=${v}`)
                  .join(' ');
                return `${r.name}  ${r.versions.length} version(s): ${r.versions.join(' ')}${al ? `  aliases: ${al}` : ''}\n`;
              })
              .join(''),
      );
    });

  models
    .command('show <ref>')
    .description('a version (name/vNNNN, name@alias or name): verified seal, manifest summary, aliases')
    .action((ref: string) => {
      const d = open(flags()).describe(ref);
      const m = d.manifest;
      print(flags(), d, () =>
        [
          `${d.resolved.name}/${d.resolved.version}  (${d.resolved.dir})`,
          `  seal: ${d.seal.contentHash} over ${d.seal.files.length} files, verified; source ${d.seal.source}; parent ${d.seal.parent ?? '-'}; registered ${d.seal.registered}`,
          `  aliases: ${d.aliases.join(', ') || '-'}`,
          `  algo ${String(m.algo)} on ${String(m.envId)}; obs ${String(m.obsSize)}; feature spec ${String(m.featureSpecHash ?? '-')}`,
          `  created ${String(m.created)}; seed ${String(m.seed)}`,
          '',
        ].join('\n'),
      );
    });

  models
    .command('register <dir>')
    .description('seal a version folder inside the registry, or import one from elsewhere as <name>/<next version>')
    .option('--name <name>', 'model name to import an outside folder under')
    .option('--source <text>', "where the model came from (e.g. 'sb3-export')", 'tg4 train')
    .option('--parent <ref>', 'the version it was derived from')
    .action((dir: string, o: { name?: string; source: string; parent?: string }) => {
      const reg = open(flags());
      const meta = { source: o.source, parent: o.parent ?? null };
      const r = o.name === undefined ? reg.register(dir, meta) : reg.importVersion(dir, o.name, meta);
      print(flags(), r, () => `registered ${r.name}/${r.version}: content ${r.contentHash}\n`);
    });

  models
    .command('history [name]')
    .description('every alias move (when, from, to, gate, reason), oldest first')
    .option('--alias <alias>', 'only this alias')
    .action((name: string | undefined, o: { alias?: string }) => {
      const h = open(flags()).history(name, o.alias);
      print(flags(), h, () => (h.length === 0 ? 'no alias moves yet\n' : h.map(moveLine).join('')));
    });

  models
    .command('rollback <name> <alias>')
    .description('move an alias back to the version it pointed to before its last move')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .action((name: string, alias: string, o: { reason: string }) => {
      const m = open(flags()).rollback(name, alias, o.reason);
      print(flags(), m, () => moveLine(m));
    });

  registerGateCommands(models, flags);
}
