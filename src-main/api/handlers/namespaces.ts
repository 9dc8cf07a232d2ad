// Namespace lifecycle rules the API enforces itself: content may only be created in a namespace
// that exists and is not being terminated.
import { getObject } from '../object-store.ts';
import { ApiError, notFound } from '../status.ts';
import type { RequestScope } from './context.ts';

export async function requireNamespaceOpen(scope: RequestScope, namespace: string): Promise<void> {
  const nsDef = scope.api.registry.lookup('', 'v1', 'namespaces')!.definition;
  const ns = await getObject(scope.api.store, nsDef, undefined, namespace);
  if (!ns) throw notFound('', 'namespaces', namespace);
  const phase = (ns.obj.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Terminating' || ns.obj.metadata.deletionTimestamp) {
    const def = scope.served.definition;
    throw new ApiError(403, 'Forbidden', `${def.resource} "${scope.info.name ?? ''}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
      name: scope.info.name,
      group: def.group,
      kind: def.resource,
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
    });
  }
}
