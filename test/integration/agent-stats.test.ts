// The node's resource stats, eviction and image GC on real runc containers: a busy loop's CPU
// and a memory-backed emptyDir's working set read from the Summary API and /metrics/resource,
// served on the agent's endpoint and scraped into metrics.k8s.io for `kubectl top`;
// the eviction manager under a memory threshold made to fire evicting the pods in upstream's
// order, one per pass, each ending Failed/Evicted with upstream's message and event; and image GC
// on a small tmpfs image store removing the unused image, keeping the used one, recording
// FreeDiskSpaceFailed when nothing more may go, and running before any eviction for imagefs.
import { randomBytes } from 'node:crypto';
import { statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from 'kubernetes-types/apps/v1';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2';
import type { Event as CoreEvent, Pod } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../src-main/client/api-error.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { ImageStore } from '../../src-main/agent/images/image-store.ts';
import { readPressure } from '../../src-main/agent/kubelet/machine.ts';
import { defaultEvictionHard } from '../../src-main/agent/kubelet/eviction/thresholds.ts';
import { resourceMetricsResponse, statsSummaryResponse } from '../../src-main/agent/stats/stats-endpoints.ts';
import type { PodStats, Summary } from '../../src-main/agent/stats/summary-types.ts';
import { parseResourceMetrics } from '../../src-main/metrics/resource-metrics-format.ts';
import { AgentMetricsSource } from '../../src-main/metrics/agent-metrics-source.ts';
import { assembleImage, busyboxLayer, gzipLayer, pushImage } from '../fixtures/images/busybox-image.ts';
import { nodePlatform } from '../../src-main/agent/images/platform.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

const Mi = 1024 * 1024;
const nodeName = 'kls-node';
let node: TestNode;
let kubectl: Kubectl;
let bigImage: string;

beforeAll(async () => {
  node = await startTestNode('kls', {
    imagesTmpfsBytes: 16 * Mi,
    // The test fills the image store on purpose: the node reporting DiskPressure (and being
    // tainted for it) would keep its next pods away.
    agent: { evictionHard: [] },
    cluster: { controllers: { hpaSyncPeriodMs: 2000 } },
    // The test runs the eviction passes itself; none must run between them.
    housekeeping: { evictionPeriodMs: 3_600_000, imageGC: { minAgeMs: 0 } },
  });
  // An image of its own: the busybox layer shared, and 2 MiB that does not compress.
  const big = assembleImage([busyboxLayer(), gzipLayer([{ path: 'data', type: 'dir' }, { path: 'data/blob', data: randomBytes(2 * Mi) }])], nodePlatform());
  await pushImage({ url: node.registry.url }, 'test/big', '1', big);
  bigImage = `${node.registry.host}/test/big:1`;
  kubectl = new Kubectl('1.35', node.cluster.kubeconfigPath);
}, 120_000);

afterAll(async () => {
  await kubectl?.cleanup();
  const left = await node?.stop();
  expect(left?.containers).toEqual([]);
  expect(left?.mounts).toEqual([]);
  expect(left?.netns).toEqual([]);
}, 120_000);

const getPod = (name: string) => node.cluster.client.get<Pod>(gvr.pods, 'default', name).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
const waitRunning = (name: string) => waitFor(`${name} Running`, async () => {
  const p = await getPod(name);
  return p?.status?.phase === 'Running' && p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && p;
}, 60_000);

function pod(name: string, script: string, extra: { requests?: Record<string, string>; memoryVolume?: boolean; image?: string; restartPolicy?: string } = {}): string {
  const volume = extra.memoryVolume ? { volumes: [{ name: 'cache', emptyDir: { medium: 'Memory' } }] } : {};
  const mounts = extra.memoryVolume ? { volumeMounts: [{ name: 'cache', mountPath: '/cache' }] } : {};
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      restartPolicy: extra.restartPolicy ?? 'Always', terminationGracePeriodSeconds: 2, ...volume,
      containers: [{ name: 'main', image: extra.image ?? node.image, command: ['sh', '-c', script], ...mounts, ...(extra.requests ? { resources: { requests: extra.requests } } : {}) }],
    },
  });
}

const podStats = (s: Summary, name: string): PodStats | undefined => s.pods.find((p) => p.podRef.name === name && p.podRef.namespace === 'default');

const events = async (filter: (e: CoreEvent) => boolean) =>
  (await node.cluster.client.list<CoreEvent>({ group: '', version: 'v1', resource: 'events' }, { namespace: 'default' })).items.filter(filter);

