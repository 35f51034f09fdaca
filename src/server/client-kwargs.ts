// A network client's make kwargs → kwargs the server can build an env from without opening anything the client named.
// Every env: no string anywhere in the kwargs may look like a server path (absolute, `..`, a URL scheme, `~`, `\`),
// and a path-like key (data, features, file, path, dir, …) is refused unless the server itself resolves it. The trading
// envs: `data` ('bundled', or a file in the operator's --data-dir) and `features` (default, an inline spec, or a spec
// file in the data dir) are read by the server, bounded, and the env gets the loaded frame(s) and shared feature
// matrices (market-store.ts) instead. The caller's own in-process make() is not affected: this is the server's gate.
import { parse as parseYaml } from 'yaml';
import { InvalidArgumentError, Tg4Error } from '../core/errors.ts';
import { loadBundled } from '../../replay/bundled.ts';
import { parseCsvFrame } from '../../replay/load-csv.ts';
import type { MarketFrame } from '../../replay/market-frame.ts';
import { buildFeatureMatrix, defaultSpecFor } from '../../envs/trading/features.ts';
import type { FeatureMatrix } from '../../envs/trading/config.ts';
import { getFeatureDef, parseFeatureSpec, specHash, type FeatureSpec } from '../features/index.ts';
import { DEFAULT_SYMBOL } from '../../replay/index.ts';
import { clientFrameFor, isClientData } from './client-data.ts';
import { type DataAccess, looksLikeServerPath, NAMED_DATASETS } from './data-access.ts';
import { frameBytes, type MarketStore, type StoreLease } from './market-store.ts';

export const TRADING_ENV_IDS: readonly string[] = ['tg4/Trading-v0', 'tg4/Portfolio-v0'];
/** Kwargs a client never passes: the server builds them from `data`/`features`. */
const SERVER_BUILT = ['frame', 'frames', 'featureMatrix', 'featureMatrices'];
const PATH_KEY = /^(data|features|file|filename|path|dir|directory|folder)$|(File|Path|Dir|_file|_path|_dir)$/;
const MAX_DEPTH = 8;
const MAX_SPEC_FILE_BYTES = 1024 * 1024;
const MAX_STRINGS = 10_000;

export interface ResolvedKwargs {
  kwargs: Record<string, unknown>;
  /** What the make holds in the store; released when the session closes or the make fails. */
  lease: StoreLease;
  /** For the memory estimate: bars, symbols and feature columns of the market data (0 without). */
  bars: number;
  symbols: number;
  features: number;
  /** Float32 elements of one observation when known before building (trading envs), else null. */
  obsElements: number | null;
}

export interface KwargsContext {
  access: DataAccess;
  store: MarketStore;
  /** Refuses (LIMIT_EXCEEDED) when `bytes` more would exceed the server's memory limit. */
  reserve: (bytes: number, what: string) => void;
  log: (line: string) => void;
}

/** Refuses server-path-like strings anywhere, and path-like keys the server does not resolve itself. */
function checkStrings(kwargs: Record<string, unknown>, resolvedKeys: readonly string[], access: DataAccess): void {
  let seen = 0;
  const walk = (v: unknown, path: string, depth: number): void => {
    if (typeof v === 'string') {
      if (++seen > MAX_STRINGS) throw new InvalidArgumentError(`kwargs hold more than ${MAX_STRINGS} strings`);
      if (looksLikeServerPath(v)) throw access.refusal(path, v);
      return;
    }
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return; // binary (data columns) holds no strings
    if (depth > MAX_DEPTH) throw new InvalidArgumentError(`kwargs nest deeper than ${MAX_DEPTH} levels at ${path}`);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
    else for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, depth + 1);
  };
  for (const [k, v] of Object.entries(kwargs)) {
    if (typeof v === 'string' && PATH_KEY.test(k) && !resolvedKeys.includes(k)) {
      throw new InvalidArgumentError(
        `kwarg '${k}' names a file, which this server does not open for network clients: only 'data' and 'features' of ${TRADING_ENV_IDS.join(', ')} are read, from its data dir`,
      );
    }
    walk(v, k, 0);
  }
}

/** The kwargs to build a network client's session from. */
export async function resolveClientKwargs(
  envId: string,
  kwargs: Record<string, unknown>,
  ctx: KwargsContext,
): Promise<ResolvedKwargs> {
  const trading = TRADING_ENV_IDS.includes(envId);
  for (const k of SERVER_BUILT) {
    if (k in kwargs)
      throw new InvalidArgumentError(
        `kwarg '${k}' cannot come over the network: the server builds it from 'data' and 'features'`,
      );
  }
  checkStrings(kwargs, trading ? ['data', 'features'] : [], ctx.access);
  const lease = ctx.store.lease();
  if (!trading) return { kwargs, lease, bars: 0, symbols: 0, features: 0, obsElements: null };
  try {
    return await resolveTrading(envId, kwargs, ctx, lease);
  } catch (err) {
    lease.release();
    throw err;
  }
}

