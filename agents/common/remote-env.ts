// `--remote tcp://…`: train against a `tg4 serve` env server through the TypeScript client (src/server/client.ts),
// adapted to the agents' vector-env interface (Float32Array observations/rewards, same-step autoreset).
import type { SpaceJSON, VectorResetResult, VectorStepResult } from '../../src/core/types.ts';
import { InvalidArgumentError, Tg4Error } from '../../src/core/errors.ts';
import type { VectorActions } from '../../src/core/vector/vector-env.ts';
import type { AgentVectorEnv } from './vec-env.ts';
import { observationSize } from './spaces.ts';

interface RemoteLike {
  numEnvs: number;
  singleObservationSpace: { toJSON(): SpaceJSON };
  singleActionSpace: { toJSON(): SpaceJSON };
  reset(args?: { seed?: number }): Promise<{ observations: unknown; infos: Record<string, unknown>[] }>;
  step(actions: ArrayLike<number>): Promise<{
    observations: unknown;
    rewards: ArrayLike<number>;
    terminated: Uint8Array;
    truncated: Uint8Array;
    infos: Record<string, unknown>[];
  }>;
  close(): Promise<void>;
}

class RemoteAgentEnv implements AgentVectorEnv {
  readonly numEnvs: number;
  readonly obsDim: number;
  readonly singleObservationSpace: { toJSON(): SpaceJSON };
  readonly singleActionSpace: { toJSON(): SpaceJSON };
  readonly autoresetMode = 'same-step' as const;
  private readonly obs: Float32Array;
  private readonly rewards: Float32Array;

  constructor(
    private readonly remote: RemoteLike,
    private readonly closeClient: () => void,
  ) {
    this.numEnvs = remote.numEnvs;
    this.singleObservationSpace = remote.singleObservationSpace;
    this.singleActionSpace = remote.singleActionSpace;
    this.obsDim = observationSize(remote.singleObservationSpace.toJSON());
    this.obs = new Float32Array(this.numEnvs * this.obsDim);
    this.rewards = new Float32Array(this.numEnvs);
  }

  private copyObs(x: unknown): Float32Array {
    if (!ArrayBuffer.isView(x) || (x as unknown as ArrayLike<number>).length !== this.obs.length) {
      throw new Tg4Error(
        'PROTOCOL_ERROR',
        `the server sent observations that are not ${this.numEnvs}×${this.obsDim} numbers`,
      );
    }
    this.obs.set(x as unknown as ArrayLike<number>);
    return this.obs;
  }

  async reset(args: { seed?: number | readonly number[] } = {}): Promise<VectorResetResult> {
    const seed = typeof args.seed === 'number' ? args.seed : undefined;
    const r = await this.remote.reset(seed === undefined ? {} : { seed });
    return { observations: this.copyObs(r.observations), infos: r.infos };
  }

  async step(actions: VectorActions): Promise<VectorStepResult> {
    const r = await this.remote.step(actions as ArrayLike<number>);
    this.rewards.set(r.rewards);
    return {
      observations: this.copyObs(r.observations),
      rewards: this.rewards,
      terminated: r.terminated,
      truncated: r.truncated,
      infos: r.infos,
    };
  }

  async close(): Promise<void> {
    try {
      await this.remote.close();
    } finally {
      this.closeClient();
    }
  }
}

export async function openRemoteVecEnv(
  address: string,
  envId: string,
  numEnvs: number,
  kwargs: Record<string, unknown>,
  seed: number,
): Promise<AgentVectorEnv> {
  if (!/^(tcp|ipc):\/\//.test(address))
    throw new InvalidArgumentError(`--remote must be an address like tcp://127.0.0.1:5555 (got '${address}')`);
  const { Tg4Client } = await import('../../src/server/client.ts');
  const client = await Tg4Client.connect(address);
  try {
    const venv = await client.makeVec(envId, { numEnvs, kwargs, seed, autoreset: 'same-step' });
    return new RemoteAgentEnv(venv as unknown as RemoteLike, () => client.close());
  } catch (err) {
    client.close();
    throw err;
  }
}
