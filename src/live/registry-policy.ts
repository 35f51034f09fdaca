// A live policy that follows a registry alias (`--policy name@alias`): it runs the version the alias points to, and
// when the alias moves (promote or rollback), the watcher (src/registry/alias-watcher.ts) verifies and loads the new
// version off the decision path; the swap itself is a pointer change at the start of the next decide(), so it falls
// between two decisions and no market message waits on it. A version that does not fit the run (observation size,
// actions, feature spec) is refused and the running one kept.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../core/errors.ts';
import { AliasWatcher } from '../registry/alias-watcher.ts';
import { REMOTE_FORMAT } from '../registry/remote.ts';
import type { ModelRegistry } from '../registry/registry.ts';
import { modelPolicy, type DecisionInput, type LivePolicy, type PolicyContext } from './policy.ts';
import { remotePolicy } from './remote-policy.ts';

/** A registered version's policy: its model folder through the forward pass, or the endpoint its manifest names. */
export function versionPolicy(
  dir: string,
  ctx: PolicyContext,
  name: string,
  manifest: Record<string, unknown>,
): LivePolicy {
  if (manifest.kind === 'remote') {
    if (manifest.format !== REMOTE_FORMAT || typeof manifest.address !== 'string')
      throw new InvalidArgumentError(`${dir}: a remote version needs format '${REMOTE_FORMAT}' and an address`);
    return remotePolicy(manifest.address, ctx, { name });
  }
  checkActionMapping(dir, ctx, manifest);
  return modelPolicy(dir, ctx, name);
}

/**
 * Discrete(3) is Discrete(3) whether its actions mean short/flat/long or flat/half/full: the model must run under the
 * action mapping it was trained with (its provenance, else its env kwargs), or it would trade other positions.
 */
function checkActionMapping(dir: string, ctx: PolicyContext, manifest: Record<string, unknown>): void {
  const prov = (
    manifest.provenance as { actionMapping?: { scheme: string; levels: number[] | null; exposure: number } } | undefined
  )?.actionMapping;
  const kw = (manifest.envKwargs ?? {}) as { actionScheme?: string; exposure?: number };
  const want = prov ?? { scheme: kw.actionScheme ?? 'discrete3', levels: null, exposure: kw.exposure ?? 1 };
  const live = ctx.scheme;
  const levelsDiffer =
    want.levels !== null &&
    (live.levels === null || want.levels.some((l, i) => Math.abs(l - live.levels![i]!) > 1e-12));
  if (want.scheme !== live.name || want.exposure !== live.exposure || levelsDiffer)
    throw new InvalidArgumentError(
      `${dir} was trained with actions ${want.scheme}${want.levels ? ` [${want.levels.join(', ')}]` : ''} × ${want.exposure}; this run maps them as ${live.name}${live.levels ? ` [${Array.from(live.levels).join(', ')}]` : ''} × ${live.exposure}: pass the model's actionScheme, levels and exposure in --kwargs`,
    );
}

export interface RegistryPolicyOptions {
  intervalMs?: number;
  /** Told of each swap and each refused version. */
  onEvent?: (level: 'info' | 'error', message: string) => void;
  /** Builds the policy of a version folder (default: versionPolicy: a model, or a remote endpoint). */
  load?: (dir: string, ctx: PolicyContext, name: string, manifest: Record<string, unknown>) => LivePolicy;
}

export interface RegistryPolicy extends LivePolicy {
  /** The version deciding now. */
  readonly version: string;
  /** Swaps done: the decision count at which each took effect. */
  readonly swaps: readonly { from: string; to: string; atDecision: number }[];
  readonly decisions: number;
  /** A version loaded and waiting for the next decision, if any. */
  readonly next: string | null;
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
    return (o.load ?? versionPolicy)(dir, ctx, ref, manifest);
  };
  const first = reg.verify(ref);
  let inner = load(first.dir);
  let version = first.version;
  let pending: { policy: LivePolicy; version: string } | null = null;
  let decisions = 0;
  const swaps: { from: string; to: string; atDecision: number }[] = [];
  const refused = (v: string, e: Error): void =>
    o.onEvent?.('error', `${ref}: ${v} was refused, ${version} keeps running: ${e.message}`);
  // A pinned version (name/vNNNN) is not watched; an alias is.
  const watcher = ref.includes('@')
    ? new AliasWatcher(reg, ref, {
        ...(o.intervalMs !== undefined ? { intervalMs: o.intervalMs } : {}),
        onChange: (next) => {
          const p = load(next.dir);
          const arm = (): void => {
            (pending as { policy: LivePolicy } | null)?.policy.close?.();
            pending = { policy: p, version: next.version };
            o.onEvent?.('info', `${ref} moved to ${next.version}: loaded and verified; it decides from the next bar`);
          };
          // A remote version answers its handshake first; until then the running version decides.
          if (p.ready) p.ready().then(arm, (e: Error) => refused(next.version, e));
          else arm();
        },
        onError: (e) => refused('the new version', e),
      }).start()
    : null;
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
    get next(): string | null {
      return (pending as { version: string } | null)?.version ?? null;
    },
    poll: () => watcher?.check() ?? false,
    ...(inner.ready ? { ready: () => inner.ready!() } : {}),
    decide(input: DecisionInput): number | Promise<number> {
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
      watcher?.stop();
      inner.close?.();
      (pending as { policy: LivePolicy } | null)?.policy.close?.();
    },
  };
}
