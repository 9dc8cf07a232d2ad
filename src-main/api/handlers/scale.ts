// The scale subresource (deployments/scale, replicasets/scale): an autoscaling/v1 Scale view of
// the object's replicas, readable and writable by GET/PUT/PATCH. `kubectl scale` and the HPA use it.
import type { KubeObject } from '../resources/types.ts';
import { getObject } from '../object-store.ts';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import { formatLabelSelector, isEmptySelector } from '../validation/label-selector.ts';
import { badRequest, notFound } from '../status.ts';
import { decodeBody, isObject, mediaType, readBody, writeJSON } from './codec.ts';
import type { RequestScope } from './context.ts';
import { updateObject } from './update.ts';
import { applyPatchBody } from './patch.ts';
import { cloneJSON } from '../../util/clone-json.ts';

function readPath(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), obj);
}

function writePath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(o[k])) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
}

export function scaleOf(scope: RequestScope, obj: KubeObject): KubeObject {
  const spec = scope.served.definition.subresources!.scale!;
  const m = obj.metadata;
  const selector = (obj.spec as { selector?: LabelSelector } | undefined)?.selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: (readPath(obj, spec.specReplicasPath) as number | undefined) ?? 0 },
    status: {
      replicas: (readPath(obj, spec.statusReplicasPath) as number | undefined) ?? 0,
      selector: selector && !isEmptySelector(selector) ? formatLabelSelector(selector) : '',
    },
  };
}

export async function handleScale(scope: RequestScope): Promise<void> {
  const { info, served, api } = scope;
  const def = served.definition;
  const spec = def.subresources!.scale!;
  if (info.verb === 'get') {
    const found = await getObject(api.store, def, info.namespace, info.name!);
    if (!found) throw notFound(def.group, def.resource, info.name!);
    writeJSON(scope.res, 200, scaleOf(scope, found.obj));
    return;
  }
  const body = await readBody(scope.req);
  const type = mediaType(scope.req);
  const result = await updateObject(scope, (current) => {
    const currentScale = scaleOf(scope, current);
    const next = info.verb === 'patch' ? applyPatchBody(scope, type, body, currentScale, 'autoscaling', 'v1', 'Scale') : decodeBody(body, type);
    if (!isObject(next) || next.kind !== 'Scale') throw badRequest('the body must be an autoscaling/v1 Scale');
    const replicas = (next.spec as { replicas?: unknown } | undefined)?.replicas ?? 0;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw badRequest(`Scale.autoscaling "${info.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
    }
    const rv = (next.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    const updated = cloneJSON(current);
    if (rv) updated.metadata.resourceVersion = rv;
    writePath(updated as Record<string, unknown>, spec.specReplicasPath, replicas);
    return updated;
  });
  writeJSON(scope.res, 200, scaleOf(scope, result.obj));
}
