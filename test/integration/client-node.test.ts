// @kubernetes/client-node, the official JavaScript client, as a second real client: its typed
// API and its informer (list, then watch from the list's resourceVersion) against kubelab serve.
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubelabServer } from './harness/server.ts';

const NS = 'client-node';

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('@kubernetes/client-node', () => {
  let server: KubelabServer;
  let core: CoreV1Api;
  let kc: KubeConfig;

  beforeAll(async () => {
    server = await KubelabServer.start();
    kc = new KubeConfig();
    kc.loadFromString(server.kubeconfigText);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('creates, reads and lists through the typed API', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: NS, body: { metadata: { name: 'typed', labels: { via: 'client-node' } }, data: { k: 'v' } },
    });
    expect(created.metadata?.uid).toBeTruthy();
    const read = await core.readNamespacedConfigMap({ namespace: NS, name: 'typed' });
    expect(read.data).toEqual({ k: 'v' });
    const list = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'via=client-node' });
    expect(list.items.map((c) => c.metadata?.name)).toEqual(['typed']);
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
    const missing = await core.readNamespacedConfigMap({ namespace: NS, name: 'nope' }).catch((e: unknown) => e);
    expect((missing as { code?: number }).code).toBe(404);
  });

  it('an informer sees the initial list, then creates, updates and deletes', async () => {
    const events: string[] = [];
    const errors: unknown[] = [];
    const informer = makeInformer<V1ConfigMap>(kc, `/api/v1/namespaces/${NS}/configmaps`,
      () => core.listNamespacedConfigMap({ namespace: NS }));
    informer.on('add', (o) => events.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => events.push(`update ${o.metadata?.name} ${JSON.stringify(o.data)}`));
    informer.on('delete', (o) => events.push(`delete ${o.metadata?.name}`));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      await until(() => events.includes('add typed'), 'the listed ConfigMap');

      await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'watched' }, data: { n: '1' } } });
      await until(() => events.includes('add watched'), 'ADDED');
      expect(informer.get('watched', NS)?.data).toEqual({ n: '1' });

      const current = await core.readNamespacedConfigMap({ namespace: NS, name: 'watched' });
      await core.replaceNamespacedConfigMap({ namespace: NS, name: 'watched', body: { ...current, data: { n: '2' } } });
      await until(() => events.includes('update watched {"n":"2"}'), 'MODIFIED');
      expect(informer.get('watched', NS)?.data).toEqual({ n: '2' });

      await core.deleteNamespacedConfigMap({ namespace: NS, name: 'watched' });
      await until(() => events.includes('delete watched'), 'DELETED');
      expect(informer.get('watched', NS)).toBeUndefined();
      expect(informer.list(NS).map((c) => c.metadata?.name)).toEqual(['typed']);
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });
}, 120_000);
