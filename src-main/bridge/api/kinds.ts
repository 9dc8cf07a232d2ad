// The kinds the main side caches and streams to the renderer, by resource name. Adding a kind =
// one entry here and one in ../kinds.ts (its group/version).
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1';
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import type {
  ConfigMap,
  Endpoints,
  Event,
  Namespace,
  Node,
  PersistentVolumeClaim,
  Pod,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-types/core/v1';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1';

export interface KindMap {
  namespaces: Namespace;
  nodes: Node;
  pods: Pod;
  deployments: Deployment;
  replicasets: ReplicaSet;
  daemonsets: DaemonSet;
  statefulsets: StatefulSet;
  jobs: Job;
  cronjobs: CronJob;
  services: Service;
  endpoints: Endpoints;
  configmaps: ConfigMap;
  /** Values are blanked in the cache ("" per key); `revealSecret` fetches one on request. */
  secrets: Secret;
  events: Event;
  serviceaccounts: ServiceAccount;
  persistentvolumeclaims: PersistentVolumeClaim;
  roles: Role;
  clusterroles: ClusterRole;
  rolebindings: RoleBinding;
  clusterrolebindings: ClusterRoleBinding;
}
export type KindName = keyof KindMap;

export const KIND_NAMES: readonly KindName[] = [
  'namespaces', 'nodes', 'pods', 'deployments', 'replicasets', 'daemonsets', 'statefulsets', 'jobs',
  'cronjobs', 'services', 'endpoints', 'configmaps', 'secrets', 'events', 'serviceaccounts',
  'persistentvolumeclaims', 'roles', 'clusterroles', 'rolebindings', 'clusterrolebindings',
];
