// DELETE and DELETECOLLECTION: preconditions, graceful deletion (pods on a node wait for their
// kubelet), finalizers and propagationPolicy (an object with finalizers only gets a
// deletionTimestamp; the last finalizer removed deletes it), namespaces going Terminating.
import { ConflictError, KeyNotFoundError } from '../../store/store.ts';
import type { KubeObject, ResourceDefinition } from '../resources/types.ts';
import { decodeObject, encodeObject, getObject, objectKey } from '../object-store.ts';
import { ApiError, badRequest, conflict, modifiedConflict, notFound } from '../status.ts';
import { decodeBody, isObject, mediaType, readBody, writeJSON } from './codec.ts';
import { strategyContext, timestamp, toServedVersion, type RequestScope } from './context.ts';
import { parseSelectors, readListPage } from './read.ts';
import { apiVersionOf } from '../registry.ts';
import { admit } from '../admission/admission.ts';
import { cloneJSON } from '../../util/clone-json.ts';

interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

async function readDeleteOptions(scope: RequestScope): Promise<DeleteOptions> {
  const opts: DeleteOptions = {};
  const body = await readBody(scope.req);
  if (body.length > 0 && body.toString().trim() !== '') {
    const parsed = decodeBody(body, mediaType(scope.req));
    if (!isObject(parsed)) throw badRequest('DeleteOptions must be an object');
    if (parsed.kind !== undefined && parsed.kind !== 'DeleteOptions') throw badRequest(`expected DeleteOptions, got ${String(parsed.kind)}`);
    if (parsed.gracePeriodSeconds !== undefined && parsed.gracePeriodSeconds !== null) opts.gracePeriodSeconds = Number(parsed.gracePeriodSeconds);
    if (typeof parsed.propagationPolicy === 'string') opts.propagationPolicy = parsed.propagationPolicy as DeleteOptions['propagationPolicy'];
    if (parsed.orphanDependents === true) opts.propagationPolicy = 'Orphan';
    if (isObject(parsed.preconditions)) opts.preconditions = parsed.preconditions as DeleteOptions['preconditions'];
    if (Array.isArray(parsed.dryRun) && parsed.dryRun.length > 0) scope.dryRun = true;
  }
  const q = scope.query;
  if (q.has('gracePeriodSeconds')) opts.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.has('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy') as DeleteOptions['propagationPolicy'];
  if (q.get('orphanDependents') === 'true') opts.propagationPolicy = 'Orphan';
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0 && opts.gracePeriodSeconds !== -1)) {
    throw badRequest(`invalid gracePeriodSeconds: ${opts.gracePeriodSeconds}`);
  }
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw badRequest(`DeleteOptions.propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  return opts;
}

/** The finalizers that keep an object: metadata's, and a namespace's spec.finalizers. */
function pendingFinalizers(def: ResourceDefinition, obj: KubeObject): string[] {
  const own = obj.metadata.finalizers ?? [];
  if (def.resource === 'namespaces' && def.group === '') return [...own, ...(((obj.spec as { finalizers?: string[] }) ?? {}).finalizers ?? [])];
  return own;
}

/** The grace period: the request's, else the pod's own; only pods bound to a node wait. */
function gracePeriod(def: ResourceDefinition, obj: KubeObject, opts: DeleteOptions): number {
  if (def.resource !== 'pods' || def.group !== '') return 0;
  const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const status = (obj.status ?? {}) as { phase?: string };
  if (!spec.nodeName || status.phase === 'Succeeded' || status.phase === 'Failed') return 0;
  const g = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  return g < 0 ? 0 : g;
}

export async function handleDelete(scope: RequestScope): Promise<void> {
  const opts = await readDeleteOptions(scope);
  const result = await deleteObject(scope, scope.info.name!, opts);
  writeJSON(scope.res, 200, toServedVersion(scope.served, result));
}

/** Namespaces the cluster cannot work without (upstream's NamespaceLifecycle admission). */
const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);

async function deleteObject(scope: RequestScope, name: string, opts: DeleteOptions): Promise<KubeObject> {
  const { served, info, api } = scope;
  const def = served.definition;
  if (def.group === '' && def.resource === 'namespaces' && immortalNamespaces.has(name)) {
    throw new ApiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
  }
  const key = objectKey(def, info.namespace, name);
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await getObject(api.store, def, info.namespace, name);
    if (!current) throw notFound(def.group, def.resource, name);
    const obj = current.obj;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== obj.metadata.uid) {
      throw conflict(def.group, def.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw conflict(def.group, def.resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
    }
    await admit(scope, 'DELETE', undefined, obj);
    const next = cloneJSON(obj);
    delete next.metadata.resourceVersion;
    const finalizers = new Set(next.metadata.finalizers ?? []);
    if (opts.propagationPolicy === 'Orphan') finalizers.add('orphan');
    if (opts.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
    if (finalizers.size > 0) next.metadata.finalizers = [...finalizers];
    const grace = gracePeriod(def, obj, opts);
    const keep = pendingFinalizers(def, next).length > 0 || grace > 0;
    try {
      if (!keep) {
        if (scope.dryRun) return obj;
        const kv = await api.store.delete(key, current.kv.modRevision);
        def.afterDelete?.(obj, strategyContext(scope));
        return decodeObject(kv);
      }
      // Already being deleted: a shorter grace period may still cut the wait.
      const now = api.now();
      if (!next.metadata.deletionTimestamp || (grace > 0 && grace < (next.metadata.deletionGracePeriodSeconds ?? Infinity))) {
        next.metadata.deletionTimestamp = timestamp(new Date(now.getTime() + grace * 1000));
        next.metadata.deletionGracePeriodSeconds = grace;
      }
      if (def.resource === 'namespaces' && def.group === '') next.status = { ...(next.status as object), phase: 'Terminating' };
      if (scope.dryRun) return next;
      const kv = await api.store.update(key, encodeObject(next), current.kv.modRevision);
      return decodeObject(kv);
    } catch (e) {
      if (e instanceof ConflictError || e instanceof KeyNotFoundError) continue;
      throw e;
    }
  }
  throw modifiedConflict(def.group, def.resource, name);
}

/**
 * Called by updates: an object being deleted whose last finalizer is gone is deleted now.
 * Returns the deleted object, or undefined when it stays.
 */
export async function finishIfFinalized(scope: RequestScope, obj: KubeObject, modRevision: number): Promise<KubeObject | undefined> {
  const def = scope.served.definition;
  if (!obj.metadata.deletionTimestamp || pendingFinalizers(def, obj).length > 0) return undefined;
  // A pod in its grace period is deleted by its kubelet (with gracePeriodSeconds=0), not here.
  if (def.resource === 'pods' && def.group === '' && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0) return undefined;
  const kv = await scope.api.store.delete(objectKey(def, obj.metadata.namespace, obj.metadata.name!), modRevision);
  def.afterDelete?.(obj, strategyContext(scope));
  return decodeObject(kv);
}

export async function handleDeleteCollection(scope: RequestScope): Promise<void> {
  const opts = await readDeleteOptions(scope);
  const selectors = parseSelectors(scope);
  const page = await readListPage(scope, selectors, (kv) => {
    const obj = decodeObject(kv);
    return selectors.labels.matches(obj.metadata.labels) && selectors.fields.matches(obj);
  });
  const deleted: KubeObject[] = [];
  for (const kv of page.kvs) {
    const obj = decodeObject(kv);
    const itemScope = { ...scope, info: { ...scope.info, namespace: obj.metadata.namespace, name: obj.metadata.name } };
    try {
      deleted.push(toServedVersion(scope.served, await deleteObject(itemScope, obj.metadata.name!, opts)));
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
  const def = scope.served.definition;
  writeJSON(scope.res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(scope.served.group, scope.served.version), metadata: { resourceVersion: String(scope.api.store.revision()) }, items: deleted });
}
