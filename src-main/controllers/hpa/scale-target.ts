// The HPA's target through its scale subresource (autoscaling/v1 Scale), whatever its kind:
// scaleTargetRef's group and kind are mapped to a resource by discovery (the RESTMapper
// upstream), then .../{name}/scale is read and written. Deployments, ReplicaSets, StatefulSets
// and any kind with a scale subresource work alike.
import type { CrossVersionObjectReference } from 'kubernetes-types/autoscaling/v2';
import type { DiscoveredResource } from '../../client/discovery.ts';
import { resourcePath, parseApiVersion, type GroupVersionResource } from '../../client/gvr.ts';
import type { KubeClient } from '../../client/kube-client.ts';

export interface Scale {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

/** The resource a scaleTargetRef names, as upstream's RESTMapper errors when there is none. */
export function targetResource(ref: CrossVersionObjectReference, resources: readonly DiscoveredResource[]): GroupVersionResource {
  const apiVersion = ref.apiVersion ?? '';
  if (apiVersion.split('/').length > 2) throw new Error(`unexpected GroupVersion string: ${apiVersion}`);
  const { group } = parseApiVersion(apiVersion);
  const found = resources.find((r) => r.group === group && r.kind === ref.kind);
  if (!found) throw new Error(`no matches for kind "${ref.kind}" in group "${group}"`);
  return { group: found.group, version: found.version, resource: found.resource };
}

export function getScale(client: KubeClient, target: GroupVersionResource, namespace: string, name: string): Promise<Scale> {
  return client.get<Scale>(target, namespace, name, 'scale');
}

export function updateScale(client: KubeClient, target: GroupVersionResource, namespace: string, scale: Scale): Promise<Scale> {
  return client.request<Scale>('PUT', resourcePath(target, namespace, scale.metadata?.name ?? '', 'scale'), scale);
}

/** "Deployment/default/web", the target as upstream's messages name it. */
export function reference(ref: CrossVersionObjectReference, namespace: string): string {
  return `${ref.kind}/${namespace}/${ref.name}`;
}
