// The model registry (src/registry/registry.ts) over models/: each model's sealed versions (checked against their
// seal), its aliases (champion, challenger, …) and the audit log of every alias move, with the gate's verdict and a
// link to its report. Read-only: the dashboard never promotes or rolls back (that is `tg4 models`).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AbReport } from '../../registry/ab.ts';
import { ModelRegistry, type AliasMove } from '../../registry/registry.ts';
import { DashboardError } from '../errors.ts';
import { scrubPaths, type ProjectFolders } from '../folders.ts';
import type { DataSource } from '../source.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface RegistryVersion {
  version: string;
  aliases: string[];
  algo: string | null;
  created: string | null;
  /** Mean return of the final deterministic evaluation, when the manifest has one. */
  finalEval: number | null;
  /** 'sealed' (verified), 'unsealed' (not registered), or why the check failed. */
  seal: string;
}

export interface RegistryMove extends AliasMove {
  /** The gate report as a path under /files/models/, when the move ran a gate and the file is there. */
  gateReport: string | null;
}

/** An A/B report (`tg4 models ab`, <models>/.registry/ab/) without its curves, and the file under /files/models/. */
export type RegistryAb = Omit<AbReport, 'curves'> & { file: string };

const MAX_AB = 50;

function manifestSummary(m: Record<string, unknown>): Pick<RegistryVersion, 'algo' | 'created' | 'finalEval'> {
  const metrics = (m['metrics'] ?? {}) as { finalEval?: { mean?: unknown } };
  const mean = metrics.finalEval?.mean;
  return {
    algo: typeof m['algo'] === 'string' ? m['algo'] : null,
    created: typeof m['created'] === 'string' ? m['created'] : null,
    finalEval: typeof mean === 'number' && Number.isFinite(mean) ? mean : null,
  };
}

export class RegistrySource implements DataSource {
  readonly name = 'registry';
  readonly reads =
    'models/<model>/vNNNN/registry.json (seals), models/.registry/aliases.json, history.jsonl and ab/*.json (A/B reports)';
  private readonly registry: ModelRegistry;

  constructor(private readonly folders: ProjectFolders) {
    this.registry = new ModelRegistry(folders.models);
  }

  list(): { name: string; versions: number; aliases: Record<string, string>; lastMove: string | null }[] {
    return this.registry.names().map((name) => ({
      name,
      versions: this.registry.versions(name).length,
      aliases: this.registry.aliases(name),
      lastMove: this.registry.history(name).at(-1)?.time ?? null,
    }));
  }

  get(name: string): {
    name: string;
    versions: RegistryVersion[];
    aliases: Record<string, string>;
    history: RegistryMove[];
    ab: RegistryAb[];
  } {
    if (!NAME.test(name) || !this.registry.names().includes(name))
      throw new DashboardError(404, `no model '${name.slice(0, 80)}' in the registry: see /api/registry`);
    const aliases = this.registry.aliases(name);
    const versions = this.registry.versions(name).map((version): RegistryVersion => {
      const dir = this.registry.versionDir(name, version);
      const tags = Object.entries(aliases)
        .filter(([, v]) => v === version)
        .map(([a]) => a);
      if (!existsSync(join(dir, 'registry.json')))
        return { version, aliases: tags, algo: null, created: null, finalEval: null, seal: 'unsealed' };
      try {
        const d = this.registry.describe(`${name}/${version}`);
        return { version, aliases: tags, ...manifestSummary(d.manifest), seal: 'sealed' };
      } catch (e) {
        return {
          version,
          aliases: tags,
          algo: null,
          created: null,
          finalEval: null,
          seal: `seal check failed: ${scrubPaths(this.folders, (e as Error).message)}`,
        };
      }
    });
    const history = this.registry.history(name).map((m): RegistryMove => {
      const report = m.gate && m.to ? `${name}/${m.to}/${m.gate.report}` : null;
      const path = report === null ? null : join(this.folders.models, report);
      return { ...m, gateReport: path !== null && existsSync(path) && statSync(path).isFile() ? report : null };
    });
    return { name, versions, aliases, history, ab: this.abReports(name) };
  }

  /** The newest A/B reports with a version of `name` on either side (unreadable files are left out). */
  private abReports(name: string): RegistryAb[] {
    const dir = join(this.folders.models, '.registry', 'ab');
    if (!existsSync(dir)) return [];
    const out: RegistryAb[] = [];
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()
      .reverse()) {
      if (out.length >= MAX_AB) break;
      try {
        const { curves: _c, ...r } = JSON.parse(readFileSync(join(dir, f), 'utf8')) as AbReport;
        if (r.a?.resolved?.startsWith(`${name}/`) || r.b?.resolved?.startsWith(`${name}/`))
          out.push({ ...r, file: `.registry/ab/${f}` });
      } catch {
        // a report being written or damaged: not shown
      }
    }
    return out;
  }
}
