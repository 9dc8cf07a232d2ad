// UPDATE (PUT), and the read-modify-write loop that PATCH, scale and status share: read the
// current object, compute the next one, run the update strategy and validation, and write it
// with compare-and-swap on the revision read. A stale resourceVersion from the client is a 409;
// a race with another writer is retried when the client gave no resourceVersion.
import { ConflictError, KeyNotFoundError } from '../../store/store.ts';
import type { KeyValue } from '../../store/store.ts';
import type { KubeObject, ResourceDefinition } from '../resources/types.ts';
import type { FieldError } from '../field-errors.ts';
import { decodeObject, encodeObject, getSharedObject, objectKey, withResourceVersion } from '../object-store.ts';
import { ApiError, badRequest, conflict, modifiedConflict, notFound } from '../status.ts';
import { readObjectBody, writeJSON } from './codec.ts';
import { toServedVersion, toStorageVersion, writeStrategyContext, writtenJSON, type RequestScope, type Written } from './context.ts';
import { checkBody } from './body.ts';
import { createObject, warningHeaders } from './create.ts';
import { deepEqual, prepareUpdate, throwIfInvalid, validateCreate, validateUpdate } from './strategy.ts';
import { trackUpdate } from './managed-fields.ts';
import { finishIfFinalized } from './delete.ts';
import { admit } from '../admission/admission.ts';
import { cloneJSON } from '../../util/clone-json.ts';

export async function handleUpdate(scope: RequestScope): Promise<void> {
  const body = await readObjectBody(scope.req);
  const next = checkBody(scope, body.value, body.rawJSON);
  const onMissing = allowsCreateOnUpdate(scope) ? () => createObject(scope, next) : undefined;
  const result = await updateObject(scope, () => cloneJSON(next), { onMissing, replaces: true });
  writeJSON(scope.res, result.created ? 201 : 200, writtenJSON(scope.served, result), warningHeaders(scope));
}

/** Kinds upstream lets a PUT create (AllowCreateOnUpdate). */
function allowsCreateOnUpdate(scope: RequestScope): boolean {
  const r = scope.served.definition.resource;
  return scope.info.subresource === undefined && (r === 'endpoints' || r === 'leases' || r === 'events' || r === 'endpointslices');
}

export interface UpdateOptions {
  /** Creates the object when the name does not exist (PUT of some kinds, server-side apply). */
  onMissing?: () => Promise<Written>;
  /** Skips the kind's update rules (a binding sets the otherwise immutable spec.nodeName). */
  skipUpdateValidation?: boolean;
  /** mutate ignores the current object (a PUT replaces it), which is then not decoded for it. */
  replaces?: boolean;
  /** Replaces managedFields tracking (server-side apply does its own). */
  track?: (current: KubeObject, next: KubeObject) => KubeObject;
}

export interface UpdateResult extends Written {
  created: boolean;
}

/**
 * The answer of a stored update: its JSON, and the object as stored (what JSON keeps of it),
 * decoded only if a caller asks — most answer with the JSON, and a binding with nothing at all.
 */
function storedResult(json: string, modRevision: number): UpdateResult {
  let obj: KubeObject | undefined;
  return {
    created: false,
    json: withResourceVersion(json, modRevision),
    get obj() {
      return (obj ??= decodeObject({ value: json, modRevision }));
    },
  };
}

/**
 * mutate receives the current object in the request's version, without its resourceVersion, and
 * returns the desired one (it may throw ApiError). A resourceVersion in the result came from the
 * client (a PUT body, a patch that sets it): it is a precondition, and a conflict is the client's
 * to resolve. Without one, a race with another writer is retried. mutate must be repeatable.
 */
