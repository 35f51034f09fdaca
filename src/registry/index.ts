// The model registry: sealed versions, aliases with an audit log (registry.ts, content.ts). See docs/registry.md.
export { ModelRegistry, registryRoot, type AliasMove, type MoveOptions, type ResolvedVersion } from './registry.ts';
export {
  sealVersion,
  verifyVersion,
  readSeal,
  canonicalJson,
  SEAL_FILE,
  type Seal,
  type SealedFile,
} from './content.ts';
export { RegistryError, PromotionRefusedError } from './errors.ts';
