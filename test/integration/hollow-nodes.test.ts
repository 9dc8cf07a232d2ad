import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { hollowAnnotations } from '../../src-main/hollow/fleet.ts';
import { FakeClock } from '../../src-main/util/clock.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';

const clock = new FakeClock();
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ clock, simulateNodes: 2, hollow: { readyDelayMs: 5000 } });
});
afterAll(async () => cluster?.stop());

const bound = (name: string, node: string, annotations: Record<string, string> = {}, restartPolicy = 'Always') => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'default', annotations },
  spec: { nodeName: node, restartPolicy, containers: [{ name: 'c', image: 'busybox' }] },
});

describe('hollow nodes', () => {
  it('register Nodes with capacity, conditions and a Lease', async () => {
    const node = await cluster.client.get<Node>(gvr.nodes, undefined, 'sim-1');
    expect(node.status?.capacity).toMatchObject({ cpu: '4', memory: '16Gi', pods: '110' });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status?.addresses?.[0]).toEqual({ type: 'InternalIP', address: '198.18.0.1' });
    const lease = await cluster.client.get<Lease>(gvr.leases, 'kube-node-lease', 'sim-1');
    expect(lease.spec?.holderIdentity).toBe('sim-1');
    await clock.advance(10_000);
    const renewed = await waitFor('a renewed lease', async () => {
      const l = await cluster.client.get<Lease>(gvr.leases, 'kube-node-lease', 'sim-1');
      return l.spec?.renewTime !== lease.spec?.renewTime && l;
    });
    expect(Date.parse(renewed.spec!.renewTime!)).toBe(clock.now());
  });

  it('run a bound pod, make it Ready after the delay, and finish its deletion', async () => {
    await cluster.client.create(gvr.pods, bound('web', 'sim-1'));
    const running = await waitFor('Running', async () => {
      const p = await cluster.client.get<Pod>(gvr.pods, 'default', 'web');
      return p.status?.phase === 'Running' && p;
    });
    expect(running.status?.podIP).toBeTruthy();
    expect(running.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    await clock.advance(5000);
    await waitFor('Ready', async () => {
      const p = await cluster.client.get<Pod>(gvr.pods, 'default', 'web');
      return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    });
    await cluster.client.delete(gvr.pods, 'default', 'web');
    await waitFor('the pod gone', async () => {
      const list = await cluster.client.list(gvr.pods, { namespace: 'default' });
      return !list.items.some((p) => p.metadata?.name === 'web');
    });
  });

  it('finish pods told to exit: Succeeded, Failed, or restarted under restartPolicy Always', async () => {
    await cluster.client.create(gvr.pods, bound('ok', 'sim-2', { [hollowAnnotations.runSeconds]: '3' }, 'Never'));
    await cluster.client.create(gvr.pods, bound('bad', 'sim-2', { [hollowAnnotations.runSeconds]: '3', [hollowAnnotations.exitCode]: '2' }, 'Never'));
    await cluster.client.create(gvr.pods, bound('again', 'sim-2', { [hollowAnnotations.runSeconds]: '3', [hollowAnnotations.exitCode]: '1' }, 'Always'));
    await waitFor('all running', async () => {
      const list = await cluster.client.list<Pod>(gvr.pods, { namespace: 'default', fieldSelector: 'spec.nodeName=sim-2' });
      return list.items.filter((p) => p.status?.phase === 'Running').length === 3;
    });
    await clock.advance(3000);
    const phase = async (n: string) => (await cluster.client.get<Pod>(gvr.pods, 'default', n)).status;
    await waitFor('ok Succeeded', async () => (await phase('ok'))?.phase === 'Succeeded');
    await waitFor('bad Failed', async () => (await phase('bad'))?.phase === 'Failed');
    const bad = await phase('bad');
    expect(bad?.containerStatuses?.[0].state?.terminated?.exitCode).toBe(2);
    await waitFor('again restarted', async () => (await phase('again'))?.containerStatuses?.[0].restartCount === 1);
    expect((await phase('again'))?.phase).toBe('Running');
  });

  it('a silenced node stops renewing its lease; resumed, it renews at once', async () => {
    const before = await cluster.client.get<Lease>(gvr.leases, 'kube-node-lease', 'sim-2');
    cluster.fleet.silence('sim-2');
    await clock.advance(20_000);
    const after = await cluster.client.get<Lease>(gvr.leases, 'kube-node-lease', 'sim-2');
    expect(after.spec?.renewTime).toBe(before.spec?.renewTime);
    await cluster.fleet.resume('sim-2');
    const resumed = await cluster.client.get<Lease>(gvr.leases, 'kube-node-lease', 'sim-2');
    expect(Date.parse(resumed.spec!.renewTime!)).toBe(clock.now());
  });

  it('report usage for the metrics API', () => {
    const report = cluster.fleet.collect();
    expect(report.nodes.map((n) => n.name).sort()).toEqual(['sim-1', 'sim-2']);
    expect(report.pods.find((p) => p.name === 'again')?.containers[0].cpuNanoCores).toBeGreaterThan(0);
  });
});
