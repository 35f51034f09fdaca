// A remote policy endpoint as a registry version: its manifest (format tg4-remote-policy/1, kind 'remote') names a
// ZeroMQ address that speaks tg4-policy/1 (`tg4 policy serve`) and the interface the live loop checks it against —
// feature-spec hash, observation size, action space, env kwargs and timeframe. The live loop asks it over ZeroMQ
// (src/live/registry-policy.ts, src/live/remote-policy.ts); aliases, the audit log and hot swap treat it like any
// other version. The gate cannot backtest an endpoint, so promoting one needs --force --reason (logged).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryError } from './errors.ts';
import type { ModelRegistry } from './registry.ts';

export const REMOTE_FORMAT = 'tg4-remote-policy/1';

export interface RemoteInterface {
  featureSpecHash: string;
  obsSize: number;
  actionSpace: unknown;
  envKwargs: Record<string, unknown>;
  timeframe: string;
}

export function registerRemote(
  reg: ModelRegistry,
  name: string,
  address: string,
  iface: RemoteInterface,
  o: { parent?: string | null } = {},
) {
  if (!/^(tcp|ipc):\/\/\S+$/.test(address) || address.length > 256)
    throw new RegistryError(
      `--remote ${address}: give a ZeroMQ address such as tcp://127.0.0.1:5557 or ipc:///tmp/p.sock`,
    );
  const tmp = mkdtempSync(join(tmpdir(), 'tg4-remote-'));
  try {
    const manifest = {
      format: REMOTE_FORMAT,
      kind: 'remote',
      address,
      envId: 'tg4/Trading-v0',
      envKwargs: iface.envKwargs,
      timeframe: iface.timeframe,
      featureSpecHash: iface.featureSpecHash,
      obsSize: iface.obsSize,
      observationSpace: { type: 'Box', shape: [iface.obsSize], dtype: 'float32' },
      actionSpace: iface.actionSpace,
      created: new Date().toISOString(),
    };
    writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return reg.importVersion(tmp, name, { source: 'remote', parent: o.parent ?? null });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
