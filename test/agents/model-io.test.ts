// Save/load round trip (the typed-array policy acts as the trained agent did), and refusal of corrupt models with
// MODEL_CORRUPT and mismatched ones with MODEL_MISMATCH.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../envs/index.ts';
import { selectBackend } from '../../agents/common/backend.ts';
import { runTraining } from '../../agents/common/train-run.ts';
import {
  checkExpectation,
  loadModel,
  manifestIntegrity,
  nextVersionDir,
  sha256,
  verifyModelFolder,
  type ModelManifest,
} from '../../agents/common/model-io.ts';
import { InferencePolicy } from '../../agents/infer/policy.ts';
import { evalModel } from '../../src/cli/commands/eval.ts';
import { Rng } from '../../src/core/rng.ts';
import type { PpoAgent } from '../../agents/ppo/ppo.ts';
import type { TrainRunResult } from '../../agents/common/train-run.ts';

let run: TrainRunResult;
let dir: string;

beforeAll(async () => {
  await selectBackend('wasm');
  dir = join(mkdtempSync(join(tmpdir(), 'tg4-agents-')), 'model');
  // A short PPO run with observation normalisation on, so that the saved statistics matter.
  run = await runTraining({
    envId: 'CartPole-v1',
    agent: 'ppo',
    seed: 3,
    steps: 1024,
    out: dir,
    evalFreq: 0,
    evalEpisodes: 2,
    overrides: { normalizeObs: true },
  });
}, 120_000);

describe('model save/load', () => {
  it('writes manifest.json, weights.bin, metrics.jsonl and learning-curve.svg', () => {
    for (const f of ['manifest.json', 'weights.bin', 'metrics.jsonl', 'learning-curve.svg'])
      expect(existsSync(join(dir, f))).toBe(true);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ algo: 'ppo', envId: 'CartPole-v1', obsSize: 4, featureSpecHash: null });
    expect(m.normalization.obs.mean).toHaveLength(4);
    expect(m.hyperparameters).toMatchObject({ nSteps: 32, gamma: 0.98, preset: 'CartPole-v1' });
    expect(readFileSync(join(dir, 'learning-curve.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').length).toBe(4);
  });

  it('the loaded typed-array policy chooses the same actions as the trained agent', () => {
    const agent = run.train.agent as PpoAgent;
    const policy = InferencePolicy.load(dir, { obsSize: 4 });
    const rng = new Rng(9);
    const n = 64;
    const obs = Float32Array.from({ length: n * 4 }, () => rng.normal());
    const a1 = new Float32Array(n),
      a2 = new Float32Array(n);
    agent.act(obs, n, a1);
    policy.act(obs, n, a2);
    expect([...a2]).toEqual([...a1]);
  });

  it('decide under a mask picks the best allowed action, and refuses a wrong-sized or all-false mask', () => {
    const policy = InferencePolicy.load(dir, { obsSize: 4 });
    expect(policy.usesActionMasks).toBe(false);
    const rng = new Rng(11);
    for (let i = 0; i < 50; i++) {
      const obs = Float32Array.from({ length: 4 }, () => rng.normal());
      const free = policy.decide(obs) as number;
      expect(policy.decide(obs, [1, 1])).toBe(free);
      expect(policy.decide(obs, [free === 0 ? 0 : 1, free === 0 ? 1 : 0])).toBe(1 - free);
      expect(policy.decide(obs, Uint8Array.of(free === 0 ? 1 : 0, free === 1 ? 1 : 0))).toBe(free);
    }
    const obs = new Float32Array(4);
    expect(() => policy.decide(obs, [1, 1, 1])).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/3 entries but the model has 2/),
      }),
    );
    expect(() => policy.decide(obs, [0, 0])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/every action is masked/) }),
    );
  });

  it('tg4 eval runs it deterministically (same seed, same returns)', async () => {
    const r1 = await evalModel({ model: dir, episodes: 3, seed: 5 });
    const r2 = await evalModel({ model: dir, episodes: 3, seed: 5 });
    expect(r1.returns).toHaveLength(3);
    expect(r1.returns).toEqual(r2.returns);
    expect(Number.isFinite(r1.mean)).toBe(true);
  });

  it('refuses a model with a different observation size, action space or feature-spec hash', () => {
    expect(() => loadModel(dir, { obsSize: 5 })).toThrow(
      expect.objectContaining({ code: 'MODEL_MISMATCH', message: expect.stringMatching(/size 4.*gives 5/) }),
    );
    expect(() => loadModel(dir, { actionSpace: { type: 'Discrete', n: 3, start: 0 } })).toThrow(
      expect.objectContaining({ code: 'MODEL_MISMATCH' }),
    );
    expect(() => loadModel(dir, { featureSpecHash: 'abc123' })).toThrow(
      expect.objectContaining({ code: 'MODEL_MISMATCH', message: expect.stringMatching(/spec hash/) }),
    );
    // A model trained with a preset's window names the window to run it with.
    const m = loadModel(dir).manifest;
    const windowed = { ...m, obsSize: 35, envKwargs: { windowSize: 1 } } as typeof m;
    expect(() => checkExpectation(windowed, { obsSize: 996 }, 'm')).toThrow(
      expect.objectContaining({
        code: 'MODEL_MISMATCH',
        message: expect.stringMatching(/windowSize 1.*"windowSize":1/),
      }),
    );
  });

  it('refuses corrupt weights, a corrupt manifest and a missing model', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'tg4-bad-')), 'm');
    const copy = (to: string) => {
      writeFileSync(join(to, 'manifest.json'), readFileSync(join(dir, 'manifest.json')));
      writeFileSync(join(to, 'weights.bin'), readFileSync(join(dir, 'weights.bin')));
    };
    expect(() => loadModel(bad)).toThrow(
      expect.objectContaining({ code: 'MODEL_MISMATCH', message: expect.stringMatching(/manifest.json is missing/) }),
    );
    // One flipped byte in the weights.
    mkdirSync(bad, { recursive: true });
    copy(bad);
    const w = readFileSync(join(bad, 'weights.bin'));
    w[17] = w[17]! ^ 0xff;
    writeFileSync(join(bad, 'weights.bin'), w);
    expect(() => InferencePolicy.load(bad)).toThrow(
      expect.objectContaining({ code: 'MODEL_CORRUPT', message: expect.stringMatching(/SHA-256/) }),
    );
    // Truncated manifest.
    copy(bad);
    writeFileSync(join(bad, 'manifest.json'), readFileSync(join(dir, 'manifest.json'), 'utf8').slice(0, 100));
    expect(() => loadModel(bad)).toThrow(
      expect.objectContaining({ code: 'MODEL_CORRUPT', message: expect.stringMatching(/not valid JSON/) }),
    );
  });

  it('numbers versions in the registry layout', () => {
    const root = mkdtempSync(join(tmpdir(), 'tg4-reg-'));
    expect(nextVersionDir(root, 'ppo', 'tg4/Trading-v0')).toBe(join(root, 'ppo-tg4_Trading-v0', 'v0001'));
  });
});

