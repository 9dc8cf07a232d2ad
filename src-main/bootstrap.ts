// Objects every cluster has from the start, as kube-apiserver's bootstrap controllers make them:
// the default, kube-system, kube-public and kube-node-lease namespaces and the `kubernetes`
// service on the first address of the service range.
import { isAlreadyExists, isNotFound, type KubeClient } from './client/index.ts';

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

const kubernetesService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
  spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None', type: 'ClusterIP' },
};

export async function bootstrapCluster(client: KubeClient): Promise<void> {
  const asApiserver = { fieldManager: 'kube-apiserver' };
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await ensure(
      () => client.get(namespaces, undefined, name),
      () => client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, asApiserver),
    );
  }
  await ensure(
    () => client.get(services, 'default', 'kubernetes'),
    () => client.create(services, kubernetesService, asApiserver),
  );
}
