// The promotion gate, promotion and A/B on a planted-signal market (test/registry/planted.ts): a model wired to the
// planted signal passes the default gate out of sample, a random-weights one fails it; promotion refuses the failing
// one (unless forced, logged), refuses a model whose features, observations or actions differ from the alias's, and a
// rollback restores the exact previous version. The gate's report is stored under the version's seal, atomically.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InferencePolicy } from '../../agents/infer/policy.ts';
import { runAb } from '../../src/registry/ab.ts';
import { addFilesToVersion, verifyVersion } from '../../src/registry/content.ts';
import { DEFAULT_GATE, loadGateConfig, parseGateConfig } from '../../src/registry/gate-config.ts';
import { GATE_REPORT, runGate, storedGateReport } from '../../src/registry/gate.ts';
import { promote } from '../../src/registry/promote.ts';
import { ModelRegistry } from '../../src/registry/index.ts';
import { savePlantedModel, writePlantedCsv } from './planted.ts';

const NAME = 'ppo-PLANT';
const TRAINED = '..2024-02-12';
let root: string;
let csv: string;
let reg: ModelRegistry;

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return 'no error';
};

beforeAll(() => {
  const base = mkdtempSync(join(tmpdir(), 'tg4-gate-'));
  csv = writePlantedCsv(base);
  root = join(base, 'models');
  reg = new ModelRegistry(root);
  savePlantedModel(join(root, NAME, 'v0001'), csv, TRAINED, 'signal');
  savePlantedModel(join(root, NAME, 'v0002'), csv, TRAINED, 'random');
  savePlantedModel(join(root, NAME, 'v0003'), csv, TRAINED, 'signal', 5);
  for (const v of ['v0001', 'v0002', 'v0003']) reg.register(`${NAME}/${v}`, { source: 'test' });
});

describe('the promotion gate', () => {
  it('passes the planted-signal model and refuses the random one, on bars after their training range only', () => {
    const good = runGate(reg, `${NAME}/v0001`, DEFAULT_GATE, { store: false });
    expect(good.report.passed).toBe(true);
    expect(good.report.span.trainedUntil).toBe('2024-02-11T23:00:00Z');
    expect(Date.parse(good.report.span.from)).toBeGreaterThan(Date.parse(good.report.span.trainedUntil));
    expect(good.report.windows).toHaveLength(DEFAULT_GATE.windows);
    expect(good.report.overall.psrVsBuyAndHold).toBeGreaterThanOrEqual(0.95);
    expect(good.report.overall.policy.sharpe).toBeGreaterThan(good.report.overall.baselines['ema-trend-flip']!.sharpe);
    expect(good.text).toMatch(/^gate PASSED/);

    const bad = runGate(reg, `${NAME}/v0002`, DEFAULT_GATE, { store: false });
    expect(bad.report.passed).toBe(false);
    const failed = bad.report.checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failed).toEqual(
      expect.arrayContaining([
        'PSR vs buy-and-hold',
        'max drawdown',
        'turnover per bar',
        "Sharpe above ema-trend-flip's",
      ]),
    );
    // Thresholds come from the config: the same good model fails a stricter one, naming the check.
    const strict = runGate(reg, `${NAME}/v0001`, parseGateConfig({ minTrades: 100_000 }), { store: false });
    expect(strict.report.checks.find((c) => !c.passed)?.name).toBe('trades');
  });

  it('stores the report under the seal (a crash at any point leaves a verifiable version)', () => {
    const dir = join(root, NAME, 'v0003');
    const before = verifyVersion(dir);
    runGate(reg, `${NAME}/v0003`, DEFAULT_GATE);
    const after = verifyVersion(dir);
    expect(after.files.map((f) => f.name)).toEqual(expect.arrayContaining([GATE_REPORT, 'gate.txt']));
    expect(after.contentHash).not.toBe(before.contentHash);
    expect(storedGateReport(reg, `${NAME}/v0003`)?.passed).toBe(true);
    expect(readFileSync(join(root, '.registry', 'trials.jsonl'), 'utf8')).toContain('"version":"v0003"');

    // Crash after the pending file, before the new seal: the old version, the pending file ignored.
    writeFileSync(join(dir, '.notes.txt.pending'), 'half');
    expect(verifyVersion(dir).contentHash).toBe(after.contentHash);
    // Crash after the new seal, before the rename: rolled forward on the next verify.
    const sealed = addFilesToVersion(dir, { 'notes.txt': 'hello' });
    writeFileSync(join(dir, '.notes.txt.pending'), readFileSync(join(dir, 'notes.txt')));
    writeFileSync(join(dir, 'notes.txt'), 'torn');
    expect(verifyVersion(dir).contentHash).toBe(sealed.contentHash);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('hello');
    // A report edited afterwards is caught like any other file.
    writeFileSync(join(dir, GATE_REPORT), '{"passed":true}');
    expect(() => verifyVersion(dir)).toThrow(/gate.json changed after the version was sealed/);
  });

  it('reads thresholds from JSON or YAML over the defaults and names a bad key', () => {
    const d = mkdtempSync(join(tmpdir(), 'tg4-gatecfg-'));
    writeFileSync(join(d, 'g.yaml'), 'minTrades: 3\nbeat: [ema-trend-flip, buy-and-hold]\n');
    const y = loadGateConfig(join(d, 'g.yaml'));
    expect(y).toEqual({ ...DEFAULT_GATE, minTrades: 3, beat: ['ema-trend-flip', 'buy-and-hold'] });
    writeFileSync(join(d, 'bad.json'), '{"minPsrVsBuyAndHold": 1.5, "beat": ["nope"], "extra": 1}');
    const msg = codeOf(() => loadGateConfig(join(d, 'bad.json')));
    expect(msg).toMatch(/^REGISTRY_ERROR/);
    expect(msg).toMatch(/minPsrVsBuyAndHold/);
    expect(msg).toMatch(/beat\.0/);
    expect(msg).toMatch(/extra/);
  });
});

