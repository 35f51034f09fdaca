// The model registry: sealed versions, aliases with an audit log (registry.ts, content.ts), the promotion gate
// (gate.ts, gate-config.ts, compat.ts, promote.ts), A/B (ab.ts), alias watching for hot swap (alias-watcher.ts), remote
// endpoints (remote.ts) and training provenance (provenance.ts). See docs/registry.md.
export { ModelRegistry, registryRoot, type AliasMove, type MoveOptions, type ResolvedVersion } from './registry.ts';
export {
  sealVersion,
  verifyVersion,
  readSeal,
  addFilesToVersion,
  canonicalJson,
  SEAL_FILE,
  type Seal,
  type SealedFile,
} from './content.ts';
export { RegistryError, PromotionRefusedError } from './errors.ts';
export { DEFAULT_GATE, loadGateConfig, parseGateConfig, type GateConfig } from './gate-config.ts';
export { runGate, gateText, storedGateReport, type GateReport, type GateRun } from './gate.ts';
export { promote, type PromoteOptions, type PromoteResult } from './promote.ts';
export { runAb, abText, type AbReport } from './ab.ts';
export { AliasWatcher, type AliasWatcherOptions } from './alias-watcher.ts';
export { registerRemote, REMOTE_FORMAT, type RemoteInterface } from './remote.ts';
