// The kubelet loop through the real API: pods created with kubectl are scheduled to a node that
// this test's agent registered, run as real runc containers from an image in a real registry, in
// a CNI network on a test host, and their status (phase, containerStatuses, podIP) is what
// kubectl shows. Restart policies, CrashLoopBackOff and deletion are followed to the end, and
// nothing is left on the machine.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event as CoreEvent, Node as K8sNode, Pod } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../src-main/client/api-error.ts';
import { gvr } from '../../src-main/client/resources.ts';
import type { OciRuntime } from '../../src-main/agent/runtime/oci-runtime.ts';
import { mountsUnder } from '../../src-main/agent/volumes/pod-volumes.ts';
import type { TestRegistry } from '../fixtures/images/test-registry.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

let node: TestNode;
let dir: string;
let cluster: TestCluster;
let kubectl: Kubectl;
let registry: TestRegistry;
let runtime: OciRuntime;
let image: string;

const getPod = (name: string) => cluster.client.get<Pod>(gvr.pods, 'default', name).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));

beforeAll(async () => {
  node = await startTestNode('klk');
  ({ cluster, registry, runtime, image, dir } = node);
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
});

afterAll(async () => {
  await kubectl?.cleanup();
  const logs = cluster?.logs.filter((l) => l.startsWith('kubelet')).join('\n');
  const left = await node?.stop();
  expect(left?.containers).toEqual([]);
  expect(left?.mounts).toEqual([]);
  // Other test files run at the same time: only this file's pods count.
  expect(left?.netns, logs).toEqual([]);
});

function podManifest(name: string, script: string, restartPolicy = 'Always'): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { restartPolicy, terminationGracePeriodSeconds: 5, containers: [{ name: 'main', image, command: ['sh', '-c', script] }] } });
}