describe('promotion', () => {
  it('refuses a failing gate, promotes it only with --force (logged), and promotes a passing one', () => {
    const r = mkdtempSync(join(tmpdir(), 'tg4-promote-'));
    const reg2 = new ModelRegistry(r);
    for (const [v, kind] of [
      ['v0001', 'signal'],
      ['v0002', 'random'],
    ] as const) {
      savePlantedModel(join(r, NAME, v), csv, TRAINED, kind);
      reg2.register(`${NAME}/${v}`, { source: 'test' });
    }
    const msg = codeOf(() => promote(reg2, `${NAME}/v0002`, { alias: 'champion', reason: 'try', gate: DEFAULT_GATE }));
    expect(msg).toMatch(/^PROMOTION_REFUSED: ppo-PLANT\/v0002 failed the gate: PSR vs buy-and-hold/);
    expect(msg).toMatch(/--force/);
    expect(reg2.aliases(NAME)).toEqual({});

    const ok = promote(reg2, `${NAME}/v0001`, { alias: 'champion', reason: 'planted signal', gate: DEFAULT_GATE });
    expect(ok.move).toMatchObject({ from: null, to: 'v0001', forced: false, gate: { passed: true } });
    const forced = promote(reg2, `${NAME}/v0002`, {
      alias: 'champion',
      reason: 'testing the override',
      gate: DEFAULT_GATE,
      force: true,
    });
    expect(forced.move).toMatchObject({ from: 'v0001', to: 'v0002', forced: true, gate: { passed: false } });
    expect(reg2.history(NAME, 'champion').map((m) => [m.to, m.forced])).toEqual([
      ['v0001', false],
      ['v0002', true],
    ]);

    // Rollback restores the exact previous version: same sealed content, same decisions.
    const sealBefore = reg2.verify(`${NAME}/v0001`).contentHash;
    reg2.rollback(NAME, 'champion', 'forced one lost money');
    const back = reg2.verify(`${NAME}@champion`);
    expect(back.version).toBe('v0001');
    expect(back.contentHash).toBe(sealBefore);
    const a = InferencePolicy.load(back.dir);
    const b = InferencePolicy.load(join(r, NAME, 'v0001'));
    const obs = Float32Array.from({ length: a.obsSize }, (_, i) => Math.sin(i) * 0.01);
    expect(a.decide(obs)).toBe(b.decide(obs));
  });

  it("refuses a model whose feature spec, observation layout or action mapping differs from the alias's", () => {
    const r = mkdtempSync(join(tmpdir(), 'tg4-compat-'));
    const reg2 = new ModelRegistry(r);
    savePlantedModel(join(r, NAME, 'v0001'), csv, TRAINED, 'signal');
    reg2.register(`${NAME}/v0001`, { source: 'test' });
    reg2.setAlias(NAME, 'champion', 'v0001', { reason: 'first' });
    // The target interface from a --config file: another feature spec, window, observation size and action mapping.
    const other = mkdtempSync(join(tmpdir(), 'tg4-iface-'));
    const m = JSON.parse(readFileSync(join(r, NAME, 'v0001', 'manifest.json'), 'utf8'));
    writeFileSync(
      join(other, 'iface.json'),
      JSON.stringify({
        featureSpecHash: 'f'.repeat(64),
        observation: { obsSize: m.obsSize + 1, windowSize: 3, shape: [m.obsSize + 1] },
        action: { space: { type: 'Discrete', n: 5, start: 0 }, scheme: 'discrete-sized', levels: [0, 1], exposure: 2 },
      }),
    );
    const msg = codeOf(() =>
      promote(reg2, `${NAME}/v0001`, {
        alias: 'paper',
        reason: 'x',
        gate: DEFAULT_GATE,
        config: join(other, 'iface.json'),
      }),
    );
    expect(msg).toMatch(/^PROMOTION_REFUSED/);
    expect(msg).toMatch(/feature-spec hash/);
    expect(msg).toMatch(/observation layout: obsSize/);
    expect(msg).toMatch(/observation layout: windowSize/);
    expect(msg).toMatch(/action mapping: space/);
    expect(msg).toMatch(/action mapping: scheme/);
    expect(reg2.aliases(NAME)).toEqual({ champion: 'v0001' });
    // Against the alias's current version: a version over other features (here its manifest says so) is refused
    // before any gate runs, naming the alias and what differs.
    const edited = mkdtempSync(join(tmpdir(), 'tg4-iface2-'));
    savePlantedModel(edited, csv, TRAINED, 'signal', 11);
    const me = JSON.parse(readFileSync(join(edited, 'manifest.json'), 'utf8'));
    me.featureSpecHash = 'e'.repeat(64);
    me.envKwargs.actionScheme = 'discrete-sized';
    writeFileSync(join(edited, 'manifest.json'), JSON.stringify(me));
    reg2.importVersion(edited, NAME, { source: 'test' });
    const msg2 = codeOf(() => promote(reg2, `${NAME}/v0002`, { alias: 'champion', reason: 'x', gate: DEFAULT_GATE }));
    expect(msg2).toMatch(/^PROMOTION_REFUSED: ppo-PLANT\/v0002 does not fit ppo-PLANT@champion \(now v0001\)/);
    expect(msg2).toMatch(/feature-spec hash e{64}/);
    expect(msg2).toMatch(/action mapping: scheme "discrete-sized"/);
    // Against the alias's current version (same interface) the interface check passes; it then meets the gate.
    savePlantedModel(join(r, NAME, 'v0003'), csv, TRAINED, 'signal', 9);
    reg2.register(`${NAME}/v0003`, { source: 'test' });
    expect(
      promote(reg2, `${NAME}/v0003`, { alias: 'champion', reason: 'same iface', gate: DEFAULT_GATE }).move.to,
    ).toBe('v0003');
  });
});

describe('A/B', () => {
  it('two versions over the same bars: the planted model beats the random one significantly; the report is stored', () => {
    const { report, path } = runAb(reg, `${NAME}/v0001`, `${NAME}/v0002`, { range: '2024-02-12..', samples: 500 });
    expect(report.bars).toBeGreaterThan(1500);
    expect(report.difference.pValue).toBeLessThan(0.01);
    expect(report.verdict).toMatch(/ppo-PLANT\/v0001 beats ppo-PLANT\/v0002/);
    expect(report.curves.a).toHaveLength(report.curves.time.length);
    expect(path !== null && existsSync(path)).toBe(true);
    expect(readdirSync(join(root, '.registry', 'ab')).length).toBeGreaterThan(0);
    // A version against itself: no difference at all.
    const same = runAb(reg, `${NAME}/v0001`, `${NAME}/v0001`, { range: '2024-02-12..', samples: 200, store: false });
    expect(same.report.difference.mean).toBe(0);
    expect(same.report.verdict).toMatch(/no significant difference/);
  });
});
