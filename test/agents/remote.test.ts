// --remote: training against a `tg4 serve` env server gives exactly the run that training in-process gives (same seed,
// float32 observations travel bit for bit, truncations bootstrapped from the remote final_observation).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../envs/index.ts';
import { Tg4Server } from '../../src/server/server.ts';
import { runTraining } from '../../agents/common/train-run.ts';
import type { PpoAgent } from '../../agents/ppo/ppo.ts';

let server: Tg4Server;
const address = `ipc:///tmp/tg4-agents-remote-${process.pid}.sock`;

beforeAll(async () => {
  server = await Tg4Server.start({ bind: address });
});
afterAll(async () => {
  await server?.stop();
});

describe('tg4 train --remote', () => {
  it('PPO over the wire equals PPO in-process, weight for weight', async () => {
    const common = {
      envId: 'CartPole-v1',
      agent: 'ppo' as const,
      seed: 4,
      steps: 512,
      evalFreq: 0,
      evalEpisodes: 2,
      dryRun: true,
    };
    const local = await runTraining(common);
    const remote = await runTraining({ ...common, remote: address });
    const wl = (local.train.agent as PpoAgent).policy.namedWeights();
    const wr = (remote.train.agent as PpoAgent).policy.namedWeights();
    expect(wr.map((w) => w.name)).toEqual(wl.map((w) => w.name));
    for (let k = 0; k < wl.length; k++) expect(Array.from(wr[k]!.data)).toEqual(Array.from(wl[k]!.data));
    expect(remote.finalEval.returns).toEqual(local.finalEval.returns);
  }, 60_000);

  it('a bad address is refused with the expected form', async () => {
    await expect(
      runTraining({ envId: 'CartPole-v1', agent: 'ppo', seed: 0, steps: 64, dryRun: true, remote: 'localhost:5555' }),
    ).rejects.toThrow(/tcp:\/\/127.0.0.1:5555/);
  });
});
