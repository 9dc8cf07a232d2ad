// One real node for the tests that need pods running end to end through the API: a registry on
// loopback with the busybox image, a control plane, and an agent in-process — its HTTPS endpoint
// (routes as run-agent sets them), its Node and the kubelet with runc, a cgroup parent and a CNI
// test host netns of its own. restartAgent() stops the kubelet and the endpoint and starts them
// again on the same state and port, as an agent restart does. stop() removes everything and
// reports what was left (containers, mounts, the pods' netns). The image store can be a small
// tmpfs of its own (an imagefs to fill), and the cluster, Node and kubelet take extra settings.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1';
import { gvr } from '../../../src-main/client/resources.ts';
import type { Kubelet } from '../../../src-main/agent/kubelet/kubelet.ts';
import { startKubelet, type KubeletSettings } from '../../../src-main/agent/kubelet/start-kubelet.ts';
import { NodeAgent, type NodeAgentOptions } from '../../../src-main/agent/node-agent.ts';
import { cgroupLayout, existingCgroupDirs, removeCgroupTree, type CgroupLayout } from '../../../src-main/agent/runtime/cgroups.ts';
import { OciRuntime } from '../../../src-main/agent/runtime/oci-runtime.ts';
import { AgentServer } from '../../../src-main/agent/server/agent-server.ts';
import { addAgentRoutes } from '../../../src-main/agent/server/agent-routes.ts';
import { mountsUnder } from '../../../src-main/agent/volumes/pod-volumes.ts';
import { buildBusyboxImage, pushImage } from '../../fixtures/images/busybox-image.ts';
import { startTestRegistry, type TestRegistry } from '../../fixtures/images/test-registry.ts';
import { addBlackholeRoutes } from './blackhole.ts';
import { startTestCluster, waitFor, type TestCluster, type TestClusterOptions } from './cluster.ts';

export interface TestNode {
  cluster: TestCluster;
  registry: TestRegistry;
  /** The busybox image in the registry. */
  image: string;
  nodeName: string;
  /** The agent's state folder. */
  stateDir: string;
  runtime: OciRuntime;
  kubelet: Kubelet;
  server: AgentServer;
  /** Stops the kubelet and the endpoint, waits downMs, and starts them again. */
  restartAgent(downMs?: number): Promise<void>;
  /** Removes everything; resolves with what was left behind. */
  stop(): Promise<{ containers: string[]; mounts: string[]; netns: string[] }>;
}

/** Removes a test node's cgroup tree, and /kubelab folders no other agent uses any more. */
export async function removeTestCgroups(layout: CgroupLayout): Promise<void> {
  await removeCgroupTree(layout, layout.parent).catch(() => undefined);
  for (const d of await existingCgroupDirs(layout, '/kubelab')) try { rmdirSync(d); } catch { /* another agent's */ }
}

/** Deletes the host netns and the pods' (of these uids) still there; returns the pods' found. */
export function removeTestNetns(uids: string[], hostNetns: string): string[] {
  const podNetns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter((n) => uids.some((u) => n === `kubelab-${u}`));
  for (const n of [...podNetns, hostNetns]) {
    try {
      execFileSync('ip', ['netns', 'delete', n], { stdio: 'ignore' });
    } catch { /* not made, or gone */ }
  }
  return podNetns;
}

export interface TestNodeSettings extends Partial<Pick<KubeletSettings, 'containerLogMaxSize' | 'containerLogMaxFiles' | 'housekeeping'>> {
  /** Mount a tmpfs of this many bytes as the image store (a small imagefs). */
  imagesTmpfsBytes?: number;
  cluster?: TestClusterOptions;
  agent?: Pick<NodeAgentOptions, 'evictionHard'>;
}

