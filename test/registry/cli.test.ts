// `tg4 models eval | promote | history | ab | rollback` as a user runs them (spawned CLI) on the planted-signal market:
// exit codes, the PROMOTION_REFUSED message, a forced move in the history, an A/B verdict, a rollback.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/registry/index.ts';
import { savePlantedModel, writePlantedCsv } from './planted.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const NAME = 'ppo-PLANT';
let models: string;

function tg4(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tg4.js'), 'models', '--registry', models, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  const base = mkdtempSync(join(tmpdir(), 'tg4-models-cli-'));
  const csv = writePlantedCsv(base);
  models = join(base, 'models');
  const reg = new ModelRegistry(models);
  savePlantedModel(join(models, NAME, 'v0001'), csv, '..2024-02-12', 'signal');
  savePlantedModel(join(models, NAME, 'v0002'), csv, '..2024-02-12', 'random');
  reg.register(`${NAME}/v0001`, { source: 'test' });
  reg.register(`${NAME}/v0002`, { source: 'test' });
});

describe('tg4 models', () => {
  it('eval, promote (refused, passed, forced), history, ab, rollback', () => {
    const good = tg4('eval', `${NAME}/v0001`);
    expect(good.status, good.err).toBe(0);
    expect(good.out).toMatch(/^gate PASSED for ppo-PLANT\/v0001/);
    const bad = tg4('eval', `${NAME}/v0002`);
    expect(bad.status).toBe(1);
    expect(bad.out).toMatch(/FAIL {2}PSR vs buy-and-hold/);

    const refused = tg4('promote', `${NAME}/v0002`, '--alias', 'champion', '--reason', 'try');
    expect(refused.status).toBe(2);
    expect(refused.err).toMatch(/\[PROMOTION_REFUSED\]: ppo-PLANT\/v0002 failed the gate/);
    expect(tg4('promote', `${NAME}/v0001`, '--alias', 'champion', '--reason', 'planted').status).toBe(0);
    const forced = tg4('promote', `${NAME}/v0002`, '--alias', 'champion', '--reason', 'override test', '--force');
    expect(forced.status, forced.err).toBe(0);
    expect(forced.out).toMatch(/v0001 -> v0002 \(FORCED past a failing gate\)/);
    const history = tg4('history', NAME);
    expect(history.out).toMatch(/v0001 -> v0002 {2}promote FORCED {2}gate FAILED \(gate\.json\) {2}"override test"/);

    const ab = tg4('ab', `${NAME}/v0001`, `${NAME}/v0002`, '--range', '2024-02-12..', '--samples', '300');
    expect(ab.status, ab.err).toBe(0);
    expect(ab.out).toMatch(/ppo-PLANT\/v0001 beats ppo-PLANT\/v0002/);
    expect(ab.out).toMatch(/report: .*\.registry\/ab\/.*-vs-.*\.json/);

    const back = tg4('rollback', NAME, 'champion', '--reason', 'forced one was random');
    expect(back.status, back.err).toBe(0);
    expect(new ModelRegistry(models).resolve(`${NAME}@champion`).version).toBe('v0001');
  }, 180_000);
});