describe('manifest validation (issue 20, item 13): an edited or damaged model never runs', () => {
  /** A copy of the trained model with `edit` applied; `rehash` recomputes every hash (an edit that covers its tracks). */
  function tampered(edit: (m: ModelManifest, w: Buffer) => void, rehash: 'all' | 'weights' | 'none'): string {
    const to = join(mkdtempSync(join(tmpdir(), 'tg4-tamper-')), 'm');
    mkdirSync(to, { recursive: true });
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
    const w = readFileSync(join(dir, 'weights.bin'));
    edit(m, w);
    if (rehash !== 'none') {
      m.weights.sha256 = sha256(w);
      if (rehash === 'all') {
        let off = 0;
        for (const s of m.weights.specs) {
          const n = 4 * s.shape.reduce((a, b) => a * b, 1);
          s.sha256 = sha256(w.subarray(off, off + n));
          off += n;
        }
      }
      m.integrity = manifestIntegrity(m);
    }
    writeFileSync(join(to, 'manifest.json'), JSON.stringify(m));
    writeFileSync(join(to, 'weights.bin'), w);
    return to;
  }
  const corrupt = (folder: string, why: RegExp): void => {
    let err: unknown;
    try {
      InferencePolicy.load(folder);
    } catch (e) {
      err = e;
    }
    expect(err, 'the tampered model loaded').toBeDefined();
    expect(err).not.toBeInstanceOf(RangeError);
    expect(err).toMatchObject({ code: 'MODEL_CORRUPT', message: expect.stringMatching(why) });
  };
  const offsetOf = (m: ModelManifest, name: string): [number, number] => {
    let off = 0;
    for (const s of m.weights.specs) {
      const n = 4 * s.shape.reduce((a, b) => a * b, 1);
      if (s.name === name) return [off, n];
      off += n;
    }
    throw new Error(name);
  };
  const sameShapePair = (m: ModelManifest): [number, number] => {
    const specs = m.weights.specs;
    for (let i = 0; i < specs.length; i++)
      for (let j = i + 1; j < specs.length; j++)
        if (JSON.stringify(specs[i]!.shape) === JSON.stringify(specs[j]!.shape)) return [i, j];
    throw new Error('no two tensors of the same shape');
  };

  it('the untouched model verifies', () => {
    expect(verifyModelFolder(dir).weights.length).toBeGreaterThan(2);
  });

  it('same-shape tensors swapped: in the manifest (edited or rehashed) or in weights.bin (rehashed)', () => {
    corrupt(
      tampered((m) => {
        const [i, j] = sameShapePair(m);
        const a = m.weights.specs[i]!.name;
        m.weights.specs[i]!.name = m.weights.specs[j]!.name;
        m.weights.specs[j]!.name = a;
      }, 'none'),
      /integrity hash/,
    );
    corrupt(
      tampered((m) => {
        const [i, j] = sameShapePair(m);
        const specs = m.weights.specs;
        [specs[i], specs[j]] = [specs[j]!, specs[i]!];
      }, 'weights'),
      /integrity hash|tensor .* SHA-256/,
    );
    corrupt(
      tampered((m, w) => {
        const [i, j] = sameShapePair(m);
        const [a, n] = offsetOf(m, m.weights.specs[i]!.name);
        const [b] = offsetOf(m, m.weights.specs[j]!.name);
        const tmp = Buffer.from(w.subarray(a, a + n));
        w.copy(w, a, b, b + n);
        tmp.copy(w, b);
        m.integrity = undefined;
      }, 'weights'),
      /tensor .* do not match its recorded SHA-256/,
    );
  });

  it('another activation: an edit is caught by the integrity hash, an unknown one by name', () => {
    corrupt(
      tampered((m) => {
        (m.network as { activation: string }).activation = 'relu';
      }, 'none'),
      /integrity hash/,
    );
    corrupt(
      tampered((m) => {
        (m.network as { activation: string }).activation = 'gelu';
      }, 'all'),
      /activation "gelu"/,
    );
  });

  it('NaN or Inf weights with every hash recomputed', () => {
    for (const x of [Number.NaN, Number.POSITIVE_INFINITY]) {
      corrupt(
        tampered((_m, w) => {
          w.writeFloatLE(x, 8);
        }, 'all'),
        /NaN\/Inf weights/,
      );
    }
  });

  it('normalisation statistics one entry short, a negative variance, clipObs 0: MODEL_CORRUPT, never a RangeError', () => {
    const norm = (m: ModelManifest) =>
      m.normalization as unknown as { obs: { mean: number[]; var: number[] } } & {
        clipObs: number;
      };
    corrupt(
      tampered((m) => void norm(m).obs.mean.pop(), 'all'),
      /normalization.obs.mean must be 4/,
    );
    corrupt(
      tampered((m) => void norm(m).obs.var.pop(), 'all'),
      /normalization.obs.var/,
    );
    corrupt(
      tampered((m) => {
        norm(m).obs.var[1] = -0.5;
      }, 'all'),
      /a variance/,
    );
    corrupt(
      tampered((m) => {
        norm(m).clipObs = 0;
      }, 'all'),
      /clipObs is 0/,
    );
  });

  it('weights.file pointing outside the folder is refused without reading it', () => {
    const folder = tampered((m) => {
      (m.weights as { file: string }).file = '../x/weights.bin';
    }, 'all');
    mkdirSync(join(folder, '..', 'x'), { recursive: true });
    writeFileSync(join(folder, '..', 'x', 'weights.bin'), readFileSync(join(dir, 'weights.bin')));
    corrupt(folder, /weights.file is "..\/x\/weights.bin"/);
  });

  it('a model saved before integrity hashes were recorded still loads when everything else checks out', () => {
    const folder = tampered((m) => {
      m.integrity = undefined;
      for (const s of m.weights.specs) s.sha256 = undefined;
    }, 'none');
    expect(InferencePolicy.load(folder).obsSize).toBe(4);
  });
});
