// What turns an object's JSON into the value the store keeps, and back: upstream's storage value
// transformer. Each encrypting provider marks what it wrote with a prefix naming it and its key
// (`k8s:enc:aesgcm:v1:key1:`), so a reader knows which key to use and a rotation can leave old
// values readable until they are rewritten.

export interface Transformer {
  /** The stored form of value, for the store key it is written under (bound to it when authenticated). */
  toStorage(value: string, key: string): string;
  /**
   * The value back. stale: it was not written by the provider that writes now, so rewriting it
   * changes what is on disk (what a key rotation does).
   */
  fromStorage(stored: string, key: string): { value: string; stale: boolean };
}

/** One provider with one key: it reads what starts with its prefix. */
export interface PrefixTransformer {
  /** e.g. `k8s:enc:aesgcm:v1:key1:`; empty for identity. */
  prefix: string;
  /** Payload after the prefix → value; throws if the key does not open it. */
  decrypt(payload: string, key: string): string;
  encrypt(value: string, key: string): string;
}

/** What every encrypting provider's values start with (and plain JSON never does). */
export const ENCRYPTED_PREFIX = 'k8s:enc:';

/** A stored value that cannot be turned back into the object: that object's read fails with it. */
export class TransformError extends Error {
  constructor(readonly key: string, reason: string) {
    super(`unable to transform key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'TransformError';
  }
}

/** Plain JSON as it is, as upstream's identity provider; it refuses to pass encrypted values through. */
export const identityTransformer: PrefixTransformer = {
  prefix: '',
  decrypt(payload) {
    if (payload.startsWith(ENCRYPTED_PREFIX)) throw new Error('identity transformer tried to read encrypted data');
    return payload;
  },
  encrypt: (value) => value,
};

/** The providers of one resource entry in order: the first writes, any whose prefix matches reads. */
export function prefixTransformers(providers: PrefixTransformer[]): Transformer {
  if (providers.length === 0) throw new Error('encryption: a resource needs at least one provider');
  const [writer] = providers;
  return {
    toStorage: (value, key) => writer.prefix + writer.encrypt(value, key),
    fromStorage(stored, key) {
      const reasons: string[] = [];
      for (const p of providers) {
        if (!stored.startsWith(p.prefix)) continue;
        try {
          return { value: p.decrypt(stored.slice(p.prefix.length), key), stale: p !== writer };
        } catch (e) {
          reasons.push((e as Error).message);
        }
      }
      throw new TransformError(key, reasons.length > 0 ? reasons.join('; ') : `no matching prefix found (${describePrefix(stored)})`);
    },
  };
}

/** The prefix a value was written with, to say which key is missing; never any of the payload. */
function describePrefix(stored: string): string {
  const m = /^k8s:enc:[a-z0-9]+:v[0-9]+:[^:]*:/.exec(stored);
  return m ? `written with ${m[0]}, a key the configuration no longer has` : 'not a value any configured provider wrote';
}