describe('node stats', () => {
  it('reads a busy loop\'s CPU and a memory volume\'s working set from the Summary API and /metrics/resource', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: pod('busy', 'while true; do :; done') });
    await kubectl.ok(['apply', '-f', '-'], { input: pod('hog', 'dd if=/dev/zero of=/cache/fill bs=1M count=64; trap "exit 0" TERM; while true; do sleep 1; done', { memoryVolume: true }) });
    await kubectl.ok(['apply', '-f', '-'], { input: pod('modest', 'trap "exit 0" TERM; while true; do sleep 1; done', { requests: { memory: '200Mi' } }) });
    for (const name of ['busy', 'hog', 'modest']) await waitRunning(name);
    const summary = await waitFor('the busy loop and the filled volume in the stats', async () => {
      const s = await node.kubelet.stats!.summary();
      const hog = podStats(s, 'hog');
      const cache = hog?.volume?.find((v) => v.name === 'cache');
      // Disk use is measured every 10 s at most: the volume's may show the dd a moment late.
      return (podStats(s, 'busy')?.cpu?.usageNanoCores ?? 0) > 200e6 && (hog?.memory?.workingSetBytes ?? 0) >= 64 * Mi && (cache?.usedBytes ?? 0) >= 64 * Mi && s;
    }, 30_000, 1000);
    const busy = podStats(summary, 'busy')!;
    const hog = podStats(summary, 'hog')!;
    const modest = podStats(summary, 'modest')!;
    expect(busy.podRef.uid).toBe((await getPod('busy'))!.metadata!.uid);
    expect(busy.containers.map((c) => c.name)).toEqual(['main']);
    expect(busy.containers[0].cpu!.usageNanoCores!).toBeGreaterThan(200e6);
    expect(busy.containers[0].cpu!.usageCoreNanoSeconds).toBeGreaterThan(100e6);
    // The idle pod uses next to nothing; the busy one's pod cgroup holds its container's time.
    expect(modest.cpu!.usageNanoCores!).toBeLessThan(busy.cpu!.usageNanoCores! / 4);
    expect(busy.cpu!.usageCoreNanoSeconds).toBeGreaterThanOrEqual(busy.containers[0].cpu!.usageCoreNanoSeconds);
    // tmpfs pages are the writer's memory, and not file pages the kernel could drop.
    expect(hog.containers[0].memory!.workingSetBytes).toBeGreaterThanOrEqual(64 * Mi);
    expect(modest.memory!.workingSetBytes).toBeLessThan(16 * Mi);
    const cache = hog.volume!.find((v) => v.name === 'cache')!;
    expect(cache.usedBytes).toBeGreaterThanOrEqual(64 * Mi);
    expect(hog['ephemeral-storage']!.usedBytes).toBeLessThan(cache.usedBytes); // a memory volume is not disk
    expect(hog.process_stats!.process_count).toBeGreaterThanOrEqual(1);
    expect(hog.containers[0].logs!.usedBytes).toBeGreaterThan(0); // dd's report
    // The node: the whole machine, at least what its pods use.
    expect(summary.node.nodeName).toBe(nodeName);
    expect(summary.node.memory.workingSetBytes).toBeGreaterThan(hog.memory!.workingSetBytes);
    expect(summary.node.cpu.usageNanoCores!).toBeGreaterThan(200e6);
    expect(summary.node.runtime!.imageFs.capacityBytes).toBe(16 * Mi);
    expect(summary.node.runtime!.imageFs.usedBytes).toBeGreaterThan(Mi);
    expect(summary.node.fs!.capacityBytes).toBeGreaterThan(summary.node.fs!.availableBytes);
    expect(summary.node.rlimit.maxpid).toBeGreaterThan(summary.node.rlimit.curproc);
    const only = JSON.parse((await statsSummaryResponse(node.kubelet.stats!, new URLSearchParams('only_cpu_and_memory=true'))).body) as Summary;
    expect(Object.keys(only.node).sort()).toEqual(['cpu', 'memory', 'nodeName', 'startTime', 'systemContainers']);
    expect(Object.keys(podStats(only, 'hog')!).sort()).toEqual(['containers', 'cpu', 'memory', 'podRef', 'startTime']);

    const text = (await resourceMetricsResponse(node.kubelet.stats!)).body;
    expect(text).toMatch(/^container_cpu_usage_seconds_total\{container="main",namespace="default",pod="busy"\} [\d.e+]+ \d{13}$/m);
    const metrics = parseResourceMetrics(text, 0);
    expect(metrics.containers.get('default/hog')!.get('main')!.memoryWorkingSetBytes).toBeGreaterThanOrEqual(64 * Mi);
    expect(metrics.pods.get('default/busy')!.cpuSeconds).toBeGreaterThan(0.1);
    expect(metrics.node!.memoryWorkingSetBytes).toBeGreaterThan(64 * Mi);
    expect(metrics.scrapeError).toBe(false);
  }, 120_000);
});

