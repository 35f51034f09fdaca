// Training runs: models/<model>/vNNNN/ folders as `tg4 train` writes them — metrics.jsonl (one line per training
// iteration, appended while it trains), manifest.json (written when the model is saved), learning-curve.svg and the
// out-of-sample comparison. A run without manifest.json is still training, or was cut off.
import { existsSync, readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { JsonlFollower, readJsonl } from '../../report/jsonl.ts';
import { DashboardError } from '../errors.ts';
import { resolveInside, type ProjectFolders } from '../folders.ts';
import type { DataSource, Push } from '../source.ts';

const RUN_ID = /^([A-Za-z0-9_.-]+)\/(v\d{4,})$/;
const VERSION = /^v\d{4,}$/;
/** A run without a manifest whose metrics.jsonl changed this recently is shown as training. */
const RUNNING_WINDOW_MS = 120_000;
/** How often a watched metrics.jsonl is checked when the file system sends no event (network mounts, some editors). */
const POLL_MS = 500;

export interface RunSummary {
  id: string;
  model: string;
  version: string;
  algo: string | null;
  envId: string | null;
  status: 'finished' | 'training' | 'stopped';
  updated: number;
  /** Files of the run the page links to (paths under /files/models/). */
  files: string[];
}

interface Manifest {
  algo?: string;
  envId?: string;
  seed?: number;
  created?: string;
  backend?: string;
  hyperparameters?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
}

function readManifest(dir: string): Manifest | null {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

const LINKED = ['learning-curve.svg', 'oos/report.html', 'oos-comparison.svg', 'oos-comparison.json', 'metrics.jsonl'];

function summarise(dir: string, model: string, version: string): RunSummary {
  const manifest = readManifest(dir);
  const metrics = join(dir, 'metrics.jsonl');
  const updated = existsSync(metrics) ? statSync(metrics).mtimeMs : statSync(dir).mtimeMs;
  // The model name is '<algo>-<env id with / as _>' (agents/common/model-io.ts), enough to label a run still training.
  const algo = manifest?.algo ?? /^(ppo|dqn)-/.exec(model)?.[1] ?? null;
  return {
    id: `${model}/${version}`,
    model,
    version,
    algo,
    envId: manifest?.envId ?? null,
    status: manifest !== null ? 'finished' : Date.now() - updated < RUNNING_WINDOW_MS ? 'training' : 'stopped',
    updated,
    files: LINKED.filter((f) => existsSync(join(dir, f))).map((f) => `${model}/${version}/${f}`),
  };
}

export class RunsSource implements DataSource {
  readonly name = 'runs';
  readonly reads = 'models/<model>/vNNNN/ (metrics.jsonl, manifest.json)';

  constructor(private readonly folders: ProjectFolders) {}

  private dirOf(id: string): { dir: string; model: string; version: string } {
    const m = RUN_ID.exec(id);
    if (m === null)
      throw new DashboardError(400, `run id '${id.slice(0, 80)}' is not '<model>/vNNNN' (e.g. ppo-CartPole-v1/v0001)`);
    return { dir: resolveInside(this.folders, 'models', id), model: m[1]!, version: m[2]! };
  }

  list(): RunSummary[] {
    const root = this.folders.models;
    if (!existsSync(root)) return [];
    const out: RunSummary[] = [];
    for (const model of readdirSync(root, { withFileTypes: true })) {
      if (!model.isDirectory() || !/^[A-Za-z0-9_.-]+$/.test(model.name)) continue;
      for (const v of readdirSync(join(root, model.name), { withFileTypes: true })) {
        if (!v.isDirectory() || !VERSION.test(v.name)) continue;
        const dir = join(root, model.name, v.name);
        if (!existsSync(join(dir, 'metrics.jsonl')) && !existsSync(join(dir, 'manifest.json'))) continue;
        out.push(summarise(dir, model.name, v.name));
      }
    }
    return out.sort((a, b) => b.updated - a.updated);
  }

  get(id: string): RunSummary & {
    manifest: Manifest | null;
    points: Record<string, unknown>[];
    badLines: { line: number; reason: string; text: string }[];
  } {
    const { dir, model, version } = this.dirOf(id);
    const manifest = readManifest(dir);
    const { records, bad } = readJsonl(join(dir, 'metrics.jsonl'));
    const { hyperparameters, metrics, algo, envId, seed, created, backend } = manifest ?? {};
    return {
      ...summarise(dir, model, version),
      manifest: manifest === null ? null : { algo, envId, seed, created, backend, hyperparameters, metrics },
      points: records,
      badLines: bad,
    };
  }

  /**
   * Pushes the run's points so far ({reset: true}), then {points, badLines} for every complete line appended to its
   * metrics.jsonl (a line still being written waits for its newline). One reader from byte 0: nothing is lost between
   * a snapshot and the first update.
   */
  watch(id: string, push: Push): () => void {
    const { dir } = this.dirOf(id);
    const follower = new JsonlFollower(join(dir, 'metrics.jsonl'));
    let closed = false;
    let first = true;
    const check = (): void => {
      if (closed) return;
      const { records, bad, reset } = follower.read();
      if (records.length > 0 || bad.length > 0 || reset || first)
        push({ type: 'points', source: this.name, id, points: records, badLines: bad, reset: reset || first });
      first = false;
    };
    check();
    let watcher: FSWatcher | null = null;
    try {
      watcher = watch(dir, { persistent: false }, check);
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = null; // polling below still works
    }
    const timer = setInterval(check, POLL_MS);
    timer.unref();
    return () => {
      closed = true;
      clearInterval(timer);
      watcher?.close();
    };
  }
}
