// The garbage collector through the real API: background, foreground and orphan deletion of
// plain objects (ConfigMaps owning ConfigMaps), through the API and through `kubectl delete
// --cascade`, invalid owner references, and the three policies on a Deployment with its
// ReplicaSet and pods (run by the ReplicaSet and Deployment controllers and the scheduler).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Event, Pod } from 'kubernetes-types/core/v1';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { ClusterRole } from 'kubernetes-types/rbac/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { isNotFound } from '../../src-main/client/api-error.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

let cluster: TestCluster;
let kubectl: Kubectl;
const ns = 'gc';
const clusterRoles = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' };

beforeAll(async () => {
  cluster = await startTestCluster({ simulateNodes: 2 });
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
  for (const name of [ns, 'gc-other']) await cluster.client.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}, 60_000);
afterAll(async () => {
  await kubectl?.cleanup();
  await cluster?.stop();
});

function ref(owner: { metadata?: { name?: string; uid?: string } }, kind = 'ConfigMap', apiVersion = 'v1', block = true): OwnerReference {
  return { apiVersion, kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, ...(block ? { blockOwnerDeletion: true } : {}) };
}

function configMap(name: string, owners: OwnerReference[] = [], extra: { finalizers?: string[]; namespace?: string } = {}) {
  return cluster.client.create<ConfigMap>(gvr.configMaps, {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name, namespace: extra.namespace ?? ns, ownerReferences: owners, ...(extra.finalizers ? { finalizers: extra.finalizers } : {}) },
    data: { k: 'v' },
  });
}

