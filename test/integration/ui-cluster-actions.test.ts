// The UI's workload and node actions (src-main/bridge/services/workloads.ts, nodes.ts) against the
// real API server, controllers and hollow nodes, checked against what kubectl itself reports and
// writes: rollout history and undo, a CronJob's manual Job, drain, and the usage sampler.
import type { DaemonSet, Deployment } from 'kubernetes-types/apps/v1';
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gvr } from '../../src-main/client/resources.ts';
import { dispatch, type MethodTable } from '../../src-main/bridge/method.ts';
import { UsageSampler } from '../../src-main/bridge/nodes/usage-sampler.ts';
import type { BridgeEvent, MethodName, ParamsOf, ResultOf } from '../../src-main/bridge/protocol.ts';
import { createServices } from '../../src-main/bridge/services/index.ts';
import { NodeRegistry } from '../../src-main/provision/cli/node-registry.ts';
import { Session } from '../../src-main/bridge/session.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

const ns = 'default';
let cluster: TestCluster;
let kubectl: Kubectl;
let services: MethodTable;
const session = new Session(() => {});

function call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
  return dispatch(services, method, params, { session }) as Promise<ResultOf<M>>;
}

function deployment(name: string, image: string): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } } },
  };
}

const setImage = (kind: 'deployments' | 'daemonSets', name: string, image: string, cause: string) =>
  cluster.client.patch(gvr[kind], ns, name, { metadata: { annotations: { 'kubernetes.io/change-cause': cause } }, spec: { template: { spec: { containers: [{ name: 'c', image }] } } } }, 'strategic');

beforeAll(async () => {
  cluster = await startTestCluster({ simulateNodes: 3 });
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
  services = createServices({ client: cluster.client });
}, 60_000);

afterAll(async () => {
  session.close();
  await kubectl?.cleanup();
  await cluster?.stop();
});

describe('Deployment rollout history and undo', () => {
  beforeAll(async () => {
    await cluster.client.create(gvr.deployments, deployment('web', 'nginx:1.25'));
    await waitFor('revision 1', async () => (await call('rolloutHistory', { kind: 'deployments', namespace: ns, name: 'web' })).length === 1);
    await setImage('deployments', 'web', 'nginx:1.26', 'to 1.26');
    await waitFor('revision 2', async () => (await call('rolloutHistory', { kind: 'deployments', namespace: ns, name: 'web' })).length === 2);
    await setImage('deployments', 'web', 'nginx:1.27', 'to 1.27');
    await waitFor('revision 3', async () => (await call('rolloutHistory', { kind: 'deployments', namespace: ns, name: 'web' })).length === 3);
  }, 60_000);

  it('lists the revisions kubectl rollout history lists, newest first, with images and change-cause', async () => {
    const history = await call('rolloutHistory', { kind: 'deployments', namespace: ns, name: 'web' });
    expect(history.map((r) => [r.revision, r.images, r.changeCause, r.current])).toEqual([
      [3, ['nginx:1.27'], 'to 1.27', true],
      [2, ['nginx:1.26'], 'to 1.26', false],
      [1, ['nginx:1.25'], '', false],
    ]);
    const out = await kubectl.ok(['rollout', 'history', 'deployment/web']);
    const rows = out.trim().split('\n').slice(2).map((l) => l.trim().split(/\s+/, 2));
    expect(rows).toEqual([['1', '<none>'], ['2', 'to'], ['3', 'to']]);
  });

  it('undo to a revision restores its template and change-cause, as kubectl rollout undo --to-revision', async () => {
    expect(await call('rolloutUndo', { kind: 'deployments', namespace: ns, name: 'web', toRevision: 2 })).toEqual({ revision: 2 });
    const d = await cluster.client.get<Deployment>(gvr.deployments, ns, 'web');
    expect(d.spec?.template?.spec?.containers[0]?.image).toBe('nginx:1.26');
    expect(d.spec?.template?.metadata?.labels).toEqual({ app: 'web' });
    expect(d.metadata?.annotations?.['kubernetes.io/change-cause']).toBe('to 1.26');
    // The controller renumbers the restored ReplicaSet; kubectl sees the same.
    await waitFor('revision 4', async () => (await call('rolloutHistory', { kind: 'deployments', namespace: ns, name: 'web' }))[0]?.images[0] === 'nginx:1.26');
    expect(await kubectl.ok(['rollout', 'history', 'deployment/web', '--revision=4'])).toContain('nginx:1.26');
  });

  it('undo without a revision goes to the one before the current, like kubectl', async () => {
    await call('rolloutUndo', { kind: 'deployments', namespace: ns, name: 'web', toRevision: 0 });
    await waitFor('back to 1.27', async () => (await cluster.client.get<Deployment>(gvr.deployments, ns, 'web')).spec?.template?.spec?.containers[0]?.image === 'nginx:1.27');
  });

  it('refuses a revision that does not exist or is current, and changes nothing', async () => {
    await waitFor('1.27 current', async () => (await call('rolloutHistory', { kind: 'deployments', namespace: ns, name: 'web' }))[0]?.images[0] === 'nginx:1.27');
    const before = (await cluster.client.get<Deployment>(gvr.deployments, ns, 'web')).metadata?.generation;
    await expect(call('rolloutUndo', { kind: 'deployments', namespace: ns, name: 'web', toRevision: 99 })).rejects.toThrow('unable to find specified revision 99 in history');
    const current = (await call('rolloutHistory', { kind: 'deployments', namespace: ns, name: 'web' }))[0]!.revision;
    await expect(call('rolloutUndo', { kind: 'deployments', namespace: ns, name: 'web', toRevision: current })).rejects.toThrow(`current template already matches revision ${current}`);
    expect((await cluster.client.get<Deployment>(gvr.deployments, ns, 'web')).metadata?.generation).toBe(before);
  });

  it('checks its parameters', async () => {
    await expect(call('scaleWorkload', { kind: 'deployments', namespace: ns, name: 'web', replicas: -1 })).rejects.toThrow('replicas must be an integer from 0 to 100000');
    await expect(call('rolloutUndo', { kind: 'jobs' as 'deployments', namespace: ns, name: 'web', toRevision: 1 })).rejects.toThrow('kind must be one of deployments, daemonsets, statefulsets');
  });

  it('scale goes through the scale subresource; restart stamps restartedAt', async () => {
    await call('scaleWorkload', { kind: 'deployments', namespace: ns, name: 'web', replicas: 4 });
    expect((await cluster.client.get<Deployment>(gvr.deployments, ns, 'web')).spec?.replicas).toBe(4);
    await call('restartWorkload', { kind: 'deployments', namespace: ns, name: 'web' });
    const at = (await cluster.client.get<Deployment>(gvr.deployments, ns, 'web')).spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
    expect(Math.abs(Date.parse(at!) - Date.now())).toBeLessThan(60_000);
  });
});

