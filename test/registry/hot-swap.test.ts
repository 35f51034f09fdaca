// Hot swap end to end: a live loop fed by the local Kraken server follows ppo@champion through the registry; the alias
// is promoted to another version mid-stream, then rolled back. The policy changes between two decisions (each decision
// is checked against the version that made it), and every market message sent is a closed bar and a decision: none lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InferencePolicy } from '../../agents/infer/policy.ts';
import { loadBundled } from '../../replay/index.ts';
import type { ClosedBar } from '../../src/live/candle-series.ts';
import type { Decision } from '../../src/live/lane.ts';
import { liveTradingSetup } from '../../src/live/live-config.ts';
import { LiveLoop } from '../../src/live/loop.ts';
import type { DecisionInput, LivePolicy } from '../../src/live/policy.ts';
import { registryPolicy, type RegistryPolicy } from '../../src/live/registry-policy.ts';
import { ModelRegistry } from '../../src/registry/index.ts';
import { serverCandle, waitFor } from '../live/helpers.ts';
import { KrakenTestServer } from '../live/kraken-server.ts';
import { saveRandomMlp } from '../live/model-fixture.ts';

const SYMBOL = 'BTC/USD';
const A = 21_000;
const frame = loadBundled({ symbol: SYMBOL, timeframe: '1h' });
const KWARGS = { executor: { initialCapital: 1000 } };
const NAME = 'dqn-tg4_Trading-v0';

