// Objects every cluster has from the start, as kube-apiserver's bootstrap controllers make them:
// the default, kube-system, kube-public and kube-node-lease namespaces and the `kubernetes`
// service on the first address of the service range.
import { isAlreadyExists, type KubeClient } from './client/index.ts';

const namespaces = { group: '', version: 'v1', resource: 'namespaces' };
const services = { group: '', version: 'v1', resource: 'services' };

async function ensure(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

export async function bootstrapCluster(client: KubeClient): Promise<void> {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await ensure(() => client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'kube-apiserver' }));
  }
  await ensure(() =>
    client.create(
      services,
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None', type: 'ClusterIP' },
      },
      { fieldManager: 'kube-apiserver' },
    ),
  );
}
