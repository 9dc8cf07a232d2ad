// CREATE (POST to a collection): generateName, uid, creationTimestamp, defaults, the kind's create
// strategy, validation, managedFields, then a create-if-absent write. dryRun=All stops before it.
import { KeyExistsError } from '../../store/store.ts';
import type { KubeObject } from '../resources/types.ts';
import { encodeObject, objectKey, withResourceVersion } from '../object-store.ts';
import { alreadyExists } from '../status.ts';
import { readObjectBody, writeJSON } from './codec.ts';
import { toStorageVersion, writeStrategyContext, writtenJSON, type RequestScope, type Written } from './context.ts';
import { checkBody } from './body.ts';
import { requireNamespaceOpen } from './namespaces.ts';
import { initCreateMetadata, prepareCreate, throwIfInvalid, validateCreate } from './strategy.ts';
import { trackUpdate } from './managed-fields.ts';
import { admit } from '../admission/admission.ts';
import { cloneJSON } from '../../util/clone-json.ts';

export async function handleCreate(scope: RequestScope): Promise<void> {
  const body = await readObjectBody(scope.req);
  const obj = checkBody(scope, body.value, body.rawJSON);
  const created = await createObject(scope, obj);
  writeJSON(scope.res, 201, writtenJSON(scope.served, created), warningHeaders(scope));
}

/**
 * Creates obj (in the request's version, checked). Shared by POST and by apply/update of a name
 * that does not exist yet. Returns the stored object in the storage version.
 */
export async function createObject(scope: RequestScope, served: KubeObject, prepared?: (obj: KubeObject) => KubeObject): Promise<Written> {
  const def = scope.served.definition;
  const now = scope.api.now();
  if (def.namespaced) await requireNamespaceOpen(scope, served.metadata.namespace!);
  for (let attempt = 0; ; attempt++) {
    const ctx = writeStrategyContext(scope);
    let obj = toStorageVersion(scope.served, cloneJSON(served));
    initCreateMetadata(obj, now);
    try {
      await prepareCreate(def, obj, ctx);
      throwIfInvalid(def, obj, validateCreate(def, obj));
      await admit(scope, 'CREATE', obj);
      obj = prepared ? prepared(obj) : trackUpdate(scope, undefined, obj);
      if (scope.dryRun) {
        ctx.rollback();
        return { obj };
      }
      const json = encodeObject(obj);
      const kv = await scope.api.store.create(objectKey(def, obj.metadata.namespace, obj.metadata.name!), json);
      ctx.commit();
      // The object as stored: what was encoded, plus the revision the store gave it.
      obj.metadata.resourceVersion = String(kv.modRevision);
      return { obj, json: withResourceVersion(json, kv.modRevision) };
    } catch (e) {
      ctx.rollback();
      // A generated name that collides gets another try, as upstream's generateName retries.
      if (e instanceof KeyExistsError) {
        if (served.metadata.generateName && !served.metadata.name && attempt < 8) continue;
        throw alreadyExists(def.group, def.resource, obj.metadata.name!);
      }
      throw e;
    }
  }
}

export function warningHeaders(scope: RequestScope): Record<string, string> {
  if (scope.warnings.length === 0) return {};
  // Node joins repeated header values with ", " which splits a warning; one line per header value
  // is what clients expect, so send them as one header with commas between quoted texts.
  return { Warning: scope.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

