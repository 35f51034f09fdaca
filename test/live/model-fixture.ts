// A small MLP policy saved in the model format (agents/common/model-io.ts) with seeded random weights: a q-network
// whose argmax is the action. Enough to run a real InferencePolicy through the live loop and the backtest.
import { Box, Discrete } from '../../src/core/spaces/index.ts';
import { saveModel, type ModelManifest, type NamedWeight } from '../../agents/common/model-io.ts';

export function saveRandomMlp(
  dir: string,
  o: {
    obsSize: number;
    nActions: number;
    specHash: string;
    envKwargs: Record<string, unknown>;
    hidden?: number[];
    seed?: number;
  },
): void {
  let s = o.seed ?? 1;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  const sizes = [o.obsSize, ...(o.hidden ?? [64, 64]), o.nActions];
  const weights: NamedWeight[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const name = i + 2 === sizes.length ? 'q/out' : `q/h${i}`;
    const [a, b] = [sizes[i]!, sizes[i + 1]!];
    weights.push({
      name: `${name}/kernel`,
      shape: [a, b],
      data: Float32Array.from({ length: a * b }, () => rnd() * (2 / Math.sqrt(a))),
    });
    weights.push({ name: `${name}/bias`, shape: [b], data: Float32Array.from({ length: b }, () => rnd() * 0.1) });
  }
  const manifest = {
    algo: 'dqn',
    envId: 'tg4/Trading-v0',
    observationSpace: new Box<Float32Array>(-Infinity, Infinity, [o.obsSize], 'float32').toJSON(),
    actionSpace: new Discrete(o.nActions).toJSON(),
    obsSize: o.obsSize,
    featureSpecHash: o.specHash,
    normalization: null,
    network: { kind: 'q-network', hidden: o.hidden ?? [64, 64], activation: 'relu' },
    hyperparameters: {},
    metrics: {},
    created: '2026-01-01T00:00:00.000Z',
    seed: o.seed ?? 1,
    backend: 'test',
    envKwargs: o.envKwargs,
  } as Omit<ModelManifest, 'weights' | 'format'>;
  saveModel(dir, manifest, weights);
}