async function resolveTrading(
  envId: string,
  kwargs: Record<string, unknown>,
  ctx: KwargsContext,
  lease: StoreLease,
): Promise<ResolvedKwargs> {
  const { data = 'bundled', features, ...rest } = kwargs;
  const own = isClientData(data); // columns the client sent (tg4gym: a DataFrame), decoded and checked in client-data.ts
  const timeframe = optString(kwargs, 'timeframe');
  const portfolio = envId === 'tg4/Portfolio-v0';
  const perSymbol = portfolio && !own && isPlainMap(data) ? (data as Record<string, unknown>) : null;
  if (!own && perSymbol === null && typeof data !== 'string') throw ctx.access.refusal('data', String(data));
  let symbols: (string | undefined)[];
  if (portfolio) {
    const s = kwargs.symbols ?? (perSymbol !== null ? Object.keys(perSymbol) : ['BTC/USD', 'ETH/USD']);
    if (!Array.isArray(s) || s.length < 2 || s.length > 16 || !s.every((x) => typeof x === 'string'))
      throw new InvalidArgumentError("option 'symbols': expected 2 to 16 symbol names");
    symbols = s as string[];
  } else symbols = [optString(kwargs, 'symbol')];
  const sourceOf = (symbol: string | undefined): string => portfolioSource(data, perSymbol, symbol, symbols, portfolio);
  const frames: MarketFrame[] = [];
  const frameKeys: string[] = [];
  for (const [k, symbol] of symbols.entries()) {
    const { frame, key } = own
      ? await clientFrameFor(ctx, lease, data, k, symbols.length, symbol, timeframe)
      : await loadFrameFor(ctx, lease, sourceOf(symbol), symbol, timeframe);
    frames.push(frame);
    frameKeys.push(key);
  }
  const spec = await specFor(ctx, features, frames[0]!.timeframeMs);
  const fromSpec = features !== undefined && features !== 'default' ? spec.window : undefined;
  const ws = kwargs.windowSize;
  if (typeof ws === 'number' && fromSpec !== undefined && ws !== fromSpec)
    throw new InvalidArgumentError(
      `windowSize ${ws} differs from the feature spec's window ${fromSpec} (which its hash covers): set one of them, or make them equal`,
    );
  const windowSize = ws ?? spec.window; // the given spec's, else the default spec's for the data's timeframe (as the env)
  const hash = specHash(spec);
  const matrices: FeatureMatrix[] = [];
  for (let k = 0; k < frames.length; k++) {
    const f = frames[k]!;
    const m = await ctx.store.get(lease, `${frameKeys[k]}#features:${hash}`, async () => {
      const estimate = f.length * 4 * columnsBound(spec) * 2; // the matrix and the builder's temporaries
      ctx.reserve(
        estimate,
        `the features of ${f.symbol} ${f.timeframe} (${f.length} bars × up to ${columnsBound(spec)} columns)`,
      );
      const built = buildFeatureMatrix(f, spec);
      return { value: built, bytes: built.values.byteLength };
    });
    matrices.push(m);
  }
  const F = matrices.reduce((n, m) => n + m.names.length, 0);
  // Symbols on different bar times are aligned by the env, which then builds its features itself: matrices are shared
  // only over frames that already share one time axis.
  const aligned = frames.every((f) => sameTimes(f, frames[0]!));
  const out: Record<string, unknown> = portfolio
    ? aligned
      ? { ...rest, symbols, frames, featureMatrices: matrices, windowSize }
      : { ...rest, symbols, frames, features: spec, windowSize }
    : { ...rest, frame: frames[0], featureMatrix: matrices[0], windowSize };
  const state = portfolio ? symbols.length + 8 : 8; // portfolio-state entries after the window: a bound
  const obsElements = typeof windowSize === 'number' ? windowSize * F + state : null;
  return { kwargs: out, lease, bars: frames[0]!.length, symbols: frames.length, features: F, obsElements };
}

function sameTimes(a: MarketFrame, b: MarketFrame): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a.time[i] !== b.time[i]) return false;
  return true;
}

