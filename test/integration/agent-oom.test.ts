// A container over its memory limit is killed by the kernel's OOM killer in its cgroup, and the
// pod's status says so as upstream does: terminated, reason OOMKilled, exit code 137.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { startAgentTestbed, type AgentTestbed } from './harness/agent-testbed.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

let bed: AgentTestbed;
let kubectl: Kubectl;

beforeAll(async () => {
  bed = await startAgentTestbed({ name: 'kloom' });
  kubectl = new Kubectl('1.35', bed.cluster.kubeconfigPath);
}, 120_000);

afterAll(async () => {
  await kubectl?.cleanup();
  const left = await bed?.close();
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
