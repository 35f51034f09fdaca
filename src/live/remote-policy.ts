// A policy that runs elsewhere: `tg4 policy serve` (or anything speaking tg4-policy/1) asked over ZeroMQ with the
// observation of each decision. Checked at start (`ready`): the remote policy must read the same observation size and
// feature spec hash as the live loop computes. A late or failed answer is no decision for that bar (the lane holds the
// position and logs it); the REQ socket is replaced after a lost answer (a REQ socket cannot send again before it).
import * as zmq from 'zeromq';
import { InvalidArgumentError } from '../core/errors.ts';
import { decodeMessage, encodeMessage } from '../server/protocol/codec.ts';
import { LiveError } from './errors.ts';
import type { DecisionInput, LivePolicy, PolicyContext } from './policy.ts';

export function isRemoteAddress(spec: string): boolean {
  return /^(tcp|ipc):\/\//.test(spec);
}

export function remotePolicy(
  address: string,
  ctx: PolicyContext,
  opts: { timeoutMs?: number; name?: string } = {},
): LivePolicy {
  const timeout = opts.timeoutMs ?? 2000;
  let sock: zmq.Request | null = null;
  let remoteName = address;
  const open = (): zmq.Request => {
    if (sock === null) {
      sock = new zmq.Request({ linger: 0, receiveTimeout: timeout, sendTimeout: timeout });
      sock.connect(address);
    }
    return sock;
  };
  const ask = async (msg: unknown): Promise<Record<string, unknown>> => {
    const s = open();
    const bytes = encodeMessage(msg); // copied now: the caller's buffers are reused after decide returns
    try {
      await s.send(bytes);
      const [r] = await s.receive();
      return decodeMessage(r!) as Record<string, unknown>;
    } catch (e) {
      s.close();
      sock = null;
      throw new LiveError('timeout', `remote policy ${address}: ${(e as Error).message}`);
    }
  };
  const policy: LivePolicy & { ready(): Promise<void> } = {
    name: opts.name ?? `remote-${address.replace(/[^A-Za-z0-9]+/g, '_')}`,
    kind: 'remote',
    source: address,
    featureSpecHash: ctx.specHash,
    async ready(): Promise<void> {
      const h = await ask({ op: 'hello' });
      if (h.ok !== true || h.protocol !== 'tg4-policy/1')
        throw new LiveError('bad_message', `remote policy ${address} does not speak tg4-policy/1`);
      if (h.obs_size !== ctx.obsSize || h.spec_hash !== ctx.specHash)
        throw new InvalidArgumentError(
          `remote policy ${address} (${String(h.policy)}) takes obs ${String(h.obs_size)} with spec ${String(h.spec_hash).slice(0, 12)}; the live loop computes obs ${ctx.obsSize} with spec ${ctx.specHash.slice(0, 12)}`,
        );
      remoteName = String(h.policy);
    },
    decide(input: DecisionInput): Promise<number> {
      const obs = new Uint8Array(input.obs.buffer, input.obs.byteOffset, input.obs.byteLength);
      const msg = {
        op: 'act',
        obs: Uint8Array.from(obs),
        ...(input.mask !== null ? { mask: Array.from(input.mask) } : {}),
      };
      return ask(msg).then((r) => {
        if (r.ok !== true || typeof r.action !== 'number')
          throw new LiveError(
            'exchange_error',
            `remote policy ${remoteName}: ${String(r.error ?? 'no action in the answer')}`,
          );
        return r.action;
      });
    },
    close(): void {
      sock?.close();
      sock = null;
    },
  };
  return policy;
}
