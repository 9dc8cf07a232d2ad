// @kubernetes/client-node, the official JavaScript client, as a second real client: its typed
// API and its informer (list, then watch from the list's resourceVersion) against kubelab serve.
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, isAlreadyExists, isConflict, isNotFound } from '../../src-main/client/api-error.ts';
import { Informer } from '../../src-main/client/informer.ts';
import type { KubeObject } from '../../src-main/client/types.ts';
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
      // Besides kube-root-ca.crt, which every namespace gets (the root CA publisher).
      expect(informer.list(NS).map((c) => c.metadata?.name).filter((n) => n !== 'kube-root-ca.crt')).toEqual(['typed']);
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });
}, 120_000);

// The project's own client (src-main/client) against the same kind of server: what controllers,
// agents and the UI bridge rely on.
describe('the shared KubeClient and Informer', () => {
  let server: KubelabServer;
  const cms = { group: '', version: 'v1', resource: 'configmaps' };
  const deploys = { group: 'apps', version: 'v1', resource: 'deployments' };
  type ConfigMap = KubeObject & { data?: Record<string, string> };
  const cm = (name: string, data: Record<string, string>): ConfigMap =>
    ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });

  beforeAll(async () => {
    server = await KubelabServer.start();
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('maps errors to ApiError reasons: NotFound, AlreadyExists, Conflict, Invalid', async () => {
    const c = server.client;
    const created = await c.create(cms, cm('errs', { a: '1' }));
    expect(isNotFound(await c.get(cms, 'default', 'nope').catch((e: unknown) => e))).toBe(true);
    expect(isAlreadyExists(await c.create(cms, cm('errs', {})).catch((e: unknown) => e))).toBe(true);
    const updated = await c.update(cms, { ...created, data: { a: '2' } });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const stale = await c.update(cms, { ...created, data: { a: '3' } }).catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);
    const invalid = (await c.create(cms, cm('Bad_Name', {})).catch((e: unknown) => e)) as ApiError;
    expect([invalid.status, invalid.reason]).toEqual([422, 'Invalid']);
    expect(invalid.body.details?.causes?.[0]?.field).toBe('metadata.name');
  });

  it('patches with all four patch types', async () => {
    const c = server.client;
    await c.create(deploys, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'patched', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'p' } },
        template: { metadata: { labels: { app: 'p' } }, spec: { containers: [
          { name: 'a', image: 'busybox:1', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] },
          { name: 'b', image: 'busybox:1' },
        ] } },
      },
    } as KubeObject);
    type D = KubeObject & { spec: { replicas: number; template: { spec: { containers: { name: string; image: string; env?: { name: string }[] }[] } } } };
    let d = await c.patch<D>(deploys, 'default', 'patched', { spec: { replicas: 4 } }, 'merge');
    expect(d.spec.replicas).toBe(4);
    d = await c.patch<D>(deploys, 'default', 'patched', [{ op: 'replace', path: '/spec/replicas', value: 2 }], 'json');
    expect(d.spec.replicas).toBe(2);
    // strategic: containers merge by name, env entries by name; $patch: delete removes one
    d = await c.patch<D>(deploys, 'default', 'patched', { spec: { template: { spec: { containers: [
      { name: 'b', image: 'busybox:2' },
      { name: 'a', env: [{ name: 'Y', $patch: 'delete' }] },
    ] } } } }, 'strategic');
    const byName = Object.fromEntries(d.spec.template.spec.containers.map((x) => [x.name, x]));
    expect(byName.b.image).toBe('busybox:2');
    expect(byName.a.image).toBe('busybox:1');
    expect(byName.a.env?.map((e) => e.name)).toEqual(['X']);
    // server-side apply creates what does not exist yet
    const applied = await c.patch<ConfigMap>(cms, 'default', 'ssa', cm('ssa', { k: 'v' }), 'apply', { fieldManager: 'test' });
    expect(applied.data).toEqual({ k: 'v' });
    expect(applied.metadata?.managedFields?.[0]).toMatchObject({ manager: 'test', operation: 'Apply' });
  });

  it('pages a list with limit and continue', async () => {
    const c = server.client;
    for (let i = 0; i < 5; i++) await c.create(cms, { ...cm(`page-${i}`, {}), metadata: { name: `page-${i}`, namespace: 'default', labels: { set: 'paged' } } });
    const first = await c.list(cms, { namespace: 'default', labelSelector: 'set=paged', limit: 2 });
    expect(first.items.length).toBe(2);
    expect(first.metadata.continue).toBeTruthy();
    const names = first.items.map((o) => o.metadata?.name);
    let cont = first.metadata.continue;
    while (cont) {
      const page = await c.list(cms, { namespace: 'default', labelSelector: 'set=paged', limit: 2, continue: cont });
      names.push(...page.items.map((o) => o.metadata?.name));
      cont = page.metadata.continue;
    }
    expect(names).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  });

  it('an Informer follows creates, updates and deletes', async () => {
    const c = server.client;
    const log: string[] = [];
    const inf = new Informer<ConfigMap>(c, cms, { namespace: 'default', labelSelector: 'watched=yes' });
    inf.on('add', (o) => log.push(`add ${o.metadata?.name}`))
      .on('update', (_o, n) => log.push(`update ${n.metadata?.name} ${n.data?.v}`))
      .on('delete', (o) => log.push(`delete ${o.metadata?.name}`));
    const labelled = (name: string, v: string): ConfigMap =>
      ({ ...cm(name, { v }), metadata: { name, namespace: 'default', labels: { watched: 'yes' } } });
    await c.create(cms, labelled('before', '0'));
    await inf.start();
    try {
      expect(log).toEqual(['add before']);
      await c.create(cms, labelled('w', '1'));
      await until(() => log.includes('add w'), 'add');
      await c.patch(cms, 'default', 'w', { data: { v: '2' } }, 'merge');
      await until(() => log.includes('update w 2'), 'update');
      // written before the delete, so its event (were it not filtered) would arrive first
      await c.create(cms, cm('unlabelled', {}));
      await c.delete(cms, 'default', 'w');
      await until(() => log.includes('delete w'), 'delete');
      expect(log).not.toContain('add unlabelled');
      expect(inf.list().map((o) => o.metadata?.name)).toEqual(['before']);
      expect(Number(inf.lastSyncResourceVersion())).toBeGreaterThan(0);
    } finally {
      inf.stop();
    }
  });
}, 120_000);
