import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { saveModel } from '../../agents/common/model-io.ts';
import { ModelRegistry } from '../../src/registry/index.ts';

let root: string;
let reg: ModelRegistry;

/** A small but real saved model (format tg4-model/1) at <root>/<name>/<version>. */
function writeModel(dir: string, seed: number): void {
  const w = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + seed));
  saveModel(
    dir,
    {
      algo: 'ppo',
      envId: 'CartPole-v1',
      observationSpace: { type: 'Box', low: -1, high: 1, shape: [4], dtype: 'float32' } as never,
      actionSpace: { type: 'Discrete', n: 2, start: 0 } as never,
      obsSize: 4,
      featureSpecHash: null,
      normalization: null,
      network: { kind: 'actor-critic', shared: [], pi: [2], vf: [2], activation: 'tanh' },
      hyperparameters: {},
      metrics: {},
      created: '2026-12-06T00:00:00.000Z',
      seed,
      backend: 'cpu',
    },
    [{ name: 'pi/h0/kernel', shape: [4, 3], data: w }],
  );
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tg4-registry-'));
  reg = new ModelRegistry(root);
  for (const [v, seed] of [
    ['v0001', 1],
    ['v0002', 2],
    ['v0003', 3],
  ] as const) {
    writeModel(join(root, 'ppo-CartPole-v1', v), seed);
    reg.register(`ppo-CartPole-v1/${v}`, { source: 'tg4 train' });
  }
});

describe('sealed versions', () => {
  it('a sealed version verifies; references resolve by version, alias, name and folder', () => {
    expect(reg.names()).toEqual(['ppo-CartPole-v1']);
    expect(reg.versions('ppo-CartPole-v1')).toEqual(['v0001', 'v0002', 'v0003']);
    const s = reg.verify('ppo-CartPole-v1/v0002');
    expect(s.files.map((f) => f.name)).toEqual(['manifest.json', 'weights.bin']);
    expect(reg.resolve('ppo-CartPole-v1').version).toBe('v0003');
    expect(reg.resolve(join(root, 'ppo-CartPole-v1', 'v0001')).version).toBe('v0001');
  });

  it('refuses a flipped byte, a truncated file, an edited manifest, an added or a removed file — naming it', () => {
    const dir = join(root, 'ppo-CartPole-v1', 'v0001');
    const w = readFileSync(join(dir, 'weights.bin'));
    w[5] = w[5]! ^ 0x01;
    writeFileSync(join(dir, 'weights.bin'), w);
    expect(() => reg.verify('ppo-CartPole-v1/v0001')).toThrow(/weights.bin changed after the version was sealed/);
    writeFileSync(join(dir, 'weights.bin'), w.subarray(0, 10));
    expect(() => reg.verify('ppo-CartPole-v1/v0001')).toThrow(/weights.bin changed .*10 bytes, sealed 48/);

    const d2 = join(root, 'ppo-CartPole-v1', 'v0002');
    const m = JSON.parse(readFileSync(join(d2, 'manifest.json'), 'utf8'));
    m.network.activation = 'relu';
    writeFileSync(join(d2, 'manifest.json'), JSON.stringify(m));
    expect(() => reg.verify('ppo-CartPole-v1/v0002')).toThrow(/manifest.json changed/);

    const d3 = join(root, 'ppo-CartPole-v1', 'v0003');
    writeFileSync(join(d3, 'extra.bin'), 'x');
    expect(() => reg.verify('ppo-CartPole-v1/v0003')).toThrow(/extra.bin was added/);
  });

  it('imports an outside folder as the next version; a crash mid-import leaves no loadable half version', () => {
    const outside = mkdtempSync(join(tmpdir(), 'tg4-ext-'));
    writeModel(outside, 9);
    // A leftover of an import that crashed before its rename:
    mkdirSync(join(root, 'ppo-CartPole-v1', '.v0004.999.tmp'));
    const r = reg.importVersion(outside, 'ppo-CartPole-v1', { source: 'sb3-export', parent: 'ppo-CartPole-v1/v0003' });
    expect(r.version).toBe('v0004');
    expect(reg.verify('ppo-CartPole-v1/v0004').parent).toBe('ppo-CartPole-v1/v0003');
    expect(reg.versions('ppo-CartPole-v1')).toEqual(['v0001', 'v0002', 'v0003', 'v0004']);
  });
});

describe('aliases and the audit log', () => {
  it('promote, promote, rollback: the alias returns to the exact previous version, every move logged', () => {
    reg.setAlias('ppo-CartPole-v1', 'champion', 'v0001', { reason: 'first' });
    reg.setAlias('ppo-CartPole-v1', 'champion', 'v0002', {
      reason: 'better',
      gate: { passed: true, report: 'gate.json' },
    });
    expect(reg.resolve('ppo-CartPole-v1@champion').version).toBe('v0002');
    const back = reg.rollback('ppo-CartPole-v1', 'champion', 'live drawdown');
    expect(back).toMatchObject({ from: 'v0002', to: 'v0001', action: 'rollback' });
    expect(reg.resolve('ppo-CartPole-v1@champion').version).toBe('v0001');
    const h = reg.history('ppo-CartPole-v1', 'champion');
    expect(h.map((m) => [m.from, m.to, m.action])).toEqual([
      [null, 'v0001', 'promote'],
      ['v0001', 'v0002', 'promote'],
      ['v0002', 'v0001', 'rollback'],
    ]);
    expect(h[1]!.gate).toEqual({ passed: true, report: 'gate.json' });
  });

  it('refuses moves without a reason, to an altered version, or to an unknown alias', () => {
    expect(() => reg.setAlias('ppo-CartPole-v1', 'champion', 'v0001', { reason: ' ' })).toThrow(/needs a reason/);
    expect(() => reg.setAlias('ppo-CartPole-v1', 'Champion!', 'v0001', { reason: 'x' })).toThrow(/not an alias name/);
    writeFileSync(join(root, 'ppo-CartPole-v1', 'v0003', 'weights.bin'), 'junk');
    expect(() => reg.setAlias('ppo-CartPole-v1', 'champion', 'v0003', { reason: 'x' })).toThrow(/changed after/);
    expect(() => reg.resolve('ppo-CartPole-v1@paper')).toThrow(/has no alias 'paper'/);
    expect(() => reg.rollback('ppo-CartPole-v1', 'paper', 'x')).toThrow(/not set/);
  });

  it('a crash between the log and the pointer leaves the registry readable (old pointer, torn log tail skipped)', () => {
    reg.setAlias('ppo-CartPole-v1', 'paper', 'v0001', { reason: 'start' });
    appendFileSync(join(root, '.registry', 'history.jsonl'), '{"time":"2026-12-06T00:00:00Z","name":"ppo-Car');
    const fresh = new ModelRegistry(root);
    expect(fresh.resolve('ppo-CartPole-v1@paper').version).toBe('v0001');
    expect(fresh.history().length).toBe(1);
    // And the next move still works (the lock of a dead writer is taken over).
    writeFileSync(join(root, '.registry', 'lock'), '999999');
    fresh.setAlias('ppo-CartPole-v1', 'paper', 'v0002', { reason: 'next' });
    expect(fresh.resolve('ppo-CartPole-v1@paper').version).toBe('v0002');
    expect(fresh.history().map((m) => m.to)).toEqual(['v0001', 'v0002']);
    expect(existsSync(join(root, '.registry', 'lock'))).toBe(false);
  });
});
