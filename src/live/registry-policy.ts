// A live policy that follows a registry alias (`--policy name@alias`): it runs the version the alias points to, and
// when the alias moves (promote or rollback), the watcher (src/registry/alias-watcher.ts) verifies and loads the new
// version off the decision path; the swap itself is a pointer change at the start of the next decide(), so it falls
// between two decisions and no market message waits on it. A version that does not fit the run (observation size,
// actions, feature spec) is refused and the running one kept.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AliasWatcher } from '../registry/alias-watcher.ts';
import type { ModelRegistry } from '../registry/registry.ts';
import { modelPolicy, type DecisionInput, type LivePolicy, type PolicyContext } from './policy.ts';

export interface RegistryPolicyOptions {
  intervalMs?: number;
  /** Told of each swap and each refused version. */
  onEvent?: (level: 'info' | 'error', message: string) => void;
  /** Builds the policy of a version folder (default: modelPolicy); a remote version plugs in here. */
  load?: (dir: string, ctx: PolicyContext, name: string, manifest: Record<string, unknown>) => LivePolicy;
}

export interface RegistryPolicy extends LivePolicy {
  /** The version deciding now. */
  readonly version: string;
  /** Swaps done: the decision count at which each took effect. */
  readonly swaps: readonly { from: string; to: string; atDecision: number }[];
  readonly decisions: number;
  /** Polls the alias now (the timer does it every intervalMs). */
  poll(): boolean;
}

export function registryPolicy(
  reg: ModelRegistry,
  ref: string,
  ctx: PolicyContext,
  o: RegistryPolicyOptions = {},
): RegistryPolicy {
  const load = (dir: string): LivePolicy => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    return o.load ? o.load(dir, ctx, ref, manifest) : modelPolicy(dir, ctx, ref);
  };
  const first = reg.verify(ref);
  let inner = load(first.dir);
  let version = first.version;
  let pending: { policy: LivePolicy; version: string } | null = null;
  let decisions = 0;
  const swaps: { from: string; to: string; atDecision: number }[] = [];
  const watcher = new AliasWatcher(reg, ref, {
    ...(o.intervalMs !== undefined ? { intervalMs: o.intervalMs } : {}),
    onChange: (next) => {
      pending = { policy: load(next.dir), version: next.version };
      o.onEvent?.('info', `${ref} moved to ${next.version}: loaded and verified; it decides from the next bar`);
    },
    onError: (e) => o.onEvent?.('error', `${ref}: the new version was refused, ${version} keeps running: ${e.message}`),
  }).start();
  return {
    name: ref,
    kind: 'model',
    get source(): string {
      return `${ref} (${version})`;
    },
    featureSpecHash: ctx.specHash,
    get version(): string {
      return version;
    },
    get swaps() {
      return swaps;
    },
    get decisions(): number {
      return decisions;
    },
    poll: () => watcher.check(),
    decide(input: DecisionInput): number {
      if (pending !== null) {
        const old = inner;
        swaps.push({ from: version, to: pending.version, atDecision: decisions });
        inner = pending.policy;
        version = pending.version;
        pending = null;
        old.close?.();
      }
      decisions++;
      return inner.decide(input);
    },
    close(): void {
      watcher.stop();
      inner.close?.();
      (pending as { policy: LivePolicy } | null)?.policy.close?.();
    },
  };
}
