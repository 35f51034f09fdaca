// `tg4 models …`: the model registry from the command line (src/registry; docs/registry.md).
//   list, show, register, history, rollback here; promote (with the gate), eval and ab in models-gate.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { GateReport } from '../../registry/gate.ts';
import type { Provenance } from '../../registry/provenance.ts';
import { ModelRegistry, registryRoot, type AliasMove } from '../../registry/index.ts';
import { registerGateCommands } from './models-gate.ts';
import { InvalidArgumentError } from '../../core/errors.ts';
import { registerRemote } from '../../registry/remote.ts';

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

/** Where a version came from (manifest.provenance, written by tg4 train), when recorded. */
function provenanceLines(p: unknown): string[] {
  if (p === null || typeof p !== 'object') return [];
  const v = p as Provenance;
  const d = v.trainingData;
  return [
    `  code ${v.codeVersion}` +
      (d
        ? `; trained on ${d.symbol} ${d.timeframe} ${d.from} → ${d.to} (${d.bars} bars, range ${d.range ?? '-'})`
        : '') +
      (v.actionMapping
        ? `; actions ${v.actionMapping.scheme} [${v.actionMapping.levels?.join(', ') ?? ''}] × ${v.actionMapping.exposure}`
        : ''),
  ];
}

/** The stored gate verdict of a version (gate.json, under its seal), or how to get one. */
function gateLine(dir: string, has: boolean): string {
  if (!has) return 'not evaluated (tg4 models eval)';
  const r = JSON.parse(readFileSync(join(dir, 'gate.json'), 'utf8')) as GateReport;
  const failed = r.checks.filter((c) => !c.passed).map((c) => c.name);
  return `${r.passed ? 'passed' : `FAILED (${failed.join(', ')})`} on ${r.span.from} → ${r.span.to}, config ${r.configHash}`;
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
          m.kind === 'remote'
            ? `  remote policy at ${String(m.address)} (${String(m.timeframe)}); obs ${String(m.obsSize)}; feature spec ${String(m.featureSpecHash)}`
            : `  algo ${String(m.algo)} on ${String(m.envId)}; obs ${String(m.obsSize)}; feature spec ${String(m.featureSpecHash ?? '-')}`,
          `  created ${String(m.created)}; seed ${String(m.seed)}`,
          ...provenanceLines(m.provenance),
          `  gate: ${gateLine(
            d.resolved.dir,
            d.seal.files.some((f) => f.name === 'gate.json'),
          )}`,
          '',
        ].join('\n'),
      );
    });

  models
    .command('register [dir]')
    .description(
      'seal a version folder inside the registry, import one from elsewhere as <name>/<next version>, or register a remote policy endpoint (--remote)',
    )
    .option('--name <name>', 'model name to import an outside folder (or the remote endpoint) under')
    .option('--source <text>', "where the model came from (e.g. 'sb3-export')", 'tg4 train')
    .option('--parent <ref>', 'the version it was derived from')
    .option('--remote <address>', 'a tg4-policy/1 endpoint (tg4 policy serve), e.g. tcp://127.0.0.1:5557')
    .option('--kwargs <json>', '--remote: the Trading-v0 kwargs the endpoint was trained with', '{}')
    .option('--timeframe <tf>', '--remote: bar length it decides on', '1h')
    .action(
      async (
        dir: string | undefined,
        o: { name?: string; source: string; parent?: string; remote?: string; kwargs: string; timeframe: string },
      ) => {
        const reg = open(flags());
        const meta = { source: o.source, parent: o.parent ?? null };
        let r: ReturnType<ModelRegistry['register']>;
        if (o.remote !== undefined) {
          if (o.name === undefined) throw new InvalidArgumentError('--remote needs --name');
          let kwargs: Record<string, unknown>;
          try {
            kwargs = JSON.parse(o.kwargs) as Record<string, unknown>;
          } catch (e) {
            throw new InvalidArgumentError(`--kwargs is not valid JSON: ${(e as Error).message}`);
          }
          // The interface the live loop will check the endpoint against (its handshake must match it too).
          // Loaded only here: the other model commands do not need the live loop's modules.
          const { liveTradingSetup } = await import('../../live/live-config.ts');
          const s = liveTradingSetup(kwargs, o.timeframe);
          r = registerRemote(
            reg,
            o.name,
            o.remote,
            {
              featureSpecHash: s.specHash,
              obsSize: s.obsSize,
              actionSpace: s.actionSpace,
              envKwargs: kwargs,
              timeframe: o.timeframe,
            },
            { parent: meta.parent },
          );
        } else if (dir === undefined)
          throw new InvalidArgumentError('give a model folder, or --remote <address> --name <name>');
        else r = o.name === undefined ? reg.register(dir, meta) : reg.importVersion(dir, o.name, meta);
        print(flags(), r, () => `registered ${r.name}/${r.version}: content ${r.contentHash}\n`);
      },
    );

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