/** Whether the object exists; namespace '' for cluster-scoped ones. */
async function exists(resource: typeof gvr.configMaps, name: string, namespace = ns): Promise<boolean> {
  try {
    await cluster.client.get(resource, namespace || undefined, name);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

const getCM = (name: string, namespace = ns) => cluster.client.get<ConfigMap>(gvr.configMaps, namespace, name);
const gone = (name: string, namespace = ns) => waitFor(`${namespace}/${name} gone`, async () => !(await exists(gvr.configMaps, name, namespace)), 30_000);

describe('garbage collection of plain objects', () => {
  it('background: dependents whose owners are all gone are deleted; one with another live owner only loses the reference', async () => {
    const owner = await configMap('bg-owner');
    const other = await configMap('bg-other');
    await configMap('bg-child', [ref(owner)]);
    await configMap('bg-shared', [ref(owner), ref(other)]);
    await cluster.client.delete(gvr.configMaps, ns, 'bg-owner');
    await gone('bg-child');
    const shared = await waitFor('bg-shared without the dangling reference', async () => {
      const cm = await getCM('bg-shared');
      return cm.metadata?.ownerReferences?.length === 1 && cm;
    });
    expect(shared.metadata?.ownerReferences?.[0].uid).toBe(other.metadata?.uid);
  });

  it('deletes objects whose owner never existed, or whose owner uid names another object', async () => {
    await configMap('dangling', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nobody', uid: '00000000-0000-0000-0000-000000000001' }]);
    const real = await configMap('reborn');
    await configMap('wrong-uid', [{ ...ref(real), uid: '00000000-0000-0000-0000-000000000002' }]);
    await gone('dangling');
    await gone('wrong-uid');
    expect(await exists(gvr.configMaps, 'reborn')).toBe(true);
  });

  it('foreground: the owner waits, with its finalizer, until its blocking dependents are gone — through a chain', async () => {
    const owner = await configMap('fg-owner');
    const middle = await configMap('fg-middle', [ref(owner)]);
    // The leaf holds on with a finalizer of its own, so the waiting can be seen.
    await configMap('fg-leaf', [ref(middle)], { finalizers: ['example.com/hold'] });
    await cluster.client.delete(gvr.configMaps, ns, 'fg-owner', { propagationPolicy: 'Foreground' });
    const leaf = await waitFor('leaf being deleted', async () => {
      const cm = await getCM('fg-leaf');
      return !!cm.metadata?.deletionTimestamp && cm;
    });
    expect(leaf.metadata?.finalizers).toEqual(['example.com/hold']);
    const mid = await waitFor('middle deleted in the foreground too', async () => {
      const cm = await getCM('fg-middle');
      return !!cm.metadata?.deletionTimestamp && cm;
    });
    expect(mid.metadata?.finalizers).toContain('foregroundDeletion');
    await new Promise((r) => setTimeout(r, 300));
    const waiting = await getCM('fg-owner');
    expect(waiting.metadata?.deletionTimestamp).toBeTruthy();
    expect(waiting.metadata?.finalizers).toEqual(['foregroundDeletion']);
    await cluster.client.patch(gvr.configMaps, ns, 'fg-leaf', { metadata: { finalizers: null } }, 'merge');
    await gone('fg-leaf');
    await gone('fg-middle');
    await gone('fg-owner');
  });

  it('foreground: a dependent without blockOwnerDeletion is deleted but not waited for', async () => {
    const owner = await configMap('fg2-owner');
    await configMap('fg2-child', [ref(owner, 'ConfigMap', 'v1', false)], { finalizers: ['example.com/hold'] });
    await cluster.client.delete(gvr.configMaps, ns, 'fg2-owner', { propagationPolicy: 'Foreground' });
    await gone('fg2-owner');
    const child = await getCM('fg2-child');
    expect(child.metadata?.deletionTimestamp).toBeTruthy();
    await cluster.client.patch(gvr.configMaps, ns, 'fg2-child', { metadata: { finalizers: null } }, 'merge');
    await gone('fg2-child');
  });

  it('orphan: dependents lose the reference and stay; the owner goes', async () => {
    const owner = await configMap('or-owner');
    const other = await configMap('or-other');
    await configMap('or-child', [ref(owner)]);
    await configMap('or-shared', [ref(owner), ref(other)]);
    await cluster.client.delete(gvr.configMaps, ns, 'or-owner', { propagationPolicy: 'Orphan' });
    await gone('or-owner');
    expect((await getCM('or-child')).metadata?.ownerReferences ?? []).toEqual([]);
    expect((await getCM('or-shared')).metadata?.ownerReferences?.map((r) => r.uid)).toEqual([other.metadata?.uid]);
  });

  it('kubectl delete --cascade=background|foreground|orphan', async () => {
    for (const cascade of ['background', 'foreground', 'orphan']) {
      const owner = await configMap(`k-${cascade}`);
      await configMap(`k-${cascade}-child`, [ref(owner)]);
      await kubectl.ok(['delete', 'configmap', `k-${cascade}`, '-n', ns, `--cascade=${cascade}`]);
      expect(await exists(gvr.configMaps, `k-${cascade}`)).toBe(false); // kubectl waited for it
      if (cascade === 'orphan') {
        await new Promise((r) => setTimeout(r, 300));
        expect((await getCM(`k-${cascade}-child`)).metadata?.ownerReferences ?? []).toEqual([]);
      } else {
        await gone(`k-${cascade}-child`);
      }
    }
  });

  it('a namespaced owner does not own objects of another namespace: OwnerRefInvalidNamespace, and the reference dangles', async () => {
    const owner = await configMap('ns-owner');
    await configMap('ns-child', [ref(owner)], { namespace: 'gc-other' });
    await gone('ns-child', 'gc-other');
    expect(await exists(gvr.configMaps, 'ns-owner')).toBe(true);
    await cluster.cp.controllers?.flushEvents();
    const events = await waitFor('the warning', async () => {
      const list = await cluster.client.list<Event>(gvr.events, { namespace: 'gc-other' });
      return list.items.find((e) => e.reason === 'OwnerRefInvalidNamespace' && e.involvedObject.name === 'ns-child');
    });
    expect(events.type).toBe('Warning');
    expect(events.message).toBe(`ownerRef [v1/ConfigMap, namespace: gc-other, name: ns-owner, uid: ${owner.metadata?.uid}] does not exist in namespace "gc-other"`);
  });

  it('a cluster-scoped object with a namespaced owner is left alone, with a warning', async () => {
    const owner = await configMap('cs-owner');
    await cluster.client.create<ClusterRole>(clusterRoles, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
      metadata: { name: 'gc-test-role', ownerReferences: [ref(owner)] }, rules: [],
    });
    await cluster.cp.controllers?.flushEvents();
    const warning = await waitFor('the warning', async () => {
      await cluster.cp.controllers?.flushEvents();
      const list = await cluster.client.list<Event>(gvr.events, { namespace: 'default' });
      return list.items.find((e) => e.reason === 'OwnerRefInvalidNamespace' && e.involvedObject.name === 'gc-test-role');
    });
    expect(warning.message).toContain('does not exist in namespace ""');
    await new Promise((r) => setTimeout(r, 300));
    expect(await exists(clusterRoles, 'gc-test-role', '')).toBe(true);
    await cluster.client.delete(clusterRoles, undefined, 'gc-test-role');
  });

  it('a cluster-scoped owner owns objects in any namespace', async () => {
    const role = await cluster.client.create<ClusterRole>(clusterRoles, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'gc-owner-role' }, rules: [],
    });
    await configMap('owned-by-role', [ref(role, 'ClusterRole', 'rbac.authorization.k8s.io/v1')], { namespace: 'gc-other' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await exists(gvr.configMaps, 'owned-by-role', 'gc-other')).toBe(true);
    await cluster.client.delete(clusterRoles, undefined, 'gc-owner-role');
    await gone('owned-by-role', 'gc-other');
  });
});

describe('deletion of a Deployment', () => {
  const labels = { app: 'gc-web' };

  async function deployment(name: string): Promise<{ dep: Deployment; rs: ReplicaSet }> {
    const dep = await cluster.client.create<Deployment>(gvr.deployments, {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name, namespace: ns },
      spec: {
        replicas: 3, selector: { matchLabels: { ...labels, d: name } },
        template: { metadata: { labels: { ...labels, d: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
    });
    const rs = await waitFor(`${name}: a ReplicaSet and 3 pods`, async () => {
      const sets = (await cluster.client.list<ReplicaSet>(gvr.replicaSets, { namespace: ns, labelSelector: `d=${name}` })).items;
      const pods = await podsOf(name);
      return sets.length === 1 && pods.length === 3 && sets[0];
    }, 30_000);
    expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', uid: dep.metadata?.uid, controller: true });
    return { dep, rs };
  }

  const podsOf = async (name: string) => (await cluster.client.list<Pod>(gvr.pods, { namespace: ns, labelSelector: `d=${name}` })).items;
  const setsOf = async (name: string) => (await cluster.client.list<ReplicaSet>(gvr.replicaSets, { namespace: ns, labelSelector: `d=${name}` })).items;

  it('foreground: the ReplicaSet and its pods are gone before the Deployment', async () => {
    await deployment('fg');
    await cluster.client.delete(gvr.deployments, ns, 'fg', { propagationPolicy: 'Foreground' });
    let sawWaiting = false;
    await waitFor('the Deployment gone', async () => {
      const stillThere = await exists(gvr.deployments, 'fg');
      const rest = (await setsOf('fg')).length + (await podsOf('fg')).length;
      if (stillThere && rest > 0) sawWaiting = true;
      // Whenever the Deployment is seen gone, nothing it owned may be left.
      if (!stillThere) expect(rest).toBe(0);
      return !stillThere;
    }, 30_000);
    expect(sawWaiting).toBe(true);
  });

  it('background: the Deployment is gone at once; its ReplicaSet and pods follow', async () => {
    await deployment('bg');
    await kubectl.ok(['delete', 'deployment', 'bg', '-n', ns, '--cascade=background', '--wait=false']);
    expect(await exists(gvr.deployments, 'bg')).toBe(false);
    await waitFor('ReplicaSet and pods gone', async () => (await setsOf('bg')).length + (await podsOf('bg')).length === 0, 30_000);
  });

  it('orphan: the ReplicaSet and pods stay, no longer owned by the Deployment', async () => {
    const { rs } = await deployment('or');
    await kubectl.ok(['delete', 'deployment', 'or', '-n', ns, '--cascade=orphan']);
    expect(await exists(gvr.deployments, 'or')).toBe(false);
    await new Promise((r) => setTimeout(r, 1000));
    const sets = await setsOf('or');
    expect(sets.map((s) => s.metadata?.uid)).toEqual([rs.metadata?.uid]);
    expect(sets[0].metadata?.ownerReferences ?? []).toEqual([]);
    const pods = await podsOf('or');
    expect(pods).toHaveLength(3);
    for (const p of pods) expect(p.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', uid: rs.metadata?.uid });
  });
});
