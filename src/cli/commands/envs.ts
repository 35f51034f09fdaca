// `tg4 envs`: every registered env id with its observation and action spaces, step limit and reward threshold.
import type { Command } from 'commander';
import '../../../envs/index.ts';
import { getSpec, make, registeredIds } from '../../core/registry.ts';
import type { SpaceJSON } from '../../core/types.ts';

interface EnvRow {
  id: string;
  observationSpace: string | null;
  actionSpace: string | null;
  observationSpaceJSON?: SpaceJSON;
  actionSpaceJSON?: SpaceJSON;
  maxEpisodeSteps: number | null;
  rewardThreshold: number | null;
  vectorized: boolean;
  description: string;
  /** Why the env could not be built with its default kwargs (e.g. it needs data). */
  error?: string;
}

/** Describes the given ids (default: every registered id); building each env once with its default options. */
export function describeEnvs(ids: readonly string[] = registeredIds()): EnvRow[] {
  return ids.map((id) => {
    const spec = getSpec(id);
    const row: EnvRow = {
      id,
      observationSpace: null,
      actionSpace: null,
      maxEpisodeSteps: spec.maxEpisodeSteps ?? null,
      rewardThreshold: spec.rewardThreshold ?? null,
      vectorized: spec.vectorEntryPoint !== undefined,
      description: spec.description ?? '',
    };
    try {
      const env = make(id);
      row.observationSpace = String(env.observationSpace);
      row.actionSpace = String(env.actionSpace);
      row.observationSpaceJSON = env.observationSpace.toJSON();
      row.actionSpaceJSON = env.actionSpace.toJSON();
      env.close();
    } catch (e) {
      row.error = e instanceof Error ? e.message : String(e);
    }
    return row;
  });
}

export function register(program: Command): void {
  program
    .command('envs')
    .description('list the registered environments with their observation and action spaces')
    .option('--json', 'print JSON (with the spaces as the wire protocol describes them)')
    .action((flags: { json?: boolean }) => {
      const rows = describeEnvs();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const r of rows) {
        const limits = [
          r.maxEpisodeSteps !== null ? `max ${r.maxEpisodeSteps} steps` : 'no step limit',
          ...(r.rewardThreshold !== null ? [`solved at ${r.rewardThreshold}`] : []),
          ...(r.vectorized ? ['batched vector env'] : []),
        ];
        process.stdout.write(`${r.id}  (${limits.join(', ')})\n`);
        if (r.error) process.stdout.write(`    cannot build with default options: ${r.error}\n`);
        else process.stdout.write(`    observation: ${r.observationSpace}\n    action:      ${r.actionSpace}\n`);
        if (r.description) process.stdout.write(`    ${r.description}\n`);
      }
      if (rows.length === 0) process.stdout.write('no env is registered\n');
    });
}
