// metrics.k8s.io/v1beta1 as metrics-server serves it, fed by hollow nodes' fake usage: the raw
// API (discovery, objects, selectors, 404s, read-only), then `kubectl top` of three versions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGroupList, APIResourceList } from 'kubernetes-types/meta/v1';
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { ApiError } from '../../src-main/client/api-error.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { hollowAnnotations } from '../../src-main/hollow/fleet.ts';
import { FakeClock } from '../../src-main/util/clock.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { KUBECTL_VERSIONS, Kubectl } from './harness/kubectl.ts';

const clock = new FakeClock();
let cluster: TestCluster;

interface Metrics {
  kind?: string;
  apiVersion?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; creationTimestamp?: string };
  timestamp: string;
  window: string;
  usage?: { cpu: string; memory: string };
  containers?: { name: string; usage: { cpu: string; memory: string } }[];
}
interface MetricsList {
  kind: string;
  items: Metrics[];
}

const container = (name: string, cpu?: string, memory?: string): Container => ({
  name, image: 'busybox', ...(cpu && memory ? { resources: { requests: { cpu, memory } } } : {}),
});

function pod(namespace: string, name: string, node: string, labels: Record<string, string>, containers: Container[], annotations: Record<string, string> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name, labels, annotations }, spec: { nodeName: node, containers } };
}

const raw = <T>(path: string): Promise<T> => cluster.client.request<T>('GET', path);
const podMetricsPath = (ns?: string, name?: string) => `/apis/metrics.k8s.io/v1beta1${ns ? `/namespaces/${ns}` : ''}/pods${name ? `/${name}` : ''}`;

beforeAll(async () => {
  cluster = await startTestCluster({ clock, simulateNodes: 2, controllers: false });
  const c = cluster.client;
  await c.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  await c.create(gvr.pods, pod('shop', 'web-1', 'sim-1', { app: 'web' }, [container('web', '200m', '64Mi')]));
  await c.create(gvr.pods, pod('shop', 'web-2', 'sim-2', { app: 'web' }, [container('web', '200m', '64Mi')], {
    [hollowAnnotations.cpuUsage]: '150m', [hollowAnnotations.memoryUsage]: '100Mi',
  }));
  await c.create(gvr.pods, pod('shop', 'db-1', 'sim-1', { app: 'db' }, [container('db', '500m', '256Mi'), container('sidecar', '100m', '32Mi')]));
  await c.create(gvr.pods, pod('default', 'lone', 'sim-2', {}, [container('main')]));
  await waitFor('metrics of all four pods', async () => (await raw<MetricsList>(podMetricsPath())).items.length === 4, 30_000);
});
afterAll(async () => cluster?.stop());

