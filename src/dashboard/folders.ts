// The only places the dashboard reads from: the project's model and report folders. A request names a path relative to
// one of them; it is refused if it climbs out ('..', absolute, NUL, backslash) or if, after resolving symlinks, the
// real path is not inside the folder's own real path.
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { DashboardError } from './errors.ts';

export type FolderName = 'models' | 'reports';

export interface ProjectFolders {
  models: string;
  reports: string;
}

/** Absolute folders; a folder that does not exist yet (no reports written) simply lists nothing. */
export function projectFolders(root: string, models = 'models', reports = 'reports'): ProjectFolders {
  return { models: resolve(root, models), reports: resolve(root, reports) };
}

export function isFolderName(s: string): s is FolderName {
  return s === 'models' || s === 'reports';
}

/** The real path of `rel` inside folder `name`, or a 403 DashboardError. Missing files are 404. */
export function resolveInside(folders: ProjectFolders, name: FolderName, rel: string): string {
  const refuse = (why: string): never => {
    throw new DashboardError(403, `refused: ${why}; the dashboard serves only files inside its models/ and reports/`);
  };
  if (rel.includes('\0') || rel.includes('\\')) refuse('the path holds a NUL or a backslash');
  if (isAbsolute(rel)) refuse('the path is absolute');
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) refuse("the path climbs out with '..'");
  const base = folders[name];
  const target = join(base, ...parts);
  if (!existsSync(target) || !existsSync(base)) throw new DashboardError(404, `not found: ${name}/${parts.join('/')}`);
  const realBase = realpathSync(base);
  const real = realpathSync(target);
  if (real !== realBase && !real.startsWith(realBase + sep)) refuse('the path is a symlink that leads outside');
  return real;
}

/** `text` with the folders' absolute paths replaced by their names: what the server knows of its disk stays there. */
export function scrubPaths(folders: ProjectFolders, text: string): string {
  let out = text;
  for (const name of ['models', 'reports'] as const) {
    const abs = folders[name];
    const real = existsSync(abs) ? realpathSync(abs) : abs;
    for (const p of new Set([real, abs])) out = out.split(p).join(name);
  }
  return out;
}