describe('DaemonSet history from ControllerRevisions', () => {
  it('lists and undoes as kubectl rollout undo daemonset --to-revision', async () => {
    const ds: DaemonSet = {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: ns },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'agent:1' }] } } },
    };
    await cluster.client.create(gvr.daemonSets, ds);
    await waitFor('revision 1', async () => (await call('rolloutHistory', { kind: 'daemonsets', namespace: ns, name: 'agent' })).length === 1);
    await setImage('daemonSets', 'agent', 'agent:2', 'to 2');
    await waitFor('revision 2', async () => (await call('rolloutHistory', { kind: 'daemonsets', namespace: ns, name: 'agent' })).length === 2);
    const history = await call('rolloutHistory', { kind: 'daemonsets', namespace: ns, name: 'agent' });
    expect(history.map((r) => [r.revision, r.images, r.current])).toEqual([[2, ['agent:2'], true], [1, ['agent:1'], false]]);
    await call('rolloutUndo', { kind: 'daemonsets', namespace: ns, name: 'agent', toRevision: 1 });
    expect((await cluster.client.get<DaemonSet>(gvr.daemonSets, ns, 'agent')).spec?.template?.spec?.containers[0]?.image).toBe('agent:1');
    await waitFor('renumbered', async () => (await call('rolloutHistory', { kind: 'daemonsets', namespace: ns, name: 'agent' }))[0]?.images[0] === 'agent:1');
  }, 60_000);
});

describe('CronJob trigger and suspend', () => {
  it('makes the Job kubectl create job --from=cronjob makes', async () => {
    const cron: CronJob = {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: ns },
      spec: { schedule: '0 3 * * *', suspend: true, jobTemplate: { metadata: { labels: { team: 'a' }, annotations: { note: 'x' } }, spec: { backoffLimit: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } },
    };
    await cluster.client.create(gvr.cronJobs, cron);
    const { job } = await call('triggerCronJob', { namespace: ns, name: 'nightly' });
    expect(job).toMatch(/^nightly-manual-[0-9a-f]{5}$/);
    await kubectl.ok(['create', 'job', 'by-kubectl', '--from=cronjob/nightly']);
    const ours = await cluster.client.get<Job>(gvr.jobs, ns, job);
    const theirs = await cluster.client.get<Job>(gvr.jobs, ns, 'by-kubectl');
    const shape = (j: Job) => ({
      annotations: j.metadata?.annotations, labels: Object.fromEntries(Object.entries(j.metadata?.labels ?? {}).filter(([k]) => k === 'team')),
      owners: j.metadata?.ownerReferences?.map(({ apiVersion, kind, name, uid, controller }) => ({ apiVersion, kind, name, uid, controller })),
      backoffLimit: j.spec?.backoffLimit, image: j.spec?.template.spec?.containers[0]?.image,
    });
    expect(shape(ours)).toEqual(shape(theirs));
    expect(ours.metadata?.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    await call('suspendCronJob', { namespace: ns, name: 'nightly', suspend: false });
    expect((await cluster.client.get<CronJob>(gvr.cronJobs, ns, 'nightly')).spec?.suspend).toBe(false);
  });
});

describe('drain', () => {
  it('cordons, then removes every pod but DaemonSet and mirror pods, using the provisioning drain', async () => {
    const node = 'sim-2';
    const podsOn = async () => (await cluster.client.list<Pod>(gvr.pods, { fieldSelector: `spec.nodeName=${node}` })).items;
    await waitFor('web and agent pods on the node', async () => {
      const pods = await podsOn();
      return pods.some((p) => p.metadata?.labels?.app === 'web') && pods.some((p) => p.metadata?.labels?.app === 'agent');
    });
    await cluster.client.create(gvr.pods, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `static-${node}`, namespace: 'kube-system', annotations: { 'kubernetes.io/config.mirror': 'abc' } },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'static' }] },
    } as Pod);
    // A pod no controller owns: refused without force, as kubectl drain without --force, and nothing changes.
    await cluster.client.create(gvr.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bare', namespace: ns }, spec: { nodeName: node, containers: [{ name: 'c', image: 'x' }] } } as Pod);
    await expect(call('drainNode', { name: node })).rejects.toThrow(`cannot delete Pods that declare no controller (use force to override): ${ns}/bare`);
    expect((await cluster.client.get<Node>(gvr.nodes, undefined, node)).spec?.unschedulable).toBeFalsy();
    await call('drainNode', { name: node, force: true });
    expect((await cluster.client.get<Node>(gvr.nodes, undefined, node)).spec?.unschedulable).toBe(true);
    const left = (await podsOn()).map((p) => p.metadata?.labels?.app ?? p.metadata?.name).sort();
    expect(left).toEqual(['agent', `static-${node}`]);
    await call('cordonNode', { name: node, unschedulable: false });
    expect((await cluster.client.get<Node>(gvr.nodes, undefined, node)).spec?.unschedulable).toBeFalsy();
  }, 60_000);
});

