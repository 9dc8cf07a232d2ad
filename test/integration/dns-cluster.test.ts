// The cluster DNS server fed by real informers of a real control plane: services created with
// kubectl, pods on hollow nodes, EndpointSlices from the EndpointSlice controller, and c-ares
// asking. What a pod's lookup sees follows the cluster: new services, pods turning ready,
// a service deleted.
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod, Service } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { ClusterDNS } from '../../src-main/agent/dns/cluster-dns.ts';
import { ServiceCache } from '../../src-main/agent/proxy/service-cache.ts';
import { hollowAnnotations } from '../../src-main/hollow/pod-status.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

let cluster: TestCluster;
let kubectl: Kubectl;
let dns: ClusterDNS;
let cache: ServiceCache;
const resolver = new Resolver({ timeout: 3000, tries: 1 });

beforeAll(async () => {
  cluster = await startTestCluster({ simulateNodes: 2 });
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
  // The agent's own cache of Services and EndpointSlices, which its service proxy reads too.
  cache = new ServiceCache(cluster.client, () => undefined);
  await cache.start();
  dns = new ClusterDNS({ address: '127.0.0.1', port: 0, directory: cache, upstream: [] });
  await dns.start();
  resolver.setServers([`127.0.0.1:${dns.port}`]);
}, 60_000);

afterAll(async () => {
  await dns?.stop();
  cache?.stop();
  await kubectl?.cleanup();
  await cluster?.stop();
});

function pod(name: string, labels: Record<string, string>, node: string, extra: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels, annotations },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'pg', containerPort: 5432 }] }], ...extra },
  };
}

const lookup = (name: string): Promise<string[] | string> => resolver.resolve4(name).then((a) => a.sort(), (e: { code: string }) => e.code);

describe('cluster DNS over informers', () => {
  it('answers a service created with kubectl by its cluster IP, and NXDOMAIN once it is deleted', async () => {
    await kubectl.ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
    const svc = await cluster.client.get<Service>(gvr.services, 'default', 'web');
    expect(await waitFor('web in DNS', async () => {
      const got = await lookup('web.default.svc.cluster.local');
      return Array.isArray(got) && got;
    })).toEqual([svc.spec!.clusterIP]);
    expect(await resolver.resolveSrv('_80-8080._tcp.web.default.svc.cluster.local')).toEqual([{ name: 'web.default.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
    await kubectl.ok(['delete', 'service', 'web']);
    expect(await waitFor('web gone from DNS', async () => (await lookup('web.default.svc.cluster.local')) === 'ENOTFOUND')).toBe(true);
  });

  it('answers a headless service with its ready pods, by IP and by hostname, as they become ready', async () => {
    await cluster.client.create(gvr.services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' },
      spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432, targetPort: 'pg' }] },
    });
    await cluster.client.create(gvr.pods, pod('db-0', { app: 'db' }, 'sim-1', { hostname: 'db-0', subdomain: 'db' }));
    await cluster.client.create(gvr.pods, pod('db-1', { app: 'db' }, 'sim-2', { hostname: 'db-1', subdomain: 'db' }, { [hollowAnnotations.readySeconds]: '3600' }));
    const ip = async (name: string) => (await cluster.client.get<Pod>(gvr.pods, 'default', name)).status?.podIP;
    const db0 = await waitFor('db-0 running', () => ip('db-0'));
    const db1 = await waitFor('db-1 running', () => ip('db-1'));
    expect(await waitFor('db in DNS', async () => {
      const got = await lookup('db.default.svc.cluster.local');
      return Array.isArray(got) && got;
    })).toEqual([db0]);
    expect(await lookup('db-0.db.default.svc.cluster.local')).toEqual([db0]);
    // db-1 runs but is not ready: no record until it is.
    expect(await lookup('db-1.db.default.svc.cluster.local')).toBe('ENOTFOUND');
    expect((await resolver.resolveSrv('_pg._tcp.db.default.svc.cluster.local')).map((s) => [s.name, s.port])).toEqual([['db-0.db.default.svc.cluster.local', 5432]]);
    expect(await resolver.reverse(db0)).toEqual(['db-0.db.default.svc.cluster.local']);

    // A third pod, ready from the start, joins the answer.
    await cluster.client.create(gvr.pods, pod('db-2', { app: 'db' }, 'sim-2', { hostname: 'db-2', subdomain: 'db' }));
    const db2 = await waitFor('db-2 running', () => ip('db-2'));
    expect(await waitFor('db-0 and db-2 in DNS', async () => {
      const got = await lookup('db.default.svc.cluster.local');
      return Array.isArray(got) && got.length === 2 && got;
    })).toEqual([db0, db2].sort());
    expect(await lookup('db-2.db.default.svc.cluster.local')).toEqual([db2]);
    expect(await lookup('db.default.svc.cluster.local')).not.toContain(db1);
  });
});