describe('the kubelet loop', () => {
  it('runs a pod kubectl created: Running and Ready, with its pod IP and a runc container', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: podManifest('web', 'trap "exit 0" TERM; echo started; while true; do sleep 1; done') });
    const pod = await waitFor(`web Running\n${cluster.logs.slice(-5).join('\n')}`, async () => {
      const p = await getPod('web');
      return p?.status?.phase === 'Running' && p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && p;
    }, 60_000);
    const registered = await cluster.client.get<K8sNode>(gvr.nodes, undefined, node.nodeName);
    expect(pod.spec!.nodeName).toBe(node.nodeName);
    expect(pod.status!.podIP!.split('.').slice(0, 3).join('.')).toBe(registered.spec!.podCIDR!.split('.').slice(0, 3).join('.'));
    const cs = pod.status!.containerStatuses![0];
    expect(cs).toMatchObject({ name: 'main', ready: true, started: true, restartCount: 0, image });
    expect(cs.containerID).toMatch(/^runc:\/\//);
    expect(cs.imageID).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(cs.state!.running!.startedAt).toBeDefined();
    expect((await runtime.state(cs.containerID!.slice('runc://'.length))).status).toBe('running');
    expect(await kubectl.ok(['get', 'pod', 'web'])).toMatch(/^web\s+1\/1\s+Running\s+0\s/m);
    // The kubelet's events, as `kubectl describe pod` shows them.
    const describe = await waitFor('the kubelet events', async () => {
      const out = await kubectl.ok(['describe', 'pod', 'web']);
      return out.includes('Started container main') && out;
    });
    expect(describe).toMatch(/Normal\s+Pulling\s+\S+\s+kubelet\s+Pulling image "127\.0\.0\.1:\d+\/test\/busybox:1"/);
    expect(describe).toMatch(/Normal\s+Pulled\s+\S+\s+kubelet\s+Successfully pulled image "\S+" in [\d.]+s \([\d.]+s including waiting\)\. Image size: \d+ bytes\./);
    expect(describe).toMatch(/Normal\s+Created\s+\S+\s+kubelet\s+Created container: main/);
  });

  it('ends Never and OnFailure pods as Failed and Succeeded with their exit codes', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: podManifest('fails', 'exit 3', 'Never') });
    await kubectl.ok(['apply', '-f', '-'], { input: podManifest('done', 'exit 0', 'OnFailure') });
    const failed = await waitFor('fails Failed', async () => (await getPod('fails'))?.status?.phase === 'Failed' && getPod('fails'), 60_000);
    expect(failed!.status!.containerStatuses![0].state!.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    const succeeded = await waitFor('done Succeeded', async () => (await getPod('done'))?.status?.phase === 'Succeeded' && getPod('done'), 60_000);
    expect(succeeded!.status!.containerStatuses![0].state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(succeeded!.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    // A finished pod gives back its sandbox: no namespace, no runc state, no mount; its status stays.
    for (const pod of [failed!, succeeded!]) {
      const uid = pod.metadata!.uid!;
      await waitFor(`${pod.metadata!.name} released`, async () => !execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(uid) && !(await runtime.list()).some((c) => c.id.startsWith(uid)) && mountsUnder(dir).every((m) => !m.includes(uid)), 30_000);
      expect((await getPod(pod.metadata!.name!))!.status!.podIP).toBe(pod.status!.podIP);
    }
  });

  it('backs off a failed pull as ImagePullBackOff, with the registry\'s reason', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'no-image' }, spec: { containers: [{ name: 'main', image: `${registry.host}/test/busybox:missing` }] } }) });
    const backingOff = await waitFor('no-image in ImagePullBackOff', async () => {
      const p = await getPod('no-image');
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff' && p;
    }, 60_000);
    expect(backingOff.status!.phase).toBe('Pending');
    expect(backingOff.status!.containerStatuses![0].state!.waiting!.message).toMatch(/^Back-off pulling image "127\.0\.0\.1:\d+\/test\/busybox:missing": ErrImagePull: .*manifest unknown/i);
    const reasons = await waitFor('the pull events', async () => {
      const list = await cluster.client.list<CoreEvent>({ group: '', version: 'v1', resource: 'events' }, { namespace: 'default' });
      const mine = list.items.filter((e) => e.involvedObject?.name === 'no-image').map((e) => `${e.reason}: ${e.message}`);
      return mine.some((m) => m.startsWith('BackOff')) && mine;
    });
    expect(reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^Failed: Failed to pull image/), 'Failed: Error: ErrImagePull', `BackOff: Back-off pulling image "${registry.host}/test/busybox:missing"`, 'Failed: Error: ImagePullBackOff']));
    expect(await kubectl.ok(['get', 'pod', 'no-image'])).toMatch(/^no-image\s+0\/1\s+ImagePullBackOff\s/m);
  });

  it('restarts an Always pod after CrashLoopBackOff, keeping the last state', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: podManifest('crash', 'exit 1') });
    const backingOff = await waitFor('crash in CrashLoopBackOff', async () => {
      const p = await getPod('crash');
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff' && p;
    }, 60_000);
    expect(backingOff.status!.phase).toBe('Running');
    // While it waits, lastState is the run that just ended (as upstream), not the one before.
    expect(backingOff.status!.containerStatuses![0].lastState!.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    const events = await waitFor('a BackOff event', async () => {
      const list = await cluster.client.list<CoreEvent>({ group: '', version: 'v1', resource: 'events' }, { namespace: 'default' });
      return list.items.find((e) => e.involvedObject?.name === 'crash' && e.reason === 'BackOff');
    });
    expect(events.message).toMatch(/^Back-off restarting failed container main in pod crash_default\(/);
    const restarted = await waitFor('crash restarted once', async () => {
      const p = await getPod('crash');
      return (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p;
    }, 60_000);
    expect(restarted.status!.containerStatuses![0].lastState!.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  });

  it('runs init containers first, in order, and fails a Never pod whose init container fails', async () => {
    const shared = { volumes: [{ name: 'work', emptyDir: {} }] };
    const mount = { volumeMounts: [{ name: 'work', mountPath: '/work' }] };
    const withInit = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'with-init' },
      spec: {
        ...shared, terminationGracePeriodSeconds: 5,
        initContainers: [
          { name: 'first', image, command: ['sh', '-c', 'echo first > /work/order'], ...mount },
          { name: 'second', image, command: ['sh', '-c', 'echo second >> /work/order'], ...mount },
        ],
        containers: [{ name: 'main', image, command: ['sh', '-c', 'cat /work/order; trap "exit 0" TERM; while true; do sleep 1; done'], ...mount }],
      },
    };
    await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(withInit) });
    const running = await waitFor('with-init Running', async () => (await getPod('with-init'))?.status?.phase === 'Running' && getPod('with-init'), 60_000);
    expect(running!.status!.initContainerStatuses!.map((c) => [c.name, c.ready, c.state!.terminated?.reason])).toEqual([['first', true, 'Completed'], ['second', true, 'Completed']]);
    expect(running!.status!.conditions!.find((c) => c.type === 'Initialized')!.status).toBe('True');
    // The container's output, in its CRI log (<stateDir>/logs/<ns>_<pod>_<uid>/<container>/<restarts>.log).
    const log = join(dir, 'state', 'logs', `default_with-init_${running!.metadata!.uid}`, 'main', '0.log');
    const lines = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^\S+ stdout F /, ''));
    await waitFor('main printed the init output', () => lines().join(',') === 'first,second');

    const failing = { ...withInit, metadata: { name: 'init-fails' }, spec: { ...withInit.spec, restartPolicy: 'Never', initContainers: [{ name: 'check', image, command: ['sh', '-c', 'exit 2'] }] } };
    await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(failing) });
    const failed = await waitFor('init-fails Failed', async () => (await getPod('init-fails'))?.status?.phase === 'Failed' && getPod('init-fails'), 60_000);
    expect(failed!.status!.initContainerStatuses![0].state!.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(failed!.status!.containerStatuses![0].state!.waiting!.reason).toBe('PodInitializing');
    expect(failed!.status!.conditions!.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized' });
  });

  it('keeps a container that cannot start waiting with the runtime\'s reason, and nothing of it mounted', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'no-binary' }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image, command: ['no-such-binary'] }] } }) });
    const waiting = await waitFor('no-binary waiting', async () => {
      const p = await getPod('no-binary');
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'RunContainerError' && p;
    }, 60_000);
    expect(waiting.status!.phase).toBe('Pending');
    expect(waiting.status!.containerStatuses![0].state!.waiting!.message).toMatch(/"no-such-binary": executable file not found/);
    expect(mountsUnder(join(dir, 'state', 'containers')).filter((m) => m.includes(waiting.metadata!.uid!))).toEqual([]);
  });

  it('stops a deleted pod, removes it from the node and then from the API', async () => {
    const pod = (await getPod('web'))!;
    const id = pod.status!.containerStatuses![0].containerID!.slice('runc://'.length);
    await kubectl.ok(['delete', 'pod', 'web', '--wait=true', '--timeout=60s']);
    expect(await getPod('web')).toBeUndefined();
    expect((await runtime.list()).map((c) => c.id)).not.toContain(id);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(pod.metadata!.uid!);
    for (const name of ['fails', 'done', 'crash', 'with-init', 'init-fails', 'no-binary', 'no-image']) await kubectl.ok(['delete', 'pod', name, '--wait=true', '--timeout=60s']);
    await waitFor('no container left', async () => (await runtime.list()).length === 0, 30_000);
  });
});
