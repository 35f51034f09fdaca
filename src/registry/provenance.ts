// What a training run records about where its model came from, beyond what the trainer itself knows: the code version
// (the git commit, '+dirty' with uncommitted changes; else the package version), the parent version, and for trading
// envs the resolved training data range, the feature spec behind the hash, the observation layout and the action
// mapping. `tg4 train` puts it in the manifest as `provenance` (covered by the manifest's integrity hash and the seal).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TradingEnv } from '../../envs/trading/trading-env.ts';
import { resolveSpec } from '../../envs/trading/features.ts';
import { isoUtc } from '../../replay/time-range.ts';
import { ModelRegistry, registryRoot } from './registry.ts';

/** 'git:<commit>[+dirty]' when this code runs from a git checkout (wherever the command is run), else 'package:<version>'. */
export function codeVersion(cwd = fileURLToPath(new URL('.', import.meta.url))): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd,
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim() !== '';
    return `git:${head}${dirty ? '+dirty' : ''}`;
  } catch {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return `package:${pkg.version}`;
  }
}

export interface Provenance {
  codeVersion: string;
  parent: string | null;
  /** Trading envs: the bars trained on. */
  trainingData: {
    range: string | null;
    from: string;
    to: string;
    bars: number;
    symbol: string;
    timeframe: string;
  } | null;
  featureSpec: unknown;
  observation: { obsSize: number; windowSize: number; features: readonly string[] } | null;
  actionMapping: { scheme: string; levels: number[] | null; exposure: number } | null;
  /** Files beside the manifest with the learning curves and the evaluations. */
  files: { curves: string[]; evaluation: string[] };
}

export function trainingProvenance(
  envId: string,
  envKwargs: Record<string, unknown>,
  o: { parent?: string | null } = {},
): Provenance {
  const base: Provenance = {
    codeVersion: codeVersion(),
    parent: o.parent ?? null,
    trainingData: null,
    featureSpec: null,
    observation: null,
    actionMapping: null,
    files: { curves: ['metrics.jsonl', 'learning-curve.svg'], evaluation: [] },
  };
  if (!envId.startsWith('tg4/Trading')) return base;
  const env = new TradingEnv(envKwargs);
  try {
    const d = env.data;
    const frame = d.frames[0]!;
    const w = env.core.windowSize;
    return {
      ...base,
      trainingData: {
        range: typeof envKwargs.range === 'string' ? envKwargs.range : null,
        from: isoUtc(frame.time[d.rangeStart]!),
        to: isoUtc(frame.time[d.rangeEnd - 1]!),
        bars: d.rangeEnd - d.rangeStart,
        symbol: d.symbols[0]!,
        timeframe: d.timeframe,
      },
      featureSpec: resolveSpec(envKwargs.features, frame.timeframeMs),
      observation: {
        obsSize: env.core.obsDim,
        windowSize: w,
        features: env.observationNames
          .slice((w - 1) * d.numFeatures, w * d.numFeatures)
          .map((n) => n.replace(/\[t\]$/, '')),
      },
      actionMapping: {
        scheme: env.scheme.name,
        levels: env.scheme.levels ? Array.from(env.scheme.levels) : null,
        exposure: env.scheme.exposure,
      },
      files: { ...base.files, evaluation: ['oos-comparison.json', 'oos/metrics.json'] },
    };
  } finally {
    env.close();
  }
}

/**
 * Seals a folder `tg4 train` wrote when it lies in the registry (source 'tg4 train', the parent if given); a folder
 * elsewhere (--out) is left for `tg4 models register --name`. Returns the line to print.
 */
export function sealTrained(dir: string, parent?: string): string {
  const reg = new ModelRegistry(registryRoot());
  const rel = relative(reg.root, resolve(dir));
  if (rel.startsWith('..') || rel.split(sep).length !== 2)
    return `not in the registry (${reg.root}): register it with \`tg4 models register ${dir} --name <name>\`\n`;
  const s = reg.register(rel.split(sep).join('/'), { source: 'tg4 train', parent: parent ?? null });
  return `registered ${s.name}/${s.version} (content ${s.contentHash.slice(0, 16)}); next: tg4 models eval ${s.name}/${s.version}\n`;
}
