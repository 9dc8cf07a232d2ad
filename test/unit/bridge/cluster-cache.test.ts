import { afterEach, describe, expect, it } from 'vitest';
import { ClusterCache } from '../../../src-main/bridge/cluster-cache.ts';
import { UI_KINDS } from '../../../src-main/bridge/kinds.ts';
import { KIND_NAMES, type Change } from '../../../src-main/bridge/protocol.ts';
import type { KubeObject } from '../../../src-main/bridge/cluster-source.ts';
import { ChattySource, FakeSources, ns, pod, until } from './fakes.ts';

describe('ClusterCache', () => {
  let cache: ClusterCache | undefined;
  afterEach(() => cache?.stop());

  it('starts from the listed objects of every kind', async () => {
    const sources = new FakeSources({ namespaces: [ns('default'), ns('team-a')], pods: [pod('team-a', 'web')] });
    cache = new ClusterCache(UI_KINDS, sources.sourceFor);
    await cache.start();
    const snap = Object.fromEntries(cache.snapshot().map((s) => [s.kind, s.objects.map((o) => o.metadata?.name)]));
    expect(snap).toMatchObject({ namespaces: ['default', 'team-a'], pods: ['web'], nodes: [] });
    expect(Object.keys(snap).sort()).toEqual([...KIND_NAMES].sort());
  });

  it('never streams secret values: keys stay, values are blank', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'default', name: 'db' }, data: { password: 'aHVudGVyMg==' }, stringData: { user: 'admin' } };
    const sources = new FakeSources({ secrets: [secret as KubeObject] });
    cache = new ClusterCache(UI_KINDS, sources.sourceFor, { batchMs: 5 });
    await cache.start();
    const batches: Change[][] = [];
    cache.onDelta((changes) => batches.push(changes));
    sources.get('secrets').upsert({ ...secret, data: { password: 'c2VjcmV0' } } as KubeObject);
    await until(() => batches.length > 0);
    const listed = cache.snapshot().find((s) => s.kind === 'secrets')!.objects[0];
    expect(listed).toMatchObject({ data: { password: '', user: '' } });
    expect(JSON.stringify([cache.snapshot(), batches])).not.toMatch(/aHVudGVyMg|c2VjcmV0|admin/);
    expect(secret.data.password).toBe('aHVudGVyMg==');
  });

  it('leaves out a kind the credentials may not list (403), and still fails when the server is down', async () => {
    const sources = new FakeSources({ namespaces: [ns('default')] });
    sources.sourceFor({ name: 'secrets', gvr: { group: '', version: 'v1', resource: 'secrets' } }).failStart = Object.assign(new Error('forbidden'), { status: 403 });
    cache = new ClusterCache(UI_KINDS, sources.sourceFor);
    await cache.start();
    expect([...cache.unavailable]).toEqual(['secrets']);
    expect(cache.snapshot().find((s) => s.kind === 'namespaces')!.objects).toHaveLength(1);
    cache.stop();

    const down = new FakeSources();
    down.sourceFor({ name: 'pods', gvr: { group: '', version: 'v1', resource: 'pods' } }).failStart = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    cache = new ClusterCache(UI_KINDS, down.sourceFor);
    await expect(cache.start()).rejects.toThrow(/ECONNREFUSED/);
  });

  it('coalesces a burst of changes into one batch with the latest state per object', async () => {
    const sources = new FakeSources({ namespaces: [ns('default')], pods: [] });
    cache = new ClusterCache(UI_KINDS, sources.sourceFor, { batchMs: 30 });
    await cache.start();
    const batches: Change[][] = [];
    cache.onDelta((changes) => batches.push(changes));

    const pods = sources.get('pods');
    pods.upsert(pod('default', 'a', { resourceVersion: '2' }));
    pods.upsert(pod('default', 'a', { resourceVersion: '3', phase: 'Running' }));
    pods.upsert(pod('default', 'b', { resourceVersion: '4' }));
    pods.remove(pod('default', 'b'));
    await until(() => batches.length > 0);
    await new Promise((r) => setTimeout(r, 60));

    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual([
      { kind: 'pods', op: 'upsert', object: expect.objectContaining({ status: { phase: 'Running' } }) },
      { kind: 'pods', op: 'delete', key: 'default/b' },
    ]);
    expect(cache.snapshot().find((s) => s.kind === 'pods')?.objects.map((o) => o.metadata?.name)).toEqual(['a']);
  });

  it('does not send the initial list again as a delta', async () => {
    const pods = new ChattySource([pod('default', 'a'), pod('default', 'b')]);
    const sources = new FakeSources({ namespaces: [] });
    sources.byKind.set('pods', pods);
    cache = new ClusterCache(UI_KINDS, sources.sourceFor, { batchMs: 5 });
    const batches: Change[][] = [];
    cache.onDelta((changes) => batches.push(changes));
    await cache.start();
    pods.upsert(pod('default', 'c'));
    await until(() => batches.length > 0);
    expect(batches.flat().map((c) => (c.op === 'upsert' ? c.object.metadata?.name : c.key))).toEqual(['c']);
  });

  it('strips managedFields and the last-applied annotation without touching the source object', async () => {
    const sources = new FakeSources({ namespaces: [], pods: [] });
    cache = new ClusterCache(UI_KINDS, sources.sourceFor, { batchMs: 1 });
    await cache.start();
    const original = pod('default', 'big');
    original.metadata!.managedFields = [{ manager: 'kubectl', operation: 'Apply' }];
    original.metadata!.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' };
    sources.get('pods').upsert(original);
    const [snap] = cache.snapshot().filter((s) => s.kind === 'pods');
    expect(snap.objects[0].metadata?.managedFields).toBeUndefined();
    expect(snap.objects[0].metadata?.annotations).toEqual({ keep: 'me' });
    expect(original.metadata!.managedFields).toHaveLength(1);
  });

  it('forgets a failed start so the next subscriber retries, and stops its sources', async () => {
    const sources = new FakeSources({ namespaces: [], pods: [] });
    sources.get('pods').failStart = new Error('connection refused');
    cache = new ClusterCache(UI_KINDS, sources.sourceFor);
    await expect(cache.start()).rejects.toThrow('connection refused');
    sources.get('pods').failStart = undefined;
    await cache.start();
    cache.stop();
    expect(sources.get('pods').stopped).toBe(true);
    expect(sources.get('namespaces').stopped).toBe(true);
  });
});
