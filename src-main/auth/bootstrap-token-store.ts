// The API server's own access to bootstrap token Secrets, straight from the store (the
// authenticator runs before any handler): read one, and delete one exactly once. A join uses its
// token up: the Secret is deleted at the revision read, so of two joins racing with one token
// only one gets a credential.
import type { Secret } from 'kubernetes-types/core/v1';
import { decodeObject, getObject, objectKey } from '../api/object-store.ts';
import type { ResourceDefinition } from '../api/resources/types.ts';
import { ConflictError, KeyNotFoundError, type Store } from '../store/store.ts';
import { BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecretName } from './bootstrap-token-secret.ts';

export class BootstrapTokenStore {
  constructor(
    private readonly store: Store,
    /** The Secret resource's definition (where Secrets are stored). */
    private readonly secrets: ResourceDefinition,
  ) {}

  async read(id: string): Promise<Secret | undefined> {
    return (await getObject(this.store, this.secrets, BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecretName(id)))?.obj as Secret | undefined;
  }

  /** Deletes the token's Secret; false when it is already gone (used by another join). */
  async consume(id: string): Promise<boolean> {
    const key = objectKey(this.secrets, BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecretName(id));
    const kv = await this.store.get(key);
    if (!kv) return false;
    // A Secret with finalizers is not ours to remove at once; such a token is not used up here.
    if ((decodeObject(kv).metadata?.finalizers?.length ?? 0) > 0) return false;
    try {
      await this.store.delete(key, kv.modRevision);
      return true;
    } catch (e) {
      if (e instanceof KeyNotFoundError || e instanceof ConflictError) return false;
      throw e;
    }
  }
}
