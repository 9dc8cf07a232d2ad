// Pods that run differently from the plain case. A container over its memory limit is killed by
// the kernel's OOM killer in its cgroup, and the status says so as upstream does (OOMKilled, 137).
// A hostNetwork pod gets no CNI network: it shares the node's namespace and has the node's IP.
import { readlinkSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

let bed: TestNode;
let kubectl: Kubectl;

beforeAll(async () => {
  bed = await startTestNode('kloom');
  kubectl = new Kubectl('1.35', bed.cluster.kubeconfigPath);
}, 120_000);

afterAll(async () => {
  await kubectl?.cleanup();
  const left = await bed?.stop();
  expect(left?.containers).toEqual([]);
});

describe('a memory limit', () => {
  it('ends a container that goes over it as OOMKilled', async () => {
    // tail buffers one endless "line" of /dev/zero: it grows until the limit stops it.
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hungry' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: bed.image, command: ['tail', '/dev/zero'], resources: { limits: { memory: '16Mi' } } }] },
    };
    await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    const failed = await waitFor('hungry Failed', async () => {
      const p = await bed.cluster.client.get<Pod>(gvr.pods, 'default', 'hungry');
      return p.status?.phase === 'Failed' && p;
    }, 60_000);
    expect(failed.status!.containerStatuses![0].state!.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(await kubectl.ok(['get', 'pod', 'hungry'])).toMatch(/^hungry\s+0\/1\s+OOMKilled\s+0\s/m);
    await kubectl.ok(['delete', 'pod', 'hungry', '--wait=true', '--timeout=60s']);
  });
});

describe('hostNetwork', () => {
  it('runs the pod in the node\'s network namespace, with the node\'s IP', async () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-host' },
      spec: { hostNetwork: true, terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: bed.image, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] }] },
    };
    await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    const running = await waitFor('on-host Running', async () => {
      const p = await bed.cluster.client.get<Pod>(gvr.pods, 'default', 'on-host');
      return p.status?.phase === 'Running' && p;
    }, 60_000);
    expect(running.status!.podIP).toBe(running.status!.hostIP);
    const id = running.status!.containerStatuses![0].containerID!.slice('runc://'.length);
    const { pid } = await bed.runtime.state(id);
    expect(readlinkSync(`/proc/${pid}/ns/net`)).toBe(`net:[${statSync(`/run/netns/${bed.hostNetns}`).ino}]`);
    expect((await bed.leftovers()).netns.filter((n) => n.includes(running.metadata!.uid!))).toEqual([]);
    await kubectl.ok(['delete', 'pod', 'on-host', '--wait=true', '--timeout=60s']);
  });
});