describe('metrics.k8s.io API', () => {
  it('is discovered as a group with NodeMetrics and PodMetrics, get and list only', async () => {
    const groups = await raw<APIGroupList>('/apis');
    const g = groups.groups.find((x) => x.name === 'metrics.k8s.io');
    expect(g?.preferredVersion).toEqual({ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' });
    expect(await raw('/apis/metrics.k8s.io')).toMatchObject({ kind: 'APIGroup', name: 'metrics.k8s.io' });
    const list = await raw<APIResourceList>('/apis/metrics.k8s.io/v1beta1');
    expect(list.groupVersion).toBe('metrics.k8s.io/v1beta1');
    expect(list.resources.map((r) => [r.name, r.kind, r.namespaced, r.verbs])).toEqual([
      ['nodes', 'NodeMetrics', false, ['get', 'list']],
      ['pods', 'PodMetrics', true, ['get', 'list']],
    ]);
  });

  it('serves NodeMetrics: the node labels, a 15s window, usage of its pods plus the system share', async () => {
    const node = await raw<Metrics>('/apis/metrics.k8s.io/v1beta1/nodes/sim-1');
    expect(node.kind).toBe('NodeMetrics');
    expect(node.apiVersion).toBe('metrics.k8s.io/v1beta1');
    expect(node.metadata.name).toBe('sim-1');
    expect(node.metadata.labels?.['kubernetes.io/hostname']).toBe('sim-1');
    expect(node.metadata.creationTimestamp).toBe(new Date(clock.now()).toISOString().replace('.000', ''));
    expect(node.window).toBe('15s');
    // web-1 20m + db-1 60m + 50m system; 32Mi + 144Mi + 256Mi
    expect(node.usage).toEqual({ cpu: '130m', memory: '432Mi' });
    const all = await raw<MetricsList>('/apis/metrics.k8s.io/v1beta1/nodes');
    expect(all.kind).toBe('NodeMetricsList');
    expect(all.items.map((n) => [n.metadata.name, n.usage?.cpu])).toEqual([['sim-1', '130m'], ['sim-2', '201m']]);
  });

  it('serves PodMetrics per container: a tenth of the cpu request by default, or the annotation', async () => {
    const db = await raw<Metrics>(podMetricsPath('shop', 'db-1'));
    expect(db).toMatchObject({ kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name: 'db-1', namespace: 'shop', labels: { app: 'db' } }, window: '15s' });
    expect(db.containers).toEqual([
      { name: 'db', usage: { cpu: '50m', memory: '128Mi' } },
      { name: 'sidecar', usage: { cpu: '10m', memory: '16Mi' } },
    ]);
    const web2 = await raw<Metrics>(podMetricsPath('shop', 'web-2'));
    expect(web2.containers?.[0].usage).toEqual({ cpu: '150m', memory: '100Mi' });
  });

  it('lists by namespace, by label selector and by metadata.name', async () => {
    const names = (l: MetricsList) => l.items.map((m) => `${m.metadata.namespace}/${m.metadata.name}`);
    expect(names(await raw<MetricsList>(podMetricsPath()))).toEqual(['default/lone', 'shop/db-1', 'shop/web-1', 'shop/web-2']);
    expect(names(await raw<MetricsList>(podMetricsPath('shop')))).toEqual(['shop/db-1', 'shop/web-1', 'shop/web-2']);
    expect(names(await raw<MetricsList>(`${podMetricsPath('shop')}?labelSelector=app%3Dweb`))).toEqual(['shop/web-1', 'shop/web-2']);
    expect(names(await raw<MetricsList>(`${podMetricsPath()}?labelSelector=app%20notin%20(web)`))).toEqual(['default/lone', 'shop/db-1']);
    expect(names(await raw<MetricsList>(`${podMetricsPath()}?fieldSelector=metadata.name%3Dweb-2`))).toEqual(['shop/web-2']);
    const nodes = await raw<MetricsList>('/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=kubernetes.io%2Fhostname%3Dsim-2');
    expect(nodes.items.map((n) => n.metadata.name)).toEqual(['sim-2']);
  });

  it('takes usage from fleet.setUsage over the defaults', async () => {
    cluster.fleet.setUsage((p) => (p.metadata?.name === 'lone' ? { cpuMilli: 1500, memoryBytes: 5 * 2 ** 20 + 1 } : undefined));
    try {
      await clock.advance(15_000);
      const lone = await raw<Metrics>(podMetricsPath('default', 'lone'));
      expect(lone.containers?.[0].usage).toEqual({ cpu: '1500m', memory: String(5 * 2 ** 20 + 1) });
    } finally {
      cluster.fleet.setUsage(undefined);
      await clock.advance(15_000);
    }
  });

  it('answers 404 with a Status for what it has no metrics of, as metrics-server', async () => {
    const status = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (e as ApiError).body);
    expect(await status(raw(podMetricsPath('shop', 'nope')))).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound', message: 'podmetrics.metrics.k8s.io "shop/nope" not found' });
    expect(await status(raw('/apis/metrics.k8s.io/v1beta1/nodes/nope'))).toMatchObject({ code: 404, message: 'nodemetrics.metrics.k8s.io "nope" not found' });
    // a pod that exists but is not running has no metrics either
    await cluster.client.create(gvr.pods, pod('shop', 'pending', 'no-such-node', {}, [container('c')]));
    expect(await status(raw(podMetricsPath('shop', 'pending')))).toMatchObject({ code: 404 });
    expect((await raw<MetricsList>(podMetricsPath('shop'))).items.map((m) => m.metadata.name)).not.toContain('pending');
    await cluster.client.delete(gvr.pods, 'shop', 'pending', { gracePeriodSeconds: 0 });
    expect(await status(raw('/apis/metrics.k8s.io/v1beta2/nodes'))).toMatchObject({ code: 404 });
  });

  it('is read-only: writes are 405 MethodNotAllowed, and there is no watch', async () => {
    const c = cluster.client;
    const code = (p: Promise<unknown>) => p.then(() => 200, (e: unknown) => (e instanceof ApiError ? [e.status, e.reason] : e));
    const body = { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'NodeMetrics', metadata: { name: 'sim-1' } };
    expect(await code(c.request('POST', '/apis/metrics.k8s.io/v1beta1/nodes', body))).toEqual([405, 'MethodNotAllowed']);
    expect(await code(c.request('PUT', '/apis/metrics.k8s.io/v1beta1/nodes/sim-1', body))).toEqual([405, 'MethodNotAllowed']);
    expect(await code(c.request('DELETE', podMetricsPath('shop', 'web-1')))).toEqual([405, 'MethodNotAllowed']);
    expect(await code(c.request('DELETE', podMetricsPath('shop')))).toEqual([405, 'MethodNotAllowed']);
    expect(await code(c.request('GET', `${podMetricsPath('shop')}?watch=true`))).toEqual([405, 'MethodNotAllowed']);
  });
});

