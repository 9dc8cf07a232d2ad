// The API server's service-account token parts on one key: the issuer TokenRequest signs with
// and the authenticator that checks what it signed, reading the bound objects from the store.
import type { Store } from '../../store/store.ts';
import type { ResourceRegistry } from '../../api/registry.ts';
import { getSharedObject } from '../../api/object-store.ts';
import { API_AUDIENCES } from './claims.ts';
import { ensureServiceAccountKey } from './signing-key.ts';
import { ServiceAccountTokenAuthenticator } from './token-authenticator.ts';
import { ServiceAccountTokenIssuer } from './token-issuer.ts';

export function serviceAccountTokens(pkiDir: string, store: Store, registry: ResourceRegistry, now: () => number) {
  const key = ensureServiceAccountKey(pkiDir);
  const get = async (resource: string, namespace: string, name: string) => {
    const def = registry.lookup('', 'v1', resource)!.definition;
    return (await getSharedObject(store, def, namespace, name))?.obj;
  };
  return {
    issuer: new ServiceAccountTokenIssuer(key, now),
    authenticator: new ServiceAccountTokenAuthenticator({ publicKey: key.publicKey, audiences: API_AUDIENCES, get, now }),
  };
}
