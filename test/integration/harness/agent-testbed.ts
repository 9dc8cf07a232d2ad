// A node agent under test, in-process: a control plane, the busybox image in a local registry,
// a test host (a network namespace holding the node's CNI bridge), and the agent's Node, Lease
// and kubelet with their own state folder, runc root and cgroup parent. close() stops it all and
// reports what the agent left behind on the machine (containers, mounts, pod namespaces, cgroups).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1';
import { KubeClient } from '../../../src-main/client/kube-client.ts';
import { gvr } from '../../../src-main/client/resources.ts';
import type { Kubelet } from '../../../src-main/agent/kubelet/kubelet.ts';
import { startKubelet, type KubeletSettings } from '../../../src-main/agent/kubelet/start-kubelet.ts';
import { NodeAgent } from '../../../src-main/agent/node-agent.ts';
import { cgroupLayout, existingCgroupDirs, removeCgroupTree, type CgroupLayout } from '../../../src-main/agent/runtime/cgroups.ts';
import { OciRuntime } from '../../../src-main/agent/runtime/oci-runtime.ts';
import { mountsUnder } from '../../../src-main/agent/volumes/pod-volumes.ts';
import { buildBusyboxImage, pushImage } from '../../fixtures/images/busybox-image.ts';
import { startTestRegistry, type TestRegistry } from '../../fixtures/images/test-registry.ts';
import { addBlackholeRoutes } from './blackhole.ts';
import { startTestCluster, waitFor, type TestCluster } from './cluster.ts';

export interface AgentTestbedOptions {
  /** A short prefix for this file's node, namespace and cgroup names. */
  name: string;
  /** The kubeconfig the agent uses (default: the cluster's admin one), e.g. through a proxy. */
  agentKubeconfig?: (cluster: TestCluster) => Promise<string>;
  /** More kubelet settings. */
  kubelet?: Partial<KubeletSettings>;
}

export interface Leftovers {
  containers: string[];
  mounts: string[];
  podNetns: string[];
  cgroups: string[];
}

export interface AgentTestbed {
  cluster: TestCluster;
  registry: TestRegistry;
  /** registry-host/test/busybox:1 */
  image: string;
  nodeName: string;
  /** The test host's network namespace: the node's network, where pod IPs are reachable. */
  hostNetns: string;
  dir: string;
  stateDir: string;
  runtime: OciRuntime;
  layout: CgroupLayout;
  agent: NodeAgent;
  kubelet: Kubelet;
  /** The agent's own client (its kubeconfig), closed with the testbed. */
  agentClient: KubeClient;
  /** Pods this testbed ran (by uid), for the namespace check. */
  podNetnsLeft(): string[];
  /** What the node has of pods right now: none once every pod is deleted. */
  leftovers(): Promise<Leftovers>;
  close(): Promise<Leftovers>;
}

function netnsList(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
}

export async function startAgentTestbed(opts: AgentTestbedOptions): Promise<AgentTestbed> {
  const suffix = `${process.pid}`;
  const nodeName = `${opts.name}-node`;
  const hostNetns = `${opts.name}-${suffix}`;
  const removeRoutes = addBlackholeRoutes();
  const dir = mkdtempSync(join(tmpdir(), `kubelab-${opts.name}-`));
  const stateDir = join(dir, 'state');
  const registry = await startTestRegistry();
  await pushImage({ url: registry.url }, 'test/busybox', '1', buildBusyboxImage());
  const cluster = await startTestCluster();
  const agentClient = KubeClient.fromKubeconfigFile((await opts.agentKubeconfig?.(cluster)) ?? cluster.kubeconfigPath);
  const agent = new NodeAgent({ client: agentClient, nodeName, stateDir, runtime: 'runc', nodeIP: '127.0.0.1' });
  await agent.start();
  execFileSync('ip', ['netns', 'add', hostNetns]);
  const runtime = new OciRuntime({ name: 'runc', root: join(dir, 'runc') });
  const layout = await cgroupLayout(`/kubelab/${nodeName}-${suffix}`);
  const kubelet = await startKubelet({
    client: agentClient, nodeName, stateDir, runtime: 'runc', hostIP: '127.0.0.1',
    runtimeRoot: join(dir, 'runc'), cgroupParent: layout.parent, cniNetns: hostNetns, allocatable: { cpu: '2', memory: '4Gi' },
    log: (l) => cluster.logs.push(l), ...opts.kubelet,
  });
  await waitFor('the node gets its podCIDR', async () => (await cluster.client.get<Node>(gvr.nodes, undefined, nodeName)).spec?.podCIDR);

  // Pod namespaces are named after pod uids; the pod folders tell which uids are this node's.
  const seenUIDs = new Set<string>();
  const podNetnsLeft = (): string[] => {
    for (const pod of kubelet.runningPods()) seenUIDs.add(pod.pod.metadata!.uid!);
    return netnsList().filter((n) => [...seenUIDs].some((u) => n === `kubelab-${u}`));
  };
  const leftovers = async (): Promise<Leftovers> => ({
    containers: (await runtime.list()).map((c) => c.id),
    mounts: mountsUnder(dir),
    podNetns: podNetnsLeft(),
    cgroups: (await existingCgroupDirs(layout, layout.parent)).flatMap((d) => readdirSync(d).filter((c) => c.startsWith('pod')).map((c) => join(d, c))),
  });
  return {
    cluster, registry, image: `${registry.host}/test/busybox:1`, nodeName, hostNetns, dir, stateDir, runtime, layout, agent, kubelet, agentClient,
    podNetnsLeft, leftovers,
    async close() {
      kubelet.stop();
      const left = await leftovers();
      await kubelet.stopAllPods().catch(() => undefined);
      agent.stop();
      agentClient.close();
      await cluster.stop();
      await registry.stop();
      await removeCgroupTree(layout, layout.parent).catch(() => undefined);
      for (const d of await existingCgroupDirs(layout, '/kubelab')) try { rmdirSync(d); } catch { /* another agent's */ }
      for (const n of [...podNetnsLeft(), hostNetns]) {
        try {
          execFileSync('ip', ['netns', 'delete', n], { stdio: 'ignore' });
        } catch { /* gone */ }
      }
      removeRoutes();
      rmSync(dir, { recursive: true, force: true });
      return left;
    },
  };
}
