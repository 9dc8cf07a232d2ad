// The node loses the control plane and gets it back (a proxy between the agent and the API is cut,
// as a laptop closing would): its pods keep running, a crashing one is still restarted by the node
// alone, and once the API is back the status catches up and pods deleted meanwhile are stopped.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../src-main/client/api-error.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { adminKubeconfig } from '../../src-main/kubeconfig.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { startCuttableProxy, type CuttableProxy } from './harness/cuttable-proxy.ts';
import { waitFor } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

let bed: TestNode;
let proxy: CuttableProxy;
let kubectl: Kubectl;

beforeAll(async () => {
  bed = await startTestNode('klres', {
    // The agent reaches the API only through the proxy.
    agentKubeconfig: async (cluster) => {
      const api = new URL(cluster.cp.url);
      proxy = await startCuttableProxy(Number(api.port));
      const file = join(cluster.cp.dataDir, 'agent-kubeconfig.yaml');
      writeFileSync(file, adminKubeconfig(cluster.cp.dataDir, `https://127.0.0.1:${proxy.port}`), { mode: 0o600 });
      return file;
    },
  });
  kubectl = new Kubectl('1.35', bed.cluster.kubeconfigPath);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await kubectl?.cleanup();
  const left = await bed?.stop();
  expect(left?.containers).toEqual([]);
  expect(left?.netns).toEqual([]);
});

const getPod = (name: string) => bed.cluster.client.get<Pod>(gvr.pods, 'default', name).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
const pod = (name: string, script: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: bed.image, command: ['sh', '-c', script] }] } });
const forever = 'trap "exit 0" TERM; while true; do sleep 1; done';
const containersOf = async (uid: string) => (await bed.runtime.list()).filter((c) => c.id.startsWith(uid));

describe('a node cut off from the API', () => {
  it('keeps its pods, restarts locally, resyncs status and stops what was deleted meanwhile', async () => {
    for (const p of [pod('steady', forever), pod('crasher', 'sleep 2; exit 1'), pod('doomed', forever), pod('forced', forever)]) {
      await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(p) });
    }
    const running = await waitFor('all four Running', async () => {
      const pods = await Promise.all(['steady', 'crasher', 'doomed', 'forced'].map(getPod));
      return pods.every((p) => p?.status?.containerStatuses?.[0]?.state?.running) && (pods as Pod[]);
    }, 60_000);
    const [, crasher, doomed, forced] = running.map((p) => p.metadata!.uid!);
    const steadyID = running[0].status!.containerStatuses![0].containerID!.slice('runc://'.length);
    const steadyPid = (await bed.runtime.state(steadyID)).pid;

    await proxy.cut();
    // Deleted while the node cannot hear of it: one gracefully (it waits for its kubelet), one forced.
    await kubectl.ok(['delete', 'pod', 'doomed', '--wait=false']);
    await kubectl.ok(['delete', 'pod', 'forced', '--grace-period=0', '--force']);
    // The crash is handled by the node alone: CrashLoopBackOff's 10 s, then a new container.
    await waitFor('crasher restarted on the node', async () => (await containersOf(crasher)).some((c) => c.id.endsWith('-main-1') && c.status === 'running'), 40_000);
    expect((await getPod('crasher'))!.status!.containerStatuses![0].restartCount).toBe(0);
    expect((await containersOf(doomed)).map((c) => c.status)).toEqual(['running']);
    expect((await containersOf(forced)).map((c) => c.status)).toEqual(['running']);

    await proxy.restore();
    await waitFor('crasher\'s restarts reach the API', async () => ((await getPod('crasher'))?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 40_000);
    const netnsOf = async (uid: string) => (await bed.leftovers()).netns.filter((n) => n.includes(uid));
    await waitFor('doomed stopped and gone from the API', async () => (await getPod('doomed')) === undefined && (await containersOf(doomed)).length === 0, 40_000);
    // Containers first, then the sandbox: the pods' namespaces go last.
    await waitFor('forced stopped on the node', async () => (await containersOf(forced)).length === 0 && (await netnsOf(forced)).length === 0 && (await netnsOf(doomed)).length === 0, 40_000);
    // Nothing else was touched: the same process still runs the steady pod.
    const after = (await getPod('steady'))!;
    expect(after.status!.containerStatuses![0]).toMatchObject({ restartCount: 0, containerID: `runc://${steadyID}`, ready: true });
    expect((await bed.runtime.state(steadyID)).pid).toBe(steadyPid);

    for (const name of ['steady', 'crasher']) await kubectl.ok(['delete', 'pod', name, '--wait=true', '--timeout=60s']);
  }, 180_000);
});
