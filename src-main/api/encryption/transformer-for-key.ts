// Which transformer a store key's value goes through, from the EncryptionConfiguration. Objects
// live at /registry/<group or core>/<resource>/… (object-store.ts); a configured name is
// resource[.group] with * for any, and the first entry that names a resource wins, as upstream.
import { aescbcTransformer, aesgcmTransformer } from './aes.ts';
import type { EncryptionConfiguration, ProviderConfiguration } from './encryption-config.ts';
import { identityTransformer, prefixTransformers } from './transformer.ts';
import type { PrefixTransformer, Transformer } from './transformer.ts';

/** undefined: the key's resource is not configured, its value is stored as it is. */
export type TransformerForKey = (key: string) => Transformer | undefined;

export function transformerForKey(config: EncryptionConfiguration): TransformerForKey {
  const entries = config.resources.map((r) => ({ names: r.resources.map(parseResourceName), transformer: prefixTransformers(r.providers.flatMap(providerTransformers)) }));
  // One answer per resource prefix: there are few resources and many keys.
  const byResource = new Map<string, Transformer | undefined>();
  return (key) => {
    const at = resourceOf(key);
    if (!at) return undefined;
    const id = `${at.group}/${at.resource}`;
    if (!byResource.has(id)) byResource.set(id, entries.find((e) => e.names.some((n) => matches(n, at)))?.transformer);
    return byResource.get(id);
  };
}

function providerTransformers(p: ProviderConfiguration): PrefixTransformer[] {
  if ('aesgcm' in p) return p.aesgcm.keys.map(aesgcmTransformer);
  if ('aescbc' in p) return p.aescbc.keys.map(aescbcTransformer);
  return [identityTransformer];
}

interface GroupResource {
  group: string;
  resource: string;
}

/** `deployments.apps` → apps/deployments; `secrets` → core/secrets; `*.` → every core resource. */
function parseResourceName(name: string): GroupResource {
  const dot = name.indexOf('.');
  if (dot < 0) return { group: 'core', resource: name };
  const group = name.slice(dot + 1);
  return { group: group === '' ? 'core' : group, resource: name.slice(0, dot) };
}

function matches(n: GroupResource, at: GroupResource): boolean {
  return (n.group === '*' || n.group === at.group) && (n.resource === '*' || n.resource === at.resource);
}

function resourceOf(key: string): GroupResource | undefined {
  const m = /^\/registry\/([^/]+)\/([^/]+)\//.exec(key);
  return m ? { group: m[1], resource: m[2] } : undefined;
}
