// The kinds Kubelab serves (issue 2), as the API server passes them to the OpenAPI builders.
import type { ServedKind } from '../../../../src-main/api/openapi/served.ts';

const kind = (group: string, version: string, kind: string, resource: string, namespaced: boolean, subresources: string[] = []): ServedKind =>
  ({ group, version, kind, resource, namespaced, subresources });

export const SERVED: ServedKind[] = [
  kind('', 'v1', 'Namespace', 'namespaces', false, ['status', 'finalize']),
  kind('', 'v1', 'Pod', 'pods', true, ['status', 'log', 'exec', 'binding']),
  kind('', 'v1', 'Service', 'services', true, ['status']),
  kind('', 'v1', 'Endpoints', 'endpoints', true),
  kind('', 'v1', 'ConfigMap', 'configmaps', true),
  kind('', 'v1', 'Secret', 'secrets', true),
  kind('', 'v1', 'Node', 'nodes', false, ['status']),
  kind('', 'v1', 'Event', 'events', true),
  kind('', 'v1', 'ServiceAccount', 'serviceaccounts', true),
  kind('apps', 'v1', 'Deployment', 'deployments', true, ['status', 'scale']),
  kind('apps', 'v1', 'ReplicaSet', 'replicasets', true, ['status', 'scale']),
  kind('apps', 'v1', 'DaemonSet', 'daemonsets', true, ['status']),
  kind('batch', 'v1', 'Job', 'jobs', true, ['status']),
  kind('batch', 'v1', 'CronJob', 'cronjobs', true, ['status']),
  kind('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, ['status']),
  kind('autoscaling', 'v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, ['status']),
  kind('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  kind('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  kind('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  kind('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  kind('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  kind('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
];
