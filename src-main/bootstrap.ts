// Objects every cluster has from the start, as kube-apiserver's bootstrap controllers make them:
// the default, kube-system, kube-public and kube-node-lease namespaces and the `kubernetes`
// service on the first address of the service range; and, as kubeadm adds, the kube-proxy
// ConfigMap that tells node agents the pod range; and the default RBAC roles and bindings.
import { isAlreadyExists, isNotFound, type KubeClient } from './client/index.ts';
import type { ClusterNetwork } from './cluster-config/cluster-network.ts';
import { firstAddress, parseIPv4CIDR } from './cluster-config/ipv4-cidr.ts';
import { ensureKubeProxyConfigMap } from './cluster-config/kube-proxy-configmap.ts';
import { reconcileBootstrapPolicy } from './auth/rbac/reconcile-policy.ts';

const namespaces = { group: '', version: 'v1', resource: 'namespaces' };
const services = { group: '', version: 'v1', resource: 'services' };

/** Creates what is missing; what exists (a restart) is left as it is. */
async function ensure(get: () => Promise<unknown>, create: () => Promise<unknown>): Promise<void> {
  try {
    await get();
    return;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  try {
    await create();
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

/** The API server's service; endpoint-reconciler.ts keeps its targetPort and endpoints. */
const kubernetesService = (clusterIP: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
  spec: { clusterIP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None', type: 'ClusterIP' },
});

/** The `kubernetes` service's IP: the first address of the service range. */
export function kubernetesServiceIP(network: ClusterNetwork): string {
  return firstAddress(parseIPv4CIDR(network.serviceCIDR)!);
}

export async function bootstrapCluster(client: KubeClient, network: ClusterNetwork): Promise<void> {
  const asApiserver = { fieldManager: 'kube-apiserver' };
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await ensure(
      () => client.get(namespaces, undefined, name),
      () => client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, asApiserver),
    );
  }
  await ensure(
    () => client.get(services, 'default', 'kubernetes'),
    () => client.create(services, kubernetesService(kubernetesServiceIP(network)), asApiserver),
  );
  await ensureKubeProxyConfigMap(client, network.clusterCIDR);
  await reconcileBootstrapPolicy(client);
}
