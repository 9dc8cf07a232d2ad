// The resources controllers, the scheduler and nodes talk about, by GroupVersionResource.
import type { GroupVersionResource } from './gvr.ts';

const core = (resource: string): GroupVersionResource => ({ group: '', version: 'v1', resource });
const apps = (resource: string): GroupVersionResource => ({ group: 'apps', version: 'v1', resource });

export const gvr = {
  namespaces: core('namespaces'),
  pods: core('pods'),
  nodes: core('nodes'),
  services: core('services'),
  endpoints: core('endpoints'),
  events: core('events'),
  configMaps: core('configmaps'),
  secrets: core('secrets'),
  serviceAccounts: core('serviceaccounts'),
  deployments: apps('deployments'),
  replicaSets: apps('replicasets'),
  daemonSets: apps('daemonsets'),
  controllerRevisions: apps('controllerrevisions'),
  jobs: { group: 'batch', version: 'v1', resource: 'jobs' },
  cronJobs: { group: 'batch', version: 'v1', resource: 'cronjobs' },
  horizontalPodAutoscalers: { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' },
  endpointSlices: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
  roles: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles' },
  roleBindings: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings' },
  clusterRoles: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' },
  clusterRoleBindings: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings' },
  podMetrics: { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods' },
  nodeMetrics: { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'nodes' },
} as const satisfies Record<string, GroupVersionResource>;