describe('the stats on the agent\'s endpoint and in the metrics API', () => {
  const agentGet = async (path: string) => {
    const res = await node.cluster.cp.agents.request(nodeName, path);
    let body = '';
    for await (const chunk of res) body += chunk;
    return { status: res.statusCode, type: res.headers['content-type'], body };
  };

  it('serves /stats/summary and /metrics/resource to the API server, and through nodes/proxy', async () => {
    const summary = await agentGet('/stats/summary');
    expect(summary).toMatchObject({ status: 200, type: 'application/json' });
    expect(podStats(JSON.parse(summary.body) as Summary, 'hog')!.memory!.workingSetBytes).toBeGreaterThanOrEqual(64 * Mi);
    const metrics = await agentGet('/metrics/resource');
    expect(metrics).toMatchObject({ status: 200, type: 'text/plain; version=0.0.4; charset=utf-8' });
    expect(metrics.body).toMatch(/^pod_memory_working_set_bytes\{namespace="default",pod="hog"\} \d+ \d{13}$/m);
    // What users read: the node's proxy subresource, through kubectl.
    const raw = JSON.parse(await kubectl.ok(['get', '--raw', `/api/v1/nodes/${nodeName}/proxy/stats/summary?only_cpu_and_memory=true`])) as Summary;
    expect(raw.node.nodeName).toBe(nodeName);
    expect(podStats(raw, 'busy')!.containers[0].cpu!.usageCoreNanoSeconds).toBeGreaterThan(0);
    expect(await kubectl.ok(['get', '--raw', `/api/v1/nodes/${nodeName}/proxy/metrics/resource`])).toMatch(/^node_cpu_usage_seconds_total [\d.e+]+ \d{13}$/m);
    expect((await kubectl.run(['get', '--raw', '/api/v1/nodes/no-such-node/proxy/stats/summary'])).stderr).toMatch(/nodes "no-such-node" not found/);
  });

  it('shows what the agent measures in kubectl top pods and top nodes', async () => {
    const source = node.cluster.cp.metricsSources.find((s): s is AgentMetricsSource => s instanceof AgentMetricsSource)!;
    // Two scrapes, as metrics-server needs for a rate (it would take them 15 s apart).
    await source.scrape();
    await new Promise((r) => setTimeout(r, 2000));
    await source.scrape();
    const rows = (out: string) => out.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    const pods = new Map(rows(await kubectl.ok(['top', 'pods'])).map(([name, cpu, memory]) => [name, { cpu, memory }]));
    expect([...pods.keys()].sort()).toEqual(['busy', 'hog', 'modest']);
    expect(Number(/^(\d+)m$/.exec(pods.get('busy')!.cpu)![1])).toBeGreaterThan(200);
    expect(Number(/^(\d+)Mi$/.exec(pods.get('hog')!.memory)![1])).toBeGreaterThanOrEqual(64);
    expect(Number(/^(\d+)Mi$/.exec(pods.get('modest')!.memory)![1])).toBeLessThan(16);
    const containers = rows(await kubectl.ok(['top', 'pod', 'hog', '--containers']));
    expect(containers.map(([pod, container]) => [pod, container])).toEqual([['hog', 'main']]);
    const [nodeRow] = rows(await kubectl.ok(['top', 'nodes']));
    expect(nodeRow[0]).toBe(nodeName);
    expect(Number(/^(\d+)m$/.exec(nodeRow[1])![1])).toBeGreaterThan(200);
    expect(Number(/^(\d+)Mi$/.exec(nodeRow[3])![1])).toBeGreaterThanOrEqual(64);
  }, 60_000);
});