function isPlainMap(x: unknown): boolean {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/**
 * The source of one symbol, as Portfolio-v0 reads `data` (envs/trading/setup.ts): { symbol: source }, or one source that
 * holds every symbol ('bundled'). One CSV for several symbols is refused: it holds one symbol's bars.
 */
function portfolioSource(
  data: unknown,
  perSymbol: Record<string, unknown> | null,
  symbol: string | undefined,
  symbols: readonly (string | undefined)[],
  portfolio: boolean,
): string {
  if (perSymbol !== null) {
    const src = symbol === undefined ? undefined : perSymbol[symbol];
    if (typeof src !== 'string')
      throw new InvalidArgumentError(
        `data: no source for symbol ${JSON.stringify(symbol)}: give one per symbol of ${symbols.join(', ')}, e.g. 'bundled' or a file in the data dir`,
      );
    return src;
  }
  const src = data as string;
  if (portfolio && !NAMED_DATASETS.includes(src))
    throw new InvalidArgumentError(
      `data: '${src}' is one CSV file, which holds one symbol's bars, but tg4/Portfolio-v0 trades ${symbols.length} symbols: give one source per symbol, data: { "SYM": "file.csv", … }, or 'bundled'`,
    );
  return src;
}

function optString(kwargs: Record<string, unknown>, key: string): string | undefined {
  const v = kwargs[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InvalidArgumentError(`option '${key}': expected a string (got ${typeof v})`);
  return v;
}

/** Upper bound of the columns a spec produces (every output of every entry). */
function columnsBound(spec: FeatureSpec): number {
  let n = 0;
  for (const f of spec.features) n += f.outputs?.length ?? getFeatureDef(f.feature).outputs(f.params).length;
  return Math.max(1, n);
}

async function loadFrameFor(
  ctx: KwargsContext,
  lease: StoreLease,
  data: string,
  symbol: string | undefined,
  timeframe: string | undefined,
): Promise<{ frame: MarketFrame; key: string }> {
  if (NAMED_DATASETS.includes(data)) {
    const key = `bundled|${symbol ?? DEFAULT_SYMBOL}|${timeframe ?? ''}`;
    const frame = await ctx.store.get(lease, key, async () => {
      const f = loadBundled({ symbol, timeframe });
      return { value: f, bytes: frameBytes(f) };
    });
    return { frame, key };
  }
  const file = await ctx.access.read('data', data);
  const key = `file|${file.identity}|${symbol ?? ''}|${timeframe ?? ''}`;
  const frame = await ctx.store.get(lease, key, async () => {
    ctx.reserve(file.bytes.length * 3, `the candles of '${data}'`); // ~72 bytes of columns per ~30-byte CSV row
    let f: MarketFrame;
    try {
      f = parseCsvFrame(file.bytes.toString('utf8'), data, { symbol, timeframe }).frame;
    } catch (err) {
      // The operator sees the details; the client never gets a line of the file.
      ctx.log(`data '${data}' could not be read as candles: ${(err as Error).message}`);
      const code = err instanceof Tg4Error ? err.code : 'DATA_ERROR';
      throw new Tg4Error(
        code === 'INVALID_ARGUMENT' ? code : 'DATA_ERROR',
        `data: '${data}' in the server's data dir is not a candle CSV it can read (the server's log says why; check the file with \`tg4 data ingest\` or loadCsv on the server)`,
      );
    }
    return { value: f, bytes: frameBytes(f) };
  });
  return { frame, key };
}

/** undefined / 'default': the default spec for the timeframe; an object: an inline spec; a string: a spec file. */
async function specFor(ctx: KwargsContext, features: unknown, timeframeMs: number): Promise<FeatureSpec> {
  if (features === undefined || features === 'default') return defaultSpecFor(timeframeMs);
  if (typeof features !== 'string') return parseFeatureSpec(features);
  // A spec is a few KiB; parsing is synchronous, so its file is bounded far below a data file.
  const file = await ctx.access.read('features', features, Math.min(ctx.access.maxFileBytes, MAX_SPEC_FILE_BYTES));
  let obj: unknown;
  try {
    const text = file.bytes.toString('utf8');
    obj = /\.ya?ml$/i.test(features) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    ctx.log(`features '${features}' could not be parsed: ${(err as Error).message}`);
    throw new InvalidArgumentError(
      `features: '${features}' in the server's data dir is not a JSON or YAML feature spec (the server's log says why)`,
    );
  }
  try {
    return parseFeatureSpec(obj);
  } catch (err) {
    ctx.log(`features '${features}' is not a valid spec: ${(err as Error).message}`);
    throw new InvalidArgumentError(
      `features: '${features}' in the server's data dir is not a valid feature spec (the server's log says why)`,
    );
  }
}