describe('hot swap through a registry alias in the live loop', () => {
  let server: KrakenTestServer;
  let loop: LiveLoop | null = null;
  let root: string;
  beforeEach(async () => {
    server = await new KrakenTestServer().start();
    root = mkdtempSync(join(tmpdir(), 'tg4-hot-swap-'));
  });
  afterEach(async () => {
    await loop?.stop();
    loop = null;
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('promote mid-stream and roll back: the policy changes between two decisions, no market message lost', async () => {
    const setup = liveTradingSetup(KWARGS, '1h');
    const reg = new ModelRegistry(root);
    for (const [v, seed] of [
      ['v0001', 1],
      ['v0002', 7],
    ] as const) {
      saveRandomMlp(join(root, NAME, v), {
        obsSize: setup.obsSize,
        nActions: 3,
        specHash: setup.specHash,
        envKwargs: KWARGS,
        hidden: [16],
        seed,
      });
      reg.register(`${NAME}/${v}`, { source: 'test' });
    }
    reg.setAlias(NAME, 'champion', 'v0001', { reason: 'first' });
    const models = {
      v0001: InferencePolicy.load(join(root, NAME, 'v0001')),
      v0002: InferencePolicy.load(join(root, NAME, 'v0002')),
    };

    const made: { version: string; obs: Float32Array; action: number }[] = [];
    const decisions: Decision[] = [];
    const closed: ClosedBar[] = [];
    let rp: RegistryPolicy | null = null;
    loop = await LiveLoop.create({
      symbols: [SYMBOL],
      timeframe: '1h',
      kwargs: KWARGS,
      policies: [
        (ctx): LivePolicy => {
          rp = registryPolicy(reg, `${NAME}@champion`, ctx, { intervalMs: 5 });
          const p = rp;
          return {
            name: p.name,
            kind: p.kind,
            source: p.source,
            featureSpecHash: p.featureSpecHash,
            decide(input: DecisionInput): number {
              const a = p.decide(input) as number;
              made.push({ version: p.version, obs: Float32Array.from(input.obs), action: a });
              return a;
            },
            close: () => p.close?.(),
          };
        },
      ],
      wsUrl: server.url,
      bookDepth: 0,
      keepTrades: 0,
      graceMs: Number.POSITIVE_INFINITY,
      staleAfterMs: 0,
      warmup: { source: 'bundled', until: frame.time[A]! },
      gateway: null,
      killFile: null,
      onBar: (b) => closed.push(b),
      onDecision: (d) => decisions.push(d),
    });
    await loop.start();

    let sent = 0;
    const stream = async (from: number, to: number): Promise<void> => {
      for (let k = from; k <= to; k++) {
        server.ohlc(serverCandle(frame, k));
        sent++;
        await waitFor(() => closed.length >= sent - 1 && decisions.length >= sent - 1, `bar ${k - 1} decided`, 5000);
      }
    };
    await stream(A, A + 20);
    reg.setAlias(NAME, 'champion', 'v0002', { reason: 'challenger won' });
    await waitFor(() => rp!.next === 'v0002', 'the watcher to load v0002');
    await stream(A + 21, A + 40);
    reg.rollback(NAME, 'champion', 'live drawdown');
    await waitFor(() => rp!.next === 'v0001', 'the watcher to load v0001 back');
    await stream(A + 41, A + 60);

    // Every message sent closed the bar before it, and each closed bar was decided: nothing lost, nothing doubled.
    expect(sent).toBe(61);
    expect(closed.length).toBe(sent - 1);
    expect(decisions.length).toBe(sent - 1);
    expect(made.length).toBe(sent - 1);
    expect(new Set(decisions.map((d) => d.time)).size).toBe(decisions.length);
    expect(loop.client.stats.messages).toBeGreaterThanOrEqual(sent);

    // The version changed exactly at the two moves, between two consecutive decisions.
    const versions = made.map((m) => m.version);
    expect(versions.slice(0, 20).every((v) => v === 'v0001')).toBe(true);
    expect(versions.slice(20, 40).every((v) => v === 'v0002')).toBe(true);
    expect(versions.slice(40).every((v) => v === 'v0001')).toBe(true);
    expect(rp!.swaps).toEqual([
      { from: 'v0001', to: 'v0002', atDecision: 20 },
      { from: 'v0002', to: 'v0001', atDecision: 40 },
    ]);
    // Each decision is the one its version makes on that observation, and the two versions do disagree on them.
    for (const m of made) expect(m.action).toBe(models[m.version as 'v0001'].decide(m.obs));
    expect(made.some((m) => models.v0001.decide(m.obs) !== models.v0002.decide(m.obs))).toBe(true);
  }, 60_000);

  it('a new version that does not fit the run is refused and the running one keeps deciding', async () => {
    const setup = liveTradingSetup(KWARGS, '1h');
    const reg = new ModelRegistry(root);
    saveRandomMlp(join(root, NAME, 'v0001'), {
      obsSize: setup.obsSize,
      nActions: 3,
      specHash: setup.specHash,
      envKwargs: KWARGS,
      hidden: [8],
    });
    saveRandomMlp(join(root, NAME, 'v0002'), {
      obsSize: setup.obsSize,
      nActions: 3,
      specHash: 'another-feature-spec',
      envKwargs: KWARGS,
      hidden: [8],
    });
    reg.register(`${NAME}/v0001`, { source: 'test' });
    reg.register(`${NAME}/v0002`, { source: 'test' });
    reg.setAlias(NAME, 'paper', 'v0001', { reason: 'first' });
    const events: string[] = [];
    const ctx = { ...setup, scheme: setup.scheme, seed: 0 };
    const rp = registryPolicy(reg, `${NAME}@paper`, ctx, { intervalMs: 60_000, onEvent: (_l, m) => events.push(m) });
    reg.setAlias(NAME, 'paper', 'v0002', { reason: 'oops' });
    expect(rp.poll()).toBe(false);
    expect(rp.next).toBeNull();
    expect(rp.version).toBe('v0001');
    expect(events.join('\n')).toMatch(/v0002 was refused|refused.*feature spec|spec hash/);
    rp.close?.();

    // Same observation and action space (Discrete 3) but trained as flat/half/full: refused, not run as short/flat/long.
    saveRandomMlp(join(root, 'other', 'v0001'), {
      obsSize: setup.obsSize,
      nActions: 3,
      specHash: setup.specHash,
      envKwargs: { ...KWARGS, actionScheme: 'discrete-sized', levels: [0, 0.5, 1] },
      hidden: [8],
    });
    reg.register('other/v0001', { source: 'test' });
    expect(() => registryPolicy(reg, 'other/v0001', ctx)).toThrow(
      /trained with actions discrete-sized × 1; this run maps them as discrete3 \[-1, 0, 1\]/,
    );
  });
});
