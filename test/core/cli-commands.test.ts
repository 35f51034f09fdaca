// `tg4 envs` and `tg4 rollout`: in-process for the logic, one real process each for wiring and error output.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { rollout } from '../../src/cli/commands/rollout.ts';
import { describeEnvs } from '../../src/cli/commands/envs.ts';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../bin/tg4.js', import.meta.url));

describe('tg4 rollout', () => {
  it('an unknown env id is UNKNOWN_ENV', () => {
    expect(() => rollout({ env: 'NoSuchEnv-v0', episodes: 1, seed: 0 })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_ENV' }),
    );
  });

  it('same seed → the same returns; another seed → different; returns are episode lengths for CartPole', () => {
    const a = rollout({ env: 'CartPole-v1', episodes: 5, seed: 3 });
    expect(rollout({ env: 'CartPole-v1', episodes: 5, seed: 3 })).toEqual(a);
    expect(rollout({ env: 'CartPole-v1', episodes: 5, seed: 4 }).map((e) => e.return)).not.toEqual(
      a.map((e) => e.return),
    );
    for (const e of a) {
      expect(e.return).toBe(e.length);
      expect(e.terminated || e.truncated).toBe(true);
    }
  });

  it('renders ansi frames (one per reset and step) and honours maxSteps', () => {
    const frames: string[] = [];
    const [ep] = rollout({
      env: 'CartPole-v1',
      episodes: 1,
      seed: 0,
      render: 'ansi',
      maxSteps: 4,
      onFrame: (f) => frames.push(f),
    });
    expect(ep!.length).toBeLessThanOrEqual(4);
    expect(frames).toHaveLength(ep!.length + 1);
    expect(frames[0]).toMatch(/^\[-+C-+\]/);
  });

  it('unknown env from the real command: a typed error listing the ids, exit code 2', async () => {
    // One real process (tsx start-up is seconds on a loaded box); the rest of the command is tested in-process.
    const bad = await run(process.execPath, [bin, 'rollout', '--env', 'NoSuchEnv-v0']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr).toMatch(/tg4: error \[UNKNOWN_ENV\].*Registered ids: .*CartPole-v1/);
  });
});

describe('tg4 envs', () => {
  it('lists CartPole-v1 with its spaces as JSON descriptions', () => {
    const [cp] = describeEnvs(['CartPole-v1']) as [ReturnType<typeof describeEnvs>[number]];
    expect(cp.id).toBe('CartPole-v1');
    expect(cp.actionSpace).toBe('Discrete(2)');
    expect(cp.actionSpaceJSON).toEqual({ type: 'Discrete', n: 2, start: 0 });
    expect(cp.observationSpaceJSON).toMatchObject({ type: 'Box', shape: [4], dtype: 'float32' });
    expect(cp.maxEpisodeSteps).toBe(500);
    expect(cp.rewardThreshold).toBe(475);
    expect(cp.vectorized).toBe(true);
  });
});
