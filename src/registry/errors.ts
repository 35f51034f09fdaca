// The registry's errors: REGISTRY_ERROR for a missing, corrupt or altered version, an unknown alias or a busy lock;
// PROMOTION_REFUSED when a promotion is refused (failing gate without --force, mismatched config).
import { Tg4Error } from '../core/errors.ts';

export class RegistryError extends Tg4Error {
  constructor(message: string) {
    super('REGISTRY_ERROR', message);
  }
}

export class PromotionRefusedError extends Tg4Error {
  constructor(message: string) {
    super('PROMOTION_REFUSED', message);
  }
}
