// Who owns the data an env derives (no module-level caches): a FeatureSet owns its matrix and window views and is
// shared only by passing it; a MarketData owns its ATR, packed prices and window copiers. And Portfolio-v0 takes one
// source per symbol: a single CSV is refused instead of being traded under every symbol's name.
import { describe, expect, it } from 'vitest';
import '../../../envs/index.ts';
import { buildFeatureMatrix, FeatureSet } from '../../../envs/trading/features.ts';
import { PortfolioEnv, prepareTradingKwargs, TradingEnv, TradingVectorEnv } from '../../../envs/trading/index.ts';
import { connectClient } from '../../../replay/db/connect.ts';
import { ingestFile } from '../../../replay/db/ingest.ts';
import { migrate } from '../../../replay/db/migrate.ts';
import { BUNDLED, bundledPath, loadBundled } from '../../../replay/index.ts';
import { InvalidArgumentError } from '../../../src/core/errors.ts';
import { freshDatabase } from '../../replay/helpers.ts';

const csv = (symbol: string) => bundledPath(BUNDLED.find((d) => d.symbol === symbol && d.timeframe === '1h')!);
const range = '2019-01-01..2019-06-01';
// Identity is checked with ===: a `.not.toBe` miss makes vitest deep-compare the two objects (minutes on feature sets).

describe('derived market data has an explicit owner', () => {
  const frame = loadBundled({ timeframe: '1h' });

  it('building twice gives two FeatureSets (nothing cached behind the caller) with the same numbers', () => {
    const a = buildFeatureMatrix(frame, undefined);
    const b = buildFeatureMatrix(frame, undefined);
    expect(a).toBeInstanceOf(FeatureSet);
    expect(a === b).toBe(false);
    expect(a.values === b.values).toBe(false);
    expect(Buffer.from(a.values.buffer).equals(Buffer.from(b.values.buffer))).toBe(true);
    expect(a.windowViews(32)).toBe(a.windowViews(32)); // built once per window length, kept by the set
    expect(a.windowViews(8) === a.windowViews(32)).toBe(false);
  });

  it('envs given one FeatureSet share it and its window views; envs given none own their own; observations agree', () => {
    const set = buildFeatureMatrix(frame, undefined);
    const kw = { frame, range, start: 'first' as const, episodeLength: 50 };
    const shared1 = new TradingEnv({ ...kw, featureMatrix: set });
    const shared2 = new TradingEnv({ ...kw, featureMatrix: set });
    expect(shared1.data.featureSet).toBe(set); // the kwargs parser keeps the object
    expect(shared2.data.featureSet).toBe(set);
    expect(set.windowViews(32)).toBe(shared2.data.featureSet.windowViews(32));
    const own = new TradingEnv(kw);
    expect(own.data.featureSet === set).toBe(false);
    // A plain { values, names, warmup } matrix becomes a set of that env's own.
    const plain = new TradingEnv({
      ...kw,
      featureMatrix: { values: set.values, names: set.names, warmup: set.warmup },
    });
    expect(plain.data.featureSet === set).toBe(false);
    expect(plain.data.features).toBe(set.values);
    const envs = [shared1, own, plain];
    const obs = envs.map((e) => [e.reset({ seed: 1 }).observation]);
    for (let j = 0; j < 50; j++) envs.forEach((e, k) => obs[k]!.push(e.step(j % 3).observation));
    for (const o of obs.slice(1)) expect(o).toEqual(obs[0]);
  });

  it('a MarketData builds its packed prices once and its sub-envs share them', () => {
    const env = new TradingEnv({ frame, range, episodeLength: 10 });
    const p = env.data.packedBars();
    expect(env.data.packedBars()).toBe(p);
    expect(p.length).toBe(env.data.length * 5);
    expect([p[5 * 100], p[5 * 100 + 4]]).toEqual([frame.time[100], frame.close[100]]);
    const venv = new TradingVectorEnv({ numEnvs: 3, kwargs: { frame, range, episodeLength: 10 }, kind: 'trading' });
    try {
      expect(venv.core.data.packedBars()).toBe(venv.core.data.packedBars());
    } finally {
      venv.close();
    }
  });
});

describe('tg4/Portfolio-v0 takes one source per symbol', () => {
  it('one CSV for several symbols is refused, naming the fix', () => {
    const make = () => new PortfolioEnv({ data: csv('BTC/USD'), symbols: ['BTC/USD', 'ETH/USD'], range });
    expect(make).toThrow(InvalidArgumentError);
    expect(make).toThrow(
      /one CSV file, which holds one symbol's bars.*2 symbols \(BTC\/USD, ETH\/USD\).*one source per symbol/,
    );
  });

  it('a source per symbol: each symbol trades its own prices', () => {
    const env = new PortfolioEnv({
      data: { 'BTC/USD': csv('BTC/USD'), 'ETH/USD': csv('ETH/USD') },
      range,
      episodeLength: 20,
    });
    expect(env.data.symbols).toEqual(['BTC/USD', 'ETH/USD']);
    const btc = loadBundled({ symbol: 'BTC/USD', timeframe: '1h' });
    const eth = loadBundled({ symbol: 'ETH/USD', timeframe: '1h' });
    const t = env.data.rangeStart + 10;
    const at = (f: typeof btc) => f.close[Array.from(f.time).indexOf(env.data.time[t]!)];
    expect([env.data.close[0]![t], env.data.close[1]![t]]).toEqual([at(btc), at(eth)]);
    expect(env.data.close[0]![t] === env.data.close[1]![t]).toBe(false);
    // The same env from the bundled data says the same.
    const bundled = new PortfolioEnv({ range, episodeLength: 20 });
    expect(bundled.data.featureNames).toEqual(env.data.featureNames);
    expect(Buffer.from(bundled.data.features.buffer).equals(Buffer.from(env.data.features.buffer))).toBe(true);
  });

  it('sources and symbols must name the same symbols', () => {
    expect(
      () =>
        new PortfolioEnv({
          data: { 'BTC/USD': csv('BTC/USD'), 'ETH/USD': csv('ETH/USD') },
          symbols: ['BTC/USD', 'LTC/USD'],
        }),
    ).toThrow(/no source for LTC\/USD.*ETH\/USD not in symbols/);
    expect(() => new PortfolioEnv({ data: { 'BTC/USD': csv('BTC/USD') } })).toThrow(/at least 2 symbols/);
  });

  it('a database among the sources: prepareTradingKwargs loads every symbol, in the same order, with the same prices', async () => {
    const db = await freshDatabase('tg4_portfolio_sources');
    try {
      const c = await connectClient(db.url);
      try {
        await migrate(c, db.url);
        await ingestFile(c, db.url, { file: csv('ETH/USD'), symbol: 'ETH/USD', timeframe: '1h' });
      } finally {
        await c.end();
      }
      const kw = { range, episodeLength: 20 };
      const prepared = await prepareTradingKwargs({ ...kw, data: { 'BTC/USD': csv('BTC/USD'), 'ETH/USD': db.url } });
      const env = new PortfolioEnv(prepared);
      const bundled = new PortfolioEnv(kw);
      expect(env.data.symbols).toEqual(['BTC/USD', 'ETH/USD']);
      expect(Buffer.from(env.data.close[1]!.buffer).equals(Buffer.from(bundled.data.close[1]!.buffer))).toBe(true);
      expect(Buffer.from(env.data.features.buffer).equals(Buffer.from(bundled.data.features.buffer))).toBe(true);
    } finally {
      await db.drop();
    }
  });
});