describe('the HPA on what the agent measures', () => {
  it('scales a Deployment whose pod burns more CPU than it requested', async () => {
    const container = { name: 'main', image: node.image, command: ['sh', '-c', 'while true; do :; done'], resources: { requests: { cpu: '100m' } } };
    await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'burn' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'burn' } }, template: { metadata: { labels: { app: 'burn' } }, spec: { terminationGracePeriodSeconds: 1, containers: [container] } } },
    }) });
    await kubectl.ok(['autoscale', 'deployment', 'burn', '--min=1', '--max=2', '--cpu-percent=50']);
    const source = node.cluster.cp.metricsSources.find((s): s is AgentMetricsSource => s instanceof AgentMetricsSource)!;
    // Scrapes every 2 s instead of metrics-server's 15 s, so the HPA trusts a sample sooner.
    const hpa = await waitFor('the HPA scales burn to 2', async () => {
      await source.scrape();
      const h = await node.cluster.client.get<HorizontalPodAutoscaler>({ group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' }, 'default', 'burn');
      return (h.status?.desiredReplicas ?? 0) >= 2 && h;
    }, 90_000, 2000);
    expect(hpa.status!.currentMetrics![0].resource!.current.averageUtilization!).toBeGreaterThan(100);
    expect((await node.cluster.client.get<Deployment>(gvr.deployments, 'default', 'burn')).spec!.replicas).toBe(2);
    await kubectl.ok(['delete', 'hpa', 'burn']);
    await kubectl.ok(['delete', 'deployment', 'burn', '--wait=true', '--timeout=60s']);
    await waitFor('burn\'s pods gone', async () => (await node.cluster.client.list<Pod>(gvr.pods, { namespace: 'default', labelSelector: 'app=burn' })).items.length === 0, 60_000);
  }, 120_000);
});

describe('eviction', () => {
  it('evicts, one pod per pass, the pods using more than they requested, the largest first, and admits no BestEffort pod meanwhile', async () => {
    const eviction = node.kubelet.eviction!;
    // Nothing is met at upstream's defaults on this machine: no pass evicts.
    expect(await eviction.synchronize()).toBeUndefined();
    const available = readPressure(node.stateDir).memoryAvailableBytes;
    eviction.thresholds = [{ signal: 'memory.available', quantity: available + 1024 * Mi }];
    const first = await eviction.synchronize();
    expect(first?.metadata?.name).toBe('hog');
    const hog = await waitFor('hog Failed', async () => {
      const p = await getPod('hog');
      return p?.status?.phase === 'Failed' && p;
    });
    expect(hog.status!.reason).toBe('Evicted');
    expect(hog.status!.message).toMatch(/^The node was low on resource: memory\. Threshold quantity: \d+(Ki|Mi)?, available: \d+(Ki|Mi)?\. Container main was using \d+(Ki|Mi), request is 0, has larger consumption of memory\. $/);
    expect(hog.status!.conditions!.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'TerminationByKubelet' });
    expect(hog.status!.containerStatuses![0].state!.terminated).toMatchObject({ exitCode: 137 });
    expect((await node.runtime.list()).map((c) => c.id).filter((id) => id.startsWith(hog.metadata!.uid!))).toEqual([]);
    // kubectl shows the pod's reason and message; its STATUS column is the container's end.
    const describe = await kubectl.ok(['describe', 'pod', 'hog']);
    expect(describe).toMatch(/^Status:\s+Failed$/m);
    expect(describe).toMatch(/^Reason:\s+Evicted$/m);
    expect(describe).toMatch(/^Message:\s+The node was low on resource: memory\./m);
    const [evicted] = await waitFor('the Evicted event', async () => {
      const found = await events((e) => e.involvedObject?.name === 'hog' && e.reason === 'Evicted');
      return found.length > 0 && found;
    });
    expect(evicted).toMatchObject({ type: 'Warning', message: hog.status!.message, source: { component: 'kubelet' } });
    // The others still run: one pod per pass.
    expect((await getPod('busy'))!.status!.phase).toBe('Running');

    // Under memory pressure a new BestEffort pod is turned away; one with requests starts.
    await kubectl.ok(['apply', '-f', '-'], { input: pod('late', 'sleep 3600') });
    await kubectl.ok(['apply', '-f', '-'], { input: pod('late-ok', 'trap "exit 0" TERM; while true; do sleep 1; done', { requests: { memory: '100Mi' } }) });
    const late = await waitFor('late rejected', async () => {
      const p = await getPod('late');
      return p?.status?.phase === 'Failed' && p;
    }, 30_000);
    expect(late.status).toMatchObject({ reason: 'Evicted', message: 'Pod was rejected: The node had condition: [MemoryPressure]. ' });
    expect(late.status!.containerStatuses ?? []).toEqual([]);
    await waitFor('the rejection event', async () => (await events((e) => e.involvedObject?.name === 'late' && e.reason === 'Evicted')).length > 0);
    await waitRunning('late-ok');

    // Next the BestEffort loop (above its request of nothing), not the pod within its request.
    expect((await eviction.synchronize())?.metadata?.name).toBe('busy');
    await waitFor('busy Evicted', async () => (await getPod('busy'))?.status?.reason === 'Evicted');
    eviction.thresholds = [];
    expect(await eviction.synchronize()).toBeUndefined();
    expect((await getPod('modest'))!.status!.phase).toBe('Running');
    expect((await getPod('late-ok'))!.status!.phase).toBe('Running');
    for (const name of ['hog', 'busy', 'late', 'late-ok']) await kubectl.ok(['delete', 'pod', name, '--wait=true', '--timeout=60s']);
  }, 120_000);
});

