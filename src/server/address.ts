// Bind addresses: which transport, and whether the address is reachable only from this machine. Binding beyond
// loopback needs CURVE keys or an explicit --insecure (see docs/server.md, "Safety").
import { InvalidArgumentError } from '../core/errors.ts';

export interface BindAddress {
  transport: 'tcp' | 'ipc' | 'inproc' | 'unix';
  /** True when only processes on this machine can connect (loopback tcp, ipc, inproc, unix). */
  loopback: boolean;
}

export function parseBindAddress(address: string): BindAddress {
  const m = /^(tcp|ipc|inproc|unix):\/\/(.+)$/.exec(address);
  if (m === null) {
    throw new InvalidArgumentError(
      `bind address ${JSON.stringify(address)} is not tcp://HOST:PORT, ipc://PATH, unix://PATH or inproc://NAME (e.g. tcp://127.0.0.1:5555)`,
    );
  }
  const transport = m[1] as BindAddress['transport'];
  const rest = m[2]!;
  if (transport !== 'tcp') return { transport, loopback: true };
  const hp = /^(\[[^\]]+\]|[^:]+):(\d+|\*)$/.exec(rest);
  if (hp === null)
    throw new InvalidArgumentError(
      `tcp bind address ${JSON.stringify(address)} needs HOST:PORT (PORT a number, or * for any free port)`,
    );
  const host = hp[1]!.replace(/^\[|\]$/g, '').toLowerCase();
  return { transport, loopback: isLoopbackHost(host) };
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
