// The scheduler against the real API with hollow nodes: where pods go (resources, taints,
// selectors and node affinity, pod affinity and anti-affinity, spreading of a controller's
// replicas, host ports, cordon) and what a pod that fits nowhere tells its user — the upstream
// message in its PodScheduled condition and a FailedScheduling event, as `kubectl describe pod`
// shows them — until capacity appears and it is scheduled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Pod, PodSpec } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { HollowFleet } from '../../src-main/hollow/fleet.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

let cluster: TestCluster;
let kubectl: Kubectl;

// Two small workers and a control-plane node that takes no ordinary pods.
const nodes = [
  { name: 'w1', cpu: '2', memory: '4Gi', labels: { disk: 'ssd' } },
  { name: 'w2', cpu: '2', memory: '4Gi', labels: { disk: 'hdd' } },
  { name: 'cp', cpu: '2', memory: '4Gi', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
];

beforeAll(async () => {
  cluster = await startTestCluster({ simulateNodes: nodes });
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
});
afterAll(async () => {
  await kubectl?.cleanup();
  await cluster?.stop();
});

async function namespace(name: string): Promise<string> {
  await cluster.client.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

function podObject(ns: string, name: string, spec: Partial<PodSpec> = {}, labels?: Record<string, string>, cpu = '10m'): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu, memory: '16Mi' } } }], ...spec },
  };
}

const get = (ns: string, name: string) => cluster.client.get<Pod>(gvr.pods, ns, name);

async function boundTo(ns: string, name: string): Promise<string> {
  return waitFor(`${ns}/${name} bound`, async () => (await get(ns, name)).spec?.nodeName, 20_000);
}

async function unschedulableMessage(ns: string, name: string): Promise<string> {
  return waitFor(`${ns}/${name} marked unschedulable`, async () => {
    const c = (await get(ns, name)).status?.conditions?.find((x) => x.type === 'PodScheduled');
    return c?.status === 'False' && c.reason === 'Unschedulable' && c.message;
  }, 20_000);
}

async function eventsOf(ns: string, name: string): Promise<Event[]> {
  const list = await cluster.client.list<Event>(gvr.events, { namespace: ns });
  return list.items.filter((e) => e.involvedObject.name === name);
}

const notHelpful = (n: number) => `preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`;