export async function startTestNode(prefix: string, { imagesTmpfsBytes, cluster: clusterOptions, agent: agentOptions, ...settings }: TestNodeSettings = {}): Promise<TestNode> {
  const suffix = `${process.pid}`;
  const nodeName = `${prefix}-node`;
  const hostNetns = `${prefix}-host-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), `kubelab-${prefix}-`));
  const stateDir = join(dir, 'state');
  const imagesDir = join(stateDir, 'images');
  const runtime = new OciRuntime({ name: 'runc', root: join(dir, 'runc') });
  // What is started so far, for a teardown that also serves a start that failed half-way.
  const parts: { imagesMounted?: boolean; removeRoutes?: () => void; registry?: TestRegistry; cluster?: TestCluster; layout?: CgroupLayout; server?: AgentServer; agent?: NodeAgent; kubelet?: Kubelet } = {};
  const teardown = async () => {
    parts.kubelet?.stop();
    await parts.kubelet?.stopAllPods().catch(() => undefined);
    await parts.server?.stop();
    parts.agent?.stop();
    const uids = parts.cluster ? (await parts.cluster.client.list(gvr.pods).catch(() => ({ items: [] }))).items.map((p) => p.metadata?.uid) : [];
    await parts.cluster?.stop();
    await parts.registry?.stop();
    if (parts.layout) await removeTestCgroups(parts.layout);
    const netns = removeTestNetns(uids.filter((u): u is string => !!u), hostNetns);
    parts.removeRoutes?.();
    if (parts.imagesMounted) execFileSync('umount', [imagesDir]);
    const left = { containers: (await runtime.list().catch(() => [])).map((c) => c.id), mounts: mountsUnder(dir), netns };
    rmSync(dir, { recursive: true, force: true });
    return left;
  };
  try {
    parts.removeRoutes = addBlackholeRoutes();
    if (imagesTmpfsBytes) {
      mkdirSync(imagesDir, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${imagesTmpfsBytes}`, 'tmpfs', imagesDir]);
      parts.imagesMounted = true;
    }
    const registry = (parts.registry = await startTestRegistry());
    await pushImage({ url: registry.url }, 'test/busybox', '1', buildBusyboxImage());
    const cluster = (parts.cluster = await startTestCluster(clusterOptions));
    const layout = (parts.layout = await cgroupLayout(`/kubelab/${nodeName}-${suffix}`));
    execFileSync('ip', ['netns', 'add', hostNetns]);
    const log = (l: string) => cluster.logs.push(l);
    const startServer = async (port: number) => {
      const server = new AgentServer({ caPem: cluster.cp.caPem, stateDir, nodeName, port, address: '127.0.0.1', log });
      await server.start();
      return server;
    };
    const startNodeKubelet = () => startKubelet({
      client: cluster.client, nodeName, stateDir, runtime: 'runc', hostIP: '127.0.0.1', runtimeRoot: join(dir, 'runc'), cgroupParent: layout.parent,
      cniNetns: hostNetns, allocatable: { cpu: '2', memory: '4Gi' }, log, ...settings,
    });
    parts.server = await startServer(0);
    parts.agent = new NodeAgent({ client: cluster.client, nodeName, stateDir, runtime: 'runc', nodeIP: '127.0.0.1', kubeletPort: parts.server.port, ...agentOptions });
    await parts.agent.start();
    parts.kubelet = await startNodeKubelet();
    addAgentRoutes(parts.server, parts.kubelet);
    await waitFor('the node gets its podCIDR', async () => (await cluster.client.get<Node>(gvr.nodes, undefined, nodeName)).spec?.podCIDR);
    const node: TestNode = {
      cluster, registry, image: `${registry.host}/test/busybox:1`, nodeName, stateDir, runtime, kubelet: parts.kubelet, server: parts.server,
      async restartAgent(downMs = 0) {
        const port = parts.server!.port;
        parts.kubelet!.stop();
        await parts.server!.stop();
        await new Promise((r) => setTimeout(r, downMs));
        node.server = parts.server = await startServer(port);
        node.kubelet = parts.kubelet = await startNodeKubelet();
        addAgentRoutes(parts.server, parts.kubelet);
      },
      stop: teardown,
    };
    return node;
  } catch (e) {
    await teardown();
    throw e;
  }
}
