// A model trained acting every k bars (the Trading-v0 preset decides once a day) is refused by the live loop, which
// decides on every closed bar: run there it would trade far more often than it was trained and tested to. Fail closed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveTradingSetup, policyContext } from '../../src/live/live-config.ts';
import { resolvePolicy } from '../../src/live/policy.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the live loop and a decision interval', () => {
  it('refuses a model trained with decisionInterval 24 and runs the same model trained acting every bar', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg4-live-k-'));
    const train = (out: string, kwargs: Record<string, unknown>) => {
      const r = spawnSync(
        process.execPath,
        [
          join(ROOT, 'bin', 'tg4.js'),
          'train',
          '--env',
          'tg4/Trading-v0',
          '--steps',
          '512',
          '--eval-freq',
          '0',
          '--no-progress',
          '--out',
          out,
          '--kwargs',
          JSON.stringify(kwargs),
        ],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TG4_REGISTRY: join(dir, 'models') }, timeout: 200_000 },
      );
      expect(r.status, r.stderr).toBe(0);
    };
    train(join(dir, 'daily'), { episodeLength: 50 });
    train(join(dir, 'hourly'), { episodeLength: 50, decisionInterval: 1 });
    // The live run takes the models' training conditions: the preset's action mapping and its one-row window.
    const ctx = policyContext(
      liveTradingSetup({ actionScheme: 'discrete-sized', levels: [0, 1], windowSize: 1 }, '1h'),
    );
    expect(() => resolvePolicy(join(dir, 'daily'), ctx)).toThrow(
      /trained acting every 24 bars \(decisionInterval 24\); the live loop .* decide on every closed bar/,
    );
    expect(resolvePolicy(join(dir, 'hourly'), ctx).kind).toBe('model');
  }, 300_000);
});
