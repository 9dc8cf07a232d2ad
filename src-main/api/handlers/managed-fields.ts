// managedFields on every write (who set which field), and server-side apply, wired to the
// request: the field manager comes from ?fieldManager= or the User-Agent, as upstream.
import { ApplyBadRequestError, ApplyConflictError, applyConflictStatus, defaultManagerName, FIELD_MANAGER_MAX_LENGTH, serverSideApply, updateManagedFields } from '../apply/index.ts';
import { schemaFor } from '../openapi/spec.ts';
import type { KubeObject } from '../resources/types.ts';
import { apiVersionOf } from '../registry.ts';
import { ApiError, badRequest } from '../status.ts';
import type { RequestScope } from './context.ts';
import { cloneJSON } from '../../util/clone-json.ts';

export function managerOf(scope: RequestScope): string {
  const given = scope.query.get('fieldManager');
  if (given) {
    if (given.length > FIELD_MANAGER_MAX_LENGTH) throw badRequest(`fieldManager: Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`);
    return given;
  }
  return defaultManagerName(scope.req.headers['user-agent']);
}

/** Records the fields a create/update/patch set, for its manager (operation Update). */
export function trackUpdate(scope: RequestScope, old: KubeObject | undefined, next: KubeObject): KubeObject {
  const { served, info } = scope;
  const def = served.definition.storedAs ?? served.definition;
  return updateManagedFields({
    live: old,
    updated: next,
    manager: managerOf(scope),
    operation: 'Update',
    apiVersion: apiVersionOf(served.group, served.version),
    subresource: info.subresource === 'status' || info.subresource === 'scale' ? info.subresource : undefined,
    now: scope.api.now(),
    schema: schemaFor(def.group, def.versions[0].version, def.kind),
  });
}

/** Server-side apply of a configuration onto the live object (undefined: it does not exist yet). */
export function applyConfiguration(scope: RequestScope, live: KubeObject | undefined, applied: KubeObject, manager: string, force: boolean): KubeObject {
  const { served, info } = scope;
  try {
    return serverSideApply({
      live,
      applied: cloneJSON(applied),
      manager,
      force,
      apiVersion: apiVersionOf(served.group, served.version),
      subresource: info.subresource,
      now: scope.api.now(),
      schema: schemaFor(served.group, served.version, served.definition.kind),
    });
  } catch (e) {
    if (e instanceof ApplyConflictError) {
      const s = applyConflictStatus(e);
      throw new ApiError(409, 'Conflict', s.message, { causes: s.causes });
    }
    if (e instanceof ApplyBadRequestError) throw badRequest(e.message);
    throw e;
  }
}