const rows = (out: string): string[][] => out.trim().split('\n').map((l) => l.trim().split(/\s+/));

describe.each(KUBECTL_VERSIONS)('kubectl %s top', (version) => {
  let kubectl: Kubectl;
  beforeAll(() => {
    kubectl = new Kubectl(version, cluster.kubeconfigPath);
  });
  afterAll(async () => kubectl?.cleanup());

  it('top nodes', async () => {
    const out = rows(await kubectl.ok(['top', 'nodes']));
    // newer kubectl (1.35 here) heads the percentages CPU(%) and MEMORY(%)
    const pct = version === '1.35' ? ['CPU(%)', 'MEMORY(%)'] : ['CPU%', 'MEMORY%'];
    expect(out[0]).toEqual(['NAME', 'CPU(cores)', pct[0], 'MEMORY(bytes)', pct[1]]);
    // 130m of 4 cores is 3%; 432Mi of 16Gi is 2%
    expect(out.slice(1)).toEqual([['sim-1', '130m', '3%', '432Mi', '2%'], ['sim-2', '201m', '5%', '364Mi', '2%']]);
  });

  it('top pods -n, -A and --containers', async () => {
    const ns = rows(await kubectl.ok(['top', 'pods', '-n', 'shop']));
    expect(ns[0]).toEqual(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(ns.slice(1)).toEqual([['db-1', '60m', '144Mi'], ['web-1', '20m', '32Mi'], ['web-2', '150m', '100Mi']]);
    const all = rows(await kubectl.ok(['top', 'pods', '-A']));
    expect(all[0]).toEqual(['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(all.slice(1).map((r) => r.slice(0, 2))).toEqual([['default', 'lone'], ['shop', 'db-1'], ['shop', 'web-1'], ['shop', 'web-2']]);
    const byLabel = rows(await kubectl.ok(['top', 'pods', '-n', 'shop', '-l', 'app=web']));
    expect(byLabel.slice(1).map((r) => r[0])).toEqual(['web-1', 'web-2']);
    const containers = rows(await kubectl.ok(['top', 'pod', 'db-1', '-n', 'shop', '--containers']));
    expect(containers[0]).toEqual(['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(containers.slice(1)).toEqual([['db-1', 'db', '50m', '128Mi'], ['db-1', 'sidecar', '10m', '16Mi']]);
  });

  it('top pod of an unknown pod fails as upstream', async () => {
    const r = await kubectl.run(['top', 'pod', 'nope', '-n', 'shop']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('podmetrics.metrics.k8s.io "shop/nope" not found');
  });

  it('api-resources lists the metrics kinds', async () => {
    const out = await kubectl.ok(['api-resources', '--api-group=metrics.k8s.io']);
    expect(out).toMatch(/nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics/);
    expect(out).toMatch(/pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics/);
  });
});
