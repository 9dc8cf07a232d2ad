// Pod subresources the API server answers itself: binding (the scheduler's write), and log /
// exec / attach / portforward, which go to the pod's node agent (node-proxy/pod-proxy.ts); a
// node without an agent answers with a clear Status instead of hanging.
import type { Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../resources/types.ts';
import { rfc3339 } from '../apply/managed-fields.ts';
import { getObject } from '../object-store.ts';
import { ApiError, badRequest, conflict, notFound } from '../status.ts';
import { decodeBody, isObject, mediaType, readBody, writeJSON } from './codec.ts';
import { successStatus } from '../status.ts';
import type { RequestScope } from './context.ts';
import { updateObject } from './update.ts';
import { proxyToAgent } from '../node-proxy/pod-proxy.ts';

/**
 * POST pods/NAME/binding, as upstream's BindingREST: the pod gets its node, the binding's
 * annotations and PodScheduled=True, written straight to storage — no update strategy and no
 * managedFields entry for the scheduler (a bound pod's managers are its creator and its kubelet).
 */
export async function handleBinding(scope: RequestScope): Promise<void> {
  const body = decodeBody(await readBody(scope.req), mediaType(scope.req));
  if (!isObject(body) || body.kind !== 'Binding') throw badRequest('the body must be a v1 Binding');
  const target = body.target as { kind?: string; name?: string } | undefined;
  if (!target?.name) throw new ApiError(422, 'Invalid', `Binding "${scope.info.name}" is invalid: target.name: Required value`, { causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }] });
  if (target.kind && target.kind !== 'Node') throw new ApiError(422, 'Invalid', `Binding "${scope.info.name}" is invalid: target.kind: Unsupported value: "${target.kind}": supported values: "Node"`);
  const name = scope.info.name!;
  const bodyMeta = body.metadata as { uid?: string; annotations?: Record<string, string> } | undefined;
  await updateObject({ ...scope, info: { ...scope.info, subresource: 'binding' } }, (pod: KubeObject) => {
    const spec = pod.spec as { nodeName?: string; schedulingGates?: unknown[] };
    if (pod.metadata.deletionTimestamp) throw conflict('', 'pods', name, 'pod is being deleted, cannot be assigned to a host');
    if (spec.nodeName) throw conflict('', 'pods', name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    if (spec.schedulingGates?.length) throw conflict('', 'pods', name, `pod ${name} has non-empty .spec.schedulingGates`);
    if (bodyMeta?.uid && bodyMeta.uid !== pod.metadata.uid) throw conflict('', 'pods', name, 'Precondition failed: UID in precondition does not match');
    spec.nodeName = target.name;
    if (bodyMeta?.annotations) pod.metadata.annotations = { ...pod.metadata.annotations, ...bodyMeta.annotations };
    pod.status = setScheduled((pod.status ?? {}) as PodStatus, rfc3339(scope.api.now()));
    return pod;
  }, { skipUpdateValidation: true, track: (_live, bound) => bound });
  writeJSON(scope.res, 201, { ...successStatus(), code: 201 });
}

/** PodScheduled=True, as upstream's UpdatePodCondition: the transition time moves only with the status. */
function setScheduled(status: PodStatus, now: string): PodStatus {
  const conditions = status.conditions ?? [];
  const old = conditions.find((c) => c.type === 'PodScheduled');
  const condition: PodCondition = { type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as string, lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : now };
  return { ...status, conditions: old ? conditions.map((c) => (c === old ? condition : c)) : [...conditions, condition] };
}

/** log, exec, attach, portforward: proxied to the pod's node agent; proxy (to the pod) not yet. */
export async function handleNodeProxied(scope: RequestScope): Promise<void> {
  const { info, api, served } = scope;
  const found = await getObject(api.store, served.definition, info.namespace, info.name!);
  if (!found) throw notFound('', 'pods', info.name!);
  if (info.subresource !== 'proxy') return proxyToAgent(scope, found.obj as Pod);
  throw nodeUnavailable(found.obj, info.subresource!);
}

export function nodeUnavailable(pod: KubeObject, subresource: string): ApiError {
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) return badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  return new ApiError(503, 'ServiceUnavailable', `pods/${subresource} needs the Kubelab agent on node "${nodeName}", and no agent is connected for it`);
}