describe('image garbage collection', () => {
  it('removes the unused image past the high threshold, keeps the one in use, says when it cannot free enough, and goes before eviction', async () => {
    // The big image is pulled for a pod that then goes: it stays in the store, unused.
    await kubectl.ok(['apply', '-f', '-'], { input: pod('once', 'true', { image: bigImage, restartPolicy: 'Never' }) });
    await waitFor('once Succeeded', async () => (await getPod('once'))?.status?.phase === 'Succeeded', 60_000);
    await kubectl.ok(['delete', 'pod', 'once', '--wait=true', '--timeout=60s']);
    // A store of its own reads the index the kubelet's writes.
    const images = () => new ImageStore(join(node.stateDir, 'images')).list().then((l) => l.flatMap((i) => i.names.filter((n) => n.endsWith(':1'))));
    expect((await images()).sort()).toEqual([bigImage, node.image].sort());
    const imagesDir = join(node.stateDir, 'images');
    const fs = () => statfsSync(imagesDir);
    // Under the high threshold nothing goes.
    await node.kubelet.imageGC!.garbageCollect();
    expect(await images()).toHaveLength(2);
    // Fill the image file system to 90%: over 85%, and freeing the big image gets it under 80%.
    const fill = (leaveFraction: number, file: string) => writeFileSync(join(imagesDir, file), Buffer.alloc(Math.max(0, fs().bavail * fs().bsize - Math.ceil(fs().blocks * fs().bsize * leaveFraction))));
    fill(0.1, 'filler-1');
    await node.kubelet.imageGC!.garbageCollect();
    expect(await images()).toEqual([node.image]);
    expect(1 - fs().bavail / fs().blocks).toBeLessThan(0.8);

    // Under imagefs pressure the eviction manager removes unused images first, and evicts nobody
    // when that is enough.
    await kubectl.ok(['apply', '-f', '-'], { input: pod('twice', 'true', { image: bigImage, restartPolicy: 'Never' }) });
    await waitFor('twice Succeeded', async () => (await getPod('twice'))?.status?.phase === 'Succeeded', 60_000);
    await kubectl.ok(['delete', 'pod', 'twice', '--wait=true', '--timeout=60s']);
    expect(await images()).toHaveLength(2);
    fill(0.1, 'filler-2');
    const eviction = node.kubelet.eviction!;
    eviction.thresholds = defaultEvictionHard;
    expect(await eviction.synchronize()).toBeUndefined();
    expect(await images()).toEqual([node.image]);
    expect((await getPod('modest'))!.status!.phase).toBe('Running');

    // Now only the image modest runs is left: it is never removed, and the node says so.
    fill(0.03, 'filler-3');
    await expect(node.kubelet.imageGC!.garbageCollect()).rejects.toThrow(/^Failed to garbage collect required amount of images\. Attempted to free \d+ bytes, but only found 0 bytes eligible to free\.$/);
    expect(await images()).toEqual([node.image]);
    const [failed] = await waitFor('the FreeDiskSpaceFailed event', async () => {
      const found = await events((e) => e.reason === 'FreeDiskSpaceFailed');
      return found.length > 0 && found;
    });
    expect(failed).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Node', name: nodeName } });
    expect(failed.message).toMatch(/^Failed to garbage collect required amount of images\./);
    // With nothing left to reclaim, the pod goes: the one writing to its layer, for ephemeral storage.
    expect((await eviction.synchronize())?.metadata?.name).toBe('modest');
    const modest = await waitFor('modest Evicted', async () => {
      const p = await getPod('modest');
      return p?.status?.reason === 'Evicted' && p;
    });
    expect(modest.status!.message).toMatch(/^The node was low on resource: ephemeral-storage\. Threshold quantity: \d+(Ki|Mi)?, available: \d+(Ki|Mi)?\. Container main was using \d+(Ki|Mi)?, request is 0, has larger consumption of ephemeral-storage\. $/);
    eviction.thresholds = [];
    await kubectl.ok(['delete', 'pod', 'modest', '--wait=true', '--timeout=60s']);
  }, 120_000);
});

