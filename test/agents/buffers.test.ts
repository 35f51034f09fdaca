// Replay buffer behaviour and the DQN loop's bookkeeping on a real env.
import { describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { ReplayBuffer } from '../../agents/common/replay-buffer.ts';
import { RunningMeanStd, Normalizer } from '../../agents/common/running-stats.ts';
import { Rng } from '../../src/core/rng.ts';

describe('ReplayBuffer', () => {
  it('is a ring: keeps the last `capacity` transitions and samples only stored rows', () => {
    const buf = new ReplayBuffer(5, 2, 1);
    for (let k = 0; k < 8; k++) {
      buf.add(Float32Array.of(k, -k), Float32Array.of(k % 2), 0, Float32Array.of(k + 1, -k - 1), 0, k * 10, k === 7);
    }
    expect(buf.size).toBe(5);
    const s = buf.makeSample(200);
    buf.sample(new Rng(1), s);
    const seen = new Set<number>();
    for (let i = 0; i < s.size; i++) {
      const k = s.obs[i * 2]!;
      seen.add(k);
      expect(s.obs[i * 2 + 1]).toBe(-k);
      expect(s.nextObs[i * 2]).toBe(k + 1);
      expect(s.rewards[i]).toBe(k * 10);
      expect(s.actions[i]).toBe(k % 2);
      expect(s.dones[i]).toBe(k === 7 ? 1 : 0);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('reads obs and next obs from different rows (final observation of a finished sub-env)', () => {
    const buf = new ReplayBuffer(2, 1, 1);
    buf.add(Float32Array.of(1, 2, 3), Float32Array.of(0, 1, 0), 1, Float32Array.of(9), 0, 1, false);
    const s = buf.sample(new Rng(0), buf.makeSample(1));
    expect([s.obs[0], s.nextObs[0], s.actions[0], s.dones[0]]).toEqual([2, 9, 1, 0]);
  });

  it('same seed, same samples', () => {
    const buf = new ReplayBuffer(50, 1, 1);
    for (let k = 0; k < 50; k++) buf.add(Float32Array.of(k), Float32Array.of(0), 0, Float32Array.of(k), 0, 0, false);
    const a = buf.sample(new Rng(4), buf.makeSample(20)).obs.slice();
    const b = buf.sample(new Rng(4), buf.makeSample(20)).obs.slice();
    expect([...a]).toEqual([...b]);
  });
});

describe('running normalisation', () => {
  it('running mean/var over batches equals the statistics of all the data', () => {
    const rng = new Rng(2);
    const data = Float64Array.from({ length: 300 }, () => rng.normal() * 3 + 1);
    const r = new RunningMeanStd(3, 0);
    for (let b = 0; b < 10; b++) r.update(data.subarray(b * 30, b * 30 + 30), 10);
    for (let k = 0; k < 3; k++) {
      let m = 0,
        v = 0;
      for (let i = 0; i < 100; i++) m += data[i * 3 + k]! / 100;
      for (let i = 0; i < 100; i++) v += (data[i * 3 + k]! - m) ** 2 / 100;
      expect(r.mean[k]).toBeCloseTo(m, 9);
      expect(r.var[k]).toBeCloseTo(v, 9);
    }
  });

  it('round-trips through JSON and is frozen after loading', () => {
    const n = new Normalizer({ obsSize: 2, normObs: true, normReward: true, gamma: 0.99 });
    const out = new Float32Array(4);
    n.observe(Float32Array.of(1, 10, 3, 30), 2, out);
    const back = Normalizer.fromJSON(JSON.parse(JSON.stringify(n.toJSON())));
    expect(back.training).toBe(false);
    const a = n.normalizeObs(Float32Array.of(2, 20), 1, new Float32Array(2));
    const b = back.normalizeObs(Float32Array.of(2, 20), 1, new Float32Array(2));
    expect([...b]).toEqual([...a]);
    expect(a[0]).toBeCloseTo(0, 2);
  });
});
