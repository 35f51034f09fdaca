// A remote policy endpoint as a registry version: registered with its interface, followed through an alias by the
// live loop's registry policy, which asks it over real ZeroMQ (`tg4 policy serve`'s PolicyServer) and gets the same
// actions as the model it serves run locally; the gate cannot backtest it, so promotion needs --force (logged).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferencePolicy } from '../../agents/infer/policy.ts';
import { liveTradingSetup, policyContext } from '../../src/live/live-config.ts';
import { modelPolicy } from '../../src/live/policy.ts';
import { PolicyServer } from '../../src/live/policy-server.ts';
import { registryPolicy } from '../../src/live/registry-policy.ts';
import { DEFAULT_GATE } from '../../src/registry/gate-config.ts';
import { ModelRegistry } from '../../src/registry/index.ts';
import { promote } from '../../src/registry/promote.ts';
import { registerRemote } from '../../src/registry/remote.ts';
import { saveRandomMlp } from '../live/model-fixture.ts';

const KWARGS = { executor: { initialCapital: 1000 } };
let dir: string;
let server: PolicyServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tg4-remote-'));
  const setup = liveTradingSetup(KWARGS, '1h');
  saveRandomMlp(join(dir, 'served'), {
    obsSize: setup.obsSize,
    nActions: 3,
    specHash: setup.specHash,
    envKwargs: KWARGS,
    hidden: [16],
    seed: 4,
  });
  server = new PolicyServer({
    bind: 'tcp://127.0.0.1:0',
    timeframe: '1h',
    kwargs: KWARGS,
    policy: (ctx) => modelPolicy(join(dir, 'served'), ctx),
  });
  await server.start();
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a registered remote policy', () => {
  it('is asked over ZeroMQ through its alias and answers as the model it serves', async () => {
    const setup = liveTradingSetup(KWARGS, '1h');
    const reg = new ModelRegistry(join(dir, 'models'));
    const r = registerRemote(reg, 'remote-mlp', server.endpoint, {
      featureSpecHash: setup.specHash,
      obsSize: setup.obsSize,
      actionSpace: setup.actionSpace,
      envKwargs: KWARGS,
      timeframe: '1h',
    });
    expect(r).toMatchObject({ version: 'v0001', source: 'remote' });
    const m = JSON.parse(readFileSync(join(r.dir, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ kind: 'remote', address: server.endpoint, format: 'tg4-remote-policy/1' });
    reg.setAlias('remote-mlp', 'paper', 'v0001', { reason: 'try the endpoint' });

    const ctx = policyContext(setup);
    const p = registryPolicy(reg, 'remote-mlp@paper', ctx, { intervalMs: 60_000 });
    expect(p.kind).toBe('model');
    await p.ready?.();
    const local = InferencePolicy.load(join(dir, 'served'));
    let s = 3;
    for (let k = 0; k < 20; k++) {
      const obs = Float32Array.from({ length: setup.obsSize }, () => {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        return (s / 4294967296 - 0.5) * 4;
      });
      const a = await p.decide({
        obs,
        history: () => {
          throw new Error('not read');
        },
        t: 0,
        exposure: 0,
        mask: null,
      });
      expect(a).toBe(local.decide(obs));
    }
    p.close?.();
  });

  it('cannot pass the gate (no backtest of an endpoint): promotion needs --force, logged as forced', () => {
    const setup = liveTradingSetup(KWARGS, '1h');
    const reg = new ModelRegistry(join(dir, 'models2'));
    registerRemote(reg, 'remote-mlp', 'tcp://127.0.0.1:1', {
      featureSpecHash: setup.specHash,
      obsSize: setup.obsSize,
      actionSpace: setup.actionSpace,
      envKwargs: KWARGS,
      timeframe: '1h',
    });
    expect(() =>
      promote(reg, 'remote-mlp/v0001', { alias: 'champion', reason: 'endpoint', gate: DEFAULT_GATE }),
    ).toThrow(/remote policy endpoint: the gate backtests tg4\/Trading-v0 models only/);
    const r = promote(reg, 'remote-mlp/v0001', {
      alias: 'champion',
      reason: 'endpoint',
      gate: DEFAULT_GATE,
      force: true,
    });
    expect(r.move).toMatchObject({ to: 'v0001', forced: true, gate: null });
    expect(() =>
      registerRemote(reg, 'x', 'http://nope', {
        ...setup,
        featureSpecHash: setup.specHash,
        envKwargs: {},
        timeframe: '1h',
      }),
    ).toThrow(/ZeroMQ address/);
  });
});
