// The default roles and bindings every cluster starts with, as upstream's bootstrap policy
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy): cluster-admin for system:masters; admin,
// edit and view as aggregated roles whose rules the clusterrole-aggregation controller fills in
// from the system:aggregate-to-* roles; what every authenticated user may do (discovery, asking
// what they may do); the public information anyone may read. The metrics API's reader role is
// the one metrics-server installs, so that view also reads `kubectl top`.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from 'kubernetes-types/rbac/v1';
import { rbacGroup } from '../../api/resources/rbac/binding.ts';

export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
export const aggregateTo = (role: 'admin' | 'edit' | 'view') => `rbac.authorization.k8s.io/aggregate-to-${role}`;

const read = ['get', 'list', 'watch'];
const csrGroup = 'certificates.k8s.io';
const write = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const readWrite = [...read, ...write];

const resourceRule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({
  apiGroups,
  resources,
  verbs,
  ...(resourceNames ? { resourceNames } : {}),
});
const urlRule = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ nonResourceURLs, verbs });

const meta = (name: string, labels: Record<string, string> = {}) => ({
  name,
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
  annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
});

const clusterRole = (name: string, rules: PolicyRule[], labels?: Record<string, string>): ClusterRole => ({
  apiVersion: `${rbacGroup}/v1`,
  kind: 'ClusterRole',
  metadata: meta(name, labels),
  rules,
});

/** A role with no rules of its own: the union of those of the roles carrying the label. */
const aggregatedRole = (name: string, from: 'admin' | 'edit' | 'view', labels?: Record<string, string>): ClusterRole => ({
  ...clusterRole(name, [], labels),
  aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregateTo(from)]: 'true' } }] },
});

const discoveryURLs = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];
const publicInfoURLs = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

const viewRules: PolicyRule[] = [
  resourceRule(read, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
  resourceRule(read, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
  resourceRule(read, [''], ['namespaces']),
  resourceRule(read, ['discovery.k8s.io'], ['endpointslices']),
  resourceRule(read, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
  resourceRule(read, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  resourceRule(read, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  resourceRule(read, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale']),
  resourceRule(read, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  resourceRule(read, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
];

const editRules: PolicyRule[] = [
  resourceRule(read, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
  resourceRule(['impersonate'], [''], ['serviceaccounts']),
  resourceRule(write, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  resourceRule(['create'], [''], ['pods/eviction']),
  resourceRule(write, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
  resourceRule(['create'], [''], ['serviceaccounts/token']),
  resourceRule(write, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  resourceRule(write, ['autoscaling'], ['horizontalpodautoscalers']),
  resourceRule(write, ['batch'], ['cronjobs', 'jobs']),
  resourceRule(write, ['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
  resourceRule(write, ['policy'], ['poddisruptionbudgets']),
  resourceRule(write, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  resourceRule(readWrite, ['coordination.k8s.io'], ['leases']),
];

const adminRules: PolicyRule[] = [
  resourceRule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  resourceRule(readWrite, [rbacGroup], ['rolebindings', 'roles']),
];

export const bootstrapClusterRoles: readonly ClusterRole[] = [
  clusterRole('cluster-admin', [resourceRule(['*'], ['*'], ['*']), urlRule(['*'], ['*'])]),
  aggregatedRole('admin', 'admin'),
  aggregatedRole('edit', 'edit', { [aggregateTo('admin')]: 'true' }),
  aggregatedRole('view', 'view', { [aggregateTo('edit')]: 'true' }),
  clusterRole('system:aggregate-to-admin', adminRules, { [aggregateTo('admin')]: 'true' }),
  clusterRole('system:aggregate-to-edit', editRules, { [aggregateTo('edit')]: 'true' }),
  clusterRole('system:aggregate-to-view', viewRules, { [aggregateTo('view')]: 'true' }),
  clusterRole('system:aggregated-metrics-reader', [resourceRule(read, ['metrics.k8s.io'], ['nodes', 'pods'])], {
    [aggregateTo('admin')]: 'true',
    [aggregateTo('edit')]: 'true',
    [aggregateTo('view')]: 'true',
  }),
  clusterRole('system:auth-delegator', [resourceRule(['create'], ['authentication.k8s.io'], ['tokenreviews']), resourceRule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])]),
  clusterRole('system:basic-user', [
    resourceRule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
    resourceRule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
  ]),
  clusterRole('system:discovery', [urlRule(['get'], discoveryURLs)]),
  clusterRole('system:monitoring', [urlRule(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])]),
  clusterRole('system:public-info-viewer', [urlRule(['get'], publicInfoURLs)]),
  clusterRole('system:node-proxier', [
    resourceRule(['list', 'watch'], [''], ['endpoints', 'services']),
    resourceRule(read, [''], ['nodes']),
    resourceRule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
    resourceRule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
  ]),
  // Certificates: who may ask for which (the CSR approver checks these), and who may approve.
  clusterRole('system:node-bootstrapper', [resourceRule(['create', 'get', 'list', 'watch'], [csrGroup], ['certificatesigningrequests'])]),
  clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [resourceRule(['create'], [csrGroup], ['certificatesigningrequests/nodeclient'])]),
  clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [resourceRule(['create'], [csrGroup], ['certificatesigningrequests/selfnodeclient'])]),
  clusterRole('system:certificates.k8s.io:kube-apiserver-client-approver', [resourceRule(['approve'], [csrGroup], ['signers'], ['kubernetes.io/kube-apiserver-client'])]),
  clusterRole('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', [resourceRule(['approve'], [csrGroup], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet'])]),
  clusterRole('system:certificates.k8s.io:kubelet-serving-approver', [resourceRule(['approve'], [csrGroup], ['signers'], ['kubernetes.io/kubelet-serving'])]),
  clusterRole('system:certificates.k8s.io:legacy-unknown-approver', [resourceRule(['approve'], [csrGroup], ['signers'], ['kubernetes.io/legacy-unknown'])]),
];

const group = (name: string): Subject => ({ apiGroup: rbacGroup, kind: 'Group', name });
const user = (name: string): Subject => ({ apiGroup: rbacGroup, kind: 'User', name });

const binding = (name: string, subjects: Subject[], role = name): ClusterRoleBinding => ({
  apiVersion: `${rbacGroup}/v1`,
  kind: 'ClusterRoleBinding',
  metadata: meta(name),
  roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: role },
  subjects,
});

export const bootstrapClusterRoleBindings: readonly ClusterRoleBinding[] = [
  binding('cluster-admin', [group('system:masters')]),
  binding('system:basic-user', [group('system:authenticated')]),
  binding('system:discovery', [group('system:authenticated')]),
  binding('system:monitoring', [group('system:monitoring')]),
  binding('system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
  binding('system:node-proxier', [user('system:kube-proxy')]),
  // What kubeadm binds so that nodes renew their client certificates themselves.
  binding('kubeadm:node-autoapprove-certificate-rotation', [group('system:nodes')], 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient'),
];
