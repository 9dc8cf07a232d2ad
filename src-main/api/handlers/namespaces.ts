// Namespace lifecycle rules the API enforces itself: content may only be created in a namespace
// that exists and is not being terminated.
import type { KeyValue } from '../../store/store.ts';
import { decodeObject, objectKey } from '../object-store.ts';
import { ApiError, notFound } from '../status.ts';
import type { RequestScope } from './context.ts';

// Every create in a namespace checks it: remember the answer for each stored version of it (the
// store hands out the same KeyValue until the namespace changes).
const terminating = new WeakMap<KeyValue, boolean>();

function isTerminating(kv: KeyValue): boolean {
  let answer = terminating.get(kv);
  if (answer === undefined) {
    const ns = decodeObject(kv);
    answer = (ns.status as { phase?: string } | undefined)?.phase === 'Terminating' || !!ns.metadata.deletionTimestamp;
    terminating.set(kv, answer);
  }
  return answer;
}

export async function requireNamespaceOpen(scope: RequestScope, namespace: string): Promise<void> {
  const nsDef = scope.api.registry.lookup('', 'v1', 'namespaces')!.definition;
  const kv = await scope.api.store.get(objectKey(nsDef, undefined, namespace));
  if (!kv) throw notFound('', 'namespaces', namespace);
  if (isTerminating(kv)) {
    const def = scope.served.definition;
    throw new ApiError(403, 'Forbidden', `${def.resource} "${scope.info.name ?? ''}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
      name: scope.info.name,
      group: def.group,
      kind: def.resource,
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
    });
  }
}