export async function updateObject(scope: RequestScope, mutate: (current: KubeObject) => KubeObject, opts: UpdateOptions = {}): Promise<UpdateResult> {
  const { served, info, api } = scope;
  const def = served.definition;
  const name = info.name!;
  for (let attempt = 0; attempt < 10; attempt++) {
    const ctx = writeStrategyContext(scope);
    // Only read here: mutate gets a decode of its own.
    const current = await getSharedObject(api.store, def, info.namespace, name);
    if (!current) {
      if (opts.onMissing && !info.subresource) return { ...(await opts.onMissing()), created: true };
      throw notFound(def.group, def.resource, name);
    }
    const next = mutate(opts.replaces ? current.obj : currentForMutate(scope, current.kv));
    const wantRV = next.metadata?.resourceVersion;
    if (wantRV && wantRV !== current.obj.metadata.resourceVersion) {
      if (!/^\d+$/.test(String(wantRV))) throw badRequest(`invalid resourceVersion: ${String(wantRV)}`);
      throw modifiedConflict(def.group, def.resource, name);
    }
    if (next.metadata.uid && next.metadata.uid !== current.obj.metadata.uid) {
      throw conflict(def.group, def.resource, name, `Precondition failed: UID in precondition: ${next.metadata.uid}, UID in object meta: ${current.obj.metadata.uid}`);
    }
    if (next.metadata.name !== name) throw badRequest(`the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`);
    let obj: KubeObject;
    try {
      obj = await prepareUpdate(def, toStorageVersion(served, next), current.obj, info.subresource, ctx);
      throwIfInvalid(def, obj, validateWrite(def, obj, current.obj, info.subresource, opts));
      await admit(scope, 'UPDATE', obj, current.obj);
      obj = opts.track ? opts.track(current.obj, obj) : trackUpdate(scope, current.obj, obj);
    } catch (e) {
      ctx.rollback();
      throw e;
    }
    const old = { ...current.obj, metadata: { ...current.obj.metadata, resourceVersion: undefined } };
    if (deepEqual(withoutTimes(obj), withoutTimes(old))) {
      ctx.rollback();
      return { obj: decodeObject(current.kv), created: false };
    }
    if (scope.dryRun) {
      ctx.rollback();
      return { obj: { ...obj, metadata: { ...obj.metadata, resourceVersion: current.obj.metadata.resourceVersion } }, created: false };
    }
    try {
      const finished = await finishIfFinalized(scope, obj, current.kv.modRevision);
      if (finished) {
        ctx.commit();
        return { obj: finished, created: false };
      }
      const json = encodeObject(obj);
      const kv = await api.store.update(objectKey(def, info.namespace, name), json, current.kv.modRevision);
      ctx.commit();
      return storedResult(json, kv.modRevision);
    } catch (e) {
      ctx.rollback();
      if (e instanceof KeyNotFoundError) continue;
      if (e instanceof ConflictError) {
        if (wantRV) throw modifiedConflict(def.group, def.resource, name);
        continue;
      }
      throw e;
    }
  }
  throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${def.resource} "${name}": too many concurrent writes, please retry`);
}

/** A second decode of the stored text, for mutate to change: cheaper than a deep copy. */
function currentForMutate(scope: RequestScope, kv: KeyValue): KubeObject {
  const base = toServedVersion(scope.served, decodeObject(kv));
  delete base.metadata.resourceVersion;
  return base;
}

/**
 * The checks a write passes. A status (or approval) write keeps the old spec and metadata
 * (prepareUpdate), so only the kind's checks of such writes run.
 */
function validateWrite(def: ResourceDefinition, obj: KubeObject, old: KubeObject, subresource: string | undefined, opts: UpdateOptions): FieldError[] {
  if (subresource === 'status' || subresource === 'approval') return def.validateSubresourceUpdate?.(obj, old, subresource) ?? [];
  return opts.skipUpdateValidation ? validateCreate(def, obj) : validateUpdate(def, obj, old);
}

/** managedFields timestamps change on every write; a no-op write must still be a no-op. */
function withoutTimes(obj: KubeObject): KubeObject {
  const fields = obj.metadata.managedFields?.map(({ time: _t, ...rest }) => rest);
  return { ...obj, metadata: { ...obj.metadata, managedFields: fields as typeof obj.metadata.managedFields } };
}