describe('usage sampler', () => {
  it('keeps samples of the metrics API while listened to, and stops with its last listener', async () => {
    const sampler = new UsageSampler(cluster.client, { intervalMs: 100 });
    const seen: number[] = [];
    const stop = sampler.subscribe((s) => seen.push(s.nodes.length));
    await waitFor('two samples', () => sampler.history.length >= 2);
    stop();
    expect(sampler.running).toBe(false);
    expect(sampler.history[0]).toMatchObject({ available: true });
    expect(sampler.history[0]!.nodes.map((n) => n.name).sort()).toEqual(['sim-1', 'sim-2', 'sim-3']);
    expect(sampler.history[0]!.nodes[0]!.memory).toBeGreaterThan(0);
    expect(seen.length).toBe(sampler.history.length);
  });

  it('says metrics are not available when no node reports usage', async () => {
    for (const n of cluster.fleet.nodeNames()) cluster.fleet.silence(n);
    try {
      // The metrics API reuses a collection for a second.
      const sampler = new UsageSampler(cluster.client);
      const sample = await waitFor('a sample without nodes', async () => {
        const s = await sampler.sample();
        return s.nodes.length === 0 && s;
      }, 5000, 300);
      expect(sample).toMatchObject({ available: false, nodes: [], reason: 'no node reports its usage' });
    } finally {
      for (const n of cluster.fleet.nodeNames()) await cluster.fleet.resume(n);
    }
  });
});

describe('remove a node added over SSH', () => {
  it('refuses a node not in the registry, and ends with the SSH error (the Node kept) when the host is not reached', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kubelab-ui-remove-'));
    try {
      const withData = createServices({ client: cluster.client, dataDir });
      const run = <M extends MethodName>(method: M, params: ParamsOf<M>) => dispatch(withData, method, params, { session }) as Promise<ResultOf<M>>;
      expect(await run('sshNodes', {})).toEqual([]);
      await expect(run('removeNode', { name: 'sim-3' })).rejects.toThrow('node sim-3 was not added from this computer: delete its Node instead');
      // Port 1 on this machine refuses: the connect step fails, nothing else runs.
      new NodeRegistry(dataDir).set('sim-3', { address: 'nobody@127.0.0.1:1', auth: 'key', keyPath: join(dataDir, 'no-key'), server: 'https://127.0.0.1:6443' });
      writeFileSync(join(dataDir, 'no-key'), 'not a key');
      expect(await run('sshNodes', {})).toEqual(['sim-3']);
      const events: BridgeEvent[] = [];
      const own = new Session((e) => events.push(e));
      const { stream } = await dispatch(withData, 'removeNode', { name: 'sim-3' }, { session: own }) as { stream: number };
      const end = await waitFor('the stream end', () => events.find((e) => e.type === 'stream-end' && e.stream === stream));
      expect(end).toMatchObject({ type: 'stream-end', error: expect.any(String) });
      expect(events.filter((e) => e.type === 'stream').map((e) => (e as { message: { event: { step: string; status: string } } }).message.event))
        .toEqual([expect.objectContaining({ step: 'connect', status: 'started' }), expect.objectContaining({ step: 'connect', status: 'failed' })]);
      expect((await cluster.client.get<Node>(gvr.nodes, undefined, 'sim-3')).spec?.unschedulable).toBeFalsy();
      expect(new NodeRegistry(dataDir).get('sim-3')).toBeDefined();
      own.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
