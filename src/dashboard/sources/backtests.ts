// Backtests: every backtest.json (format tg4-backtest/1, src/report/backtest-data.ts) under reports/ (tg4 backtest
// --out reports/…) and under models/<model>/vNNNN/ (the out-of-sample report of tg4 train). The id is the folder's
// path from the project root, e.g. 'reports/ema' or 'models/ppo-tg4_Trading-v0/v0001/oos'.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { readBacktestData, type BacktestData } from '../../report/backtest-data.ts';
import { DashboardError } from '../errors.ts';
import { isFolderName, resolveInside, scrubPaths, type FolderName, type ProjectFolders } from '../folders.ts';
import type { DataSource } from '../source.ts';

const FILE = 'backtest.json';
/** Folder depth searched below models/ and reports/ (models/<model>/<version>/<report> is 3). */
const MAX_DEPTH = 4;
const SEGMENT = /^[A-Za-z0-9_.-]+$/;

export interface BacktestSummary {
  id: string;
  title: string;
  symbol: string;
  timeframe: string;
  rangeStart: number;
  rangeEnd: number;
  updated: number;
  runs: { name: string; totalReturn: number; maxDrawdown: number; trades: number }[];
  /** The static report beside it, for a link (path under /files/). */
  reportHtml: string | null;
  /** Set when backtest.json could not be read: why. */
  error?: string;
}

const UNREADABLE = { title: '', symbol: '', timeframe: '', rangeStart: 0, rangeEnd: 0, runs: [], reportHtml: null };

function findFiles(dir: string, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH || !existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!SEGMENT.test(e.name)) continue;
    if (e.isFile() && e.name === FILE) out.push(dir);
    else if (e.isDirectory()) findFiles(join(dir, e.name), depth + 1, out);
  }
}

export class BacktestsSource implements DataSource {
  readonly name = 'backtests';
  readonly reads = 'reports/**/backtest.json and models/<model>/vNNNN/**/backtest.json';

  constructor(private readonly folders: ProjectFolders) {}

  private read(id: string): { data: BacktestData; dir: string; folder: FolderName; rel: string } {
    const [folder, ...rest] = id.split('/');
    if (folder === undefined || !isFolderName(folder) || rest.length === 0 || !rest.every((s) => SEGMENT.test(s)))
      throw new DashboardError(
        400,
        `backtest id '${id.slice(0, 80)}' is not 'reports/<folder>' or 'models/<model>/<version>/<folder>'`,
      );
    const rel = rest.join('/');
    const dir = resolveInside(this.folders, folder, rel);
    const file = join(dir, FILE);
    if (!existsSync(file)) throw new DashboardError(404, `no ${FILE} in ${folder}/${rel}`);
    return { data: readBacktestData(file), dir, folder, rel };
  }

  list(): BacktestSummary[] {
    const out: BacktestSummary[] = [];
    for (const folder of ['reports', 'models'] as const) {
      const dirs: string[] = [];
      findFiles(this.folders[folder], 1, dirs);
      for (const dir of dirs) {
        const id = `${folder}/${relative(this.folders[folder], dir).split(sep).join('/')}`;
        try {
          const { data } = this.read(id);
          out.push({
            id,
            title: data.title,
            symbol: data.symbol,
            timeframe: data.timeframe,
            rangeStart: data.rangeStart,
            rangeEnd: data.rangeEnd,
            updated: statSync(join(dir, FILE)).mtimeMs,
            runs: data.runs.map((r) => ({
              name: r.name,
              totalReturn: r.metrics.totalReturn,
              maxDrawdown: r.metrics.maxDrawdown,
              trades: r.metrics.trades,
            })),
            reportHtml: existsSync(join(dir, 'report.html')) ? `${id}/report.html` : null,
          });
        } catch (e) {
          // One unreadable file is listed with its reason, not allowed to hide the others.
          out.push({
            ...UNREADABLE,
            id,
            updated: statSync(join(dir, FILE)).mtimeMs,
            error: scrubPaths(this.folders, (e as Error).message),
          });
        }
      }
    }
    return out.sort((a, b) => b.updated - a.updated);
  }

  get(id: string): BacktestData & { id: string } {
    return { ...this.read(id).data, id };
  }
}