describe('scheduler', () => {
  it('a pod that fits nowhere stays Pending with the upstream message and event, and schedules when a big enough node joins', async () => {
    const ns = await namespace('fit');
    await cluster.client.create(gvr.pods, podObject(ns, 'big', {}, undefined, '3'));
    const expected = `0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. ${notHelpful(3)}`;
    expect(await unschedulableMessage(ns, 'big')).toBe(expected);
    const failed = await waitFor('FailedScheduling event', async () => (await eventsOf(ns, 'big')).find((e) => e.reason === 'FailedScheduling'));
    expect(failed).toMatchObject({ type: 'Warning', message: expected, source: { component: 'default-scheduler' }, reportingComponent: 'default-scheduler' });
    const described = await kubectl.ok(['describe', 'pod', 'big', '-n', ns]);
    expect(described).toMatch(/Status:\s+Pending/);
    expect(described).toMatch(/PodScheduled\s+False/);
    expect(described).toMatch(new RegExp(`Warning\\s+FailedScheduling\\s+.*default-scheduler\\s+${expected.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));

    const extra = new HollowFleet({ client: cluster.client, nodes: [{ name: 'big-1', cpu: '8', memory: '16Gi' }], log: () => undefined });
    await extra.start();
    try {
      expect(await boundTo(ns, 'big')).toBe('big-1');
      const scheduled = await waitFor('Scheduled event', async () => (await eventsOf(ns, 'big')).find((e) => e.reason === 'Scheduled'));
      expect(scheduled).toMatchObject({ type: 'Normal', message: `Successfully assigned ${ns}/big to big-1`, source: { component: 'default-scheduler' } });
      await waitFor('big Running', async () => (await get(ns, 'big')).status?.phase === 'Running');
    } finally {
      await cluster.client.delete(gvr.pods, ns, 'big', { gracePeriodSeconds: 0 });
      await extra.stop();
      await cluster.client.delete(gvr.nodes, undefined, 'big-1');
      await waitFor('big-1 deleted', async () => !(await cluster.client.list(gvr.nodes)).items.some((n) => n.metadata?.name === 'big-1'));
    }
  });

  it('taints keep pods out unless tolerated; NoExecute too', async () => {
    const ns = await namespace('taints');
    const onCp = { nodeSelector: { 'kubernetes.io/hostname': 'cp' } };
    await cluster.client.create(gvr.pods, podObject(ns, 'plain', onCp));
    expect(await unschedulableMessage(ns, 'plain')).toBe(
      `0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 node(s) didn't match Pod's node affinity/selector. ${notHelpful(3)}`);
    const tolerating = { ...onCp, tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] };
    await cluster.client.create(gvr.pods, podObject(ns, 'tolerant', tolerating));
    expect(await boundTo(ns, 'tolerant')).toBe('cp');

    await kubectl.ok(['taint', 'node', 'w2', 'maintenance=soon:NoExecute']);
    try {
      for (let i = 0; i < 4; i++) await cluster.client.create(gvr.pods, podObject(ns, `p${i}`));
      for (let i = 0; i < 4; i++) expect(await boundTo(ns, `p${i}`)).toBe('w1');
    } finally {
      await kubectl.ok(['taint', 'node', 'w2', 'maintenance-']);
    }
  });

  it('nodeSelector, required and preferred node affinity', async () => {
    const ns = await namespace('node-affinity');
    await cluster.client.create(gvr.pods, podObject(ns, 'selector', { nodeSelector: { disk: 'ssd' } }));
    const required = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] }] } } };
    await cluster.client.create(gvr.pods, podObject(ns, 'required', { affinity: required }));
    const preferred = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] } }] } };
    await cluster.client.create(gvr.pods, podObject(ns, 'preferred', { affinity: preferred }));
    const nowhere = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['nvme'] }] }] } } };
    await cluster.client.create(gvr.pods, podObject(ns, 'nowhere', { affinity: nowhere }));
    expect(await boundTo(ns, 'selector')).toBe('w1');
    expect(await boundTo(ns, 'required')).toBe('w2');
    expect(await boundTo(ns, 'preferred')).toBe('w2');
    expect(await unschedulableMessage(ns, 'nowhere')).toBe(
      `0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 node(s) didn't match Pod's node affinity/selector. ${notHelpful(3)}`);
    // A node that gets the label takes the waiting pod.
    await kubectl.ok(['label', 'node', 'w2', 'disk=nvme', '--overwrite']);
    try {
      expect(await boundTo(ns, 'nowhere')).toBe('w2');
    } finally {
      await kubectl.ok(['label', 'node', 'w2', 'disk=hdd', '--overwrite']);
    }
  });

  it('pod anti-affinity keeps replicas on different hosts; pod affinity follows a pod', async () => {
    const ns = await namespace('pod-affinity');
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    await cluster.client.create(gvr.pods, podObject(ns, 'cache-1', { affinity: anti }, { app: 'cache', role: 'leader' }));
    const leaderNode = await boundTo(ns, 'cache-1');
    await cluster.client.create(gvr.pods, podObject(ns, 'cache-2', { affinity: anti }, { app: 'cache' }));
    const otherNode = await boundTo(ns, 'cache-2');
    expect(new Set([leaderNode, otherNode])).toEqual(new Set(['w1', 'w2']));
    await cluster.client.create(gvr.pods, podObject(ns, 'cache-3', { affinity: anti }, { app: 'cache' }));
    expect(await unschedulableMessage(ns, 'cache-3')).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.");

    const near = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { role: 'leader' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    for (const n of ['web-1', 'web-2']) await cluster.client.create(gvr.pods, podObject(ns, n, { affinity: near }));
    expect(await boundTo(ns, 'web-1')).toBe(leaderNode);
    expect(await boundTo(ns, 'web-2')).toBe(leaderNode);

    // The replica that had to wait gets a host as soon as one of its peers is gone.
    await cluster.client.delete(gvr.pods, ns, 'cache-2');
    expect(await boundTo(ns, 'cache-3')).toBe(otherNode);
  });

  it("spreads a controller's replicas across nodes", async () => {
    const ns = await namespace('spread');
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: ns },
      spec: { replicas: 6, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podObject(ns, 'x').spec! } },
    };
    await cluster.client.create(gvr.replicaSets, rs);
    const perNode = await waitFor('6 replicas bound', async () => {
      const pods = (await cluster.client.list<Pod>(gvr.pods, { namespace: ns })).items.filter((p) => p.spec?.nodeName && !p.metadata?.deletionTimestamp);
      if (pods.length < 6) return undefined;
      const counts: Record<string, number> = {};
      for (const p of pods) counts[p.spec!.nodeName!] = (counts[p.spec!.nodeName!] ?? 0) + 1;
      return counts;
    }, 30_000);
    expect(perNode).toEqual({ w1: 3, w2: 3 });
  });

  it('host ports: a taken port sends the next pod elsewhere, and with every node taken it waits', async () => {
    const ns = await namespace('ports');
    const withPort = (name: string) => podObject(ns, name, { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80, hostPort: 18080 }] }] });
    await cluster.client.create(gvr.pods, withPort('a'));
    const first = await boundTo(ns, 'a');
    await cluster.client.create(gvr.pods, withPort('b'));
    const second = await boundTo(ns, 'b');
    expect(new Set([first, second])).toEqual(new Set(['w1', 'w2']));
    await cluster.client.create(gvr.pods, withPort('c'));
    expect(await unschedulableMessage(ns, 'c')).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 node(s) didn't have free ports for the requested pod ports. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.");
    await cluster.client.delete(gvr.pods, ns, 'a');
    expect(await boundTo(ns, 'c')).toBe(first);
  });

  it('a cordoned node takes no new pods; uncordoned, it takes the waiting ones', async () => {
    const ns = await namespace('cordon');
    await kubectl.ok(['cordon', 'w1']);
    try {
      await cluster.client.create(gvr.pods, podObject(ns, 'one'));
      expect(await boundTo(ns, 'one')).toBe('w2');
      await kubectl.ok(['cordon', 'w2']);
      await cluster.client.create(gvr.pods, podObject(ns, 'two'));
      expect(await unschedulableMessage(ns, 'two')).toBe(
        `0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 node(s) were unschedulable. ${notHelpful(3)}`);
      await kubectl.ok(['uncordon', 'w1']);
      expect(await boundTo(ns, 'two')).toBe('w1');
    } finally {
      await kubectl.run(['uncordon', 'w1']);
      await kubectl.run(['uncordon', 'w2']);
    }
  });
});
