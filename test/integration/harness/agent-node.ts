// One real node for the tests that need pods running end to end through the API: a registry on
// loopback with the busybox image, a control plane, and an agent in-process — its HTTPS endpoint
// (routes as run-agent sets them), its Node and the kubelet with runc, a cgroup parent and a CNI
// test host netns of its own. restartAgent() stops the kubelet and the endpoint and starts them
// again on the same state and port, as an agent restart does. stop() removes everything and
// reports what was left (containers, mounts, the pods' netns). The image store can be a small
// tmpfs of its own (an imagefs to fill), and the cluster, Node and kubelet take extra settings.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { WatchHandle } from '../../../src-main/client/types.ts';
import { KubeClient } from '../../../src-main/client/kube-client.ts';
import { gvr } from '../../../src-main/client/resources.ts';
import type { Kubelet } from '../../../src-main/agent/kubelet/kubelet.ts';
import { startKubelet, type KubeletSettings } from '../../../src-main/agent/kubelet/start-kubelet.ts';
import { NodeAgent, type NodeAgentOptions } from '../../../src-main/agent/node-agent.ts';
import { cgroupLayout, existingCgroupDirs, removeCgroupTree, type CgroupLayout } from '../../../src-main/agent/runtime/cgroups.ts';
import { OciRuntime } from '../../../src-main/agent/runtime/oci-runtime.ts';
import { AgentServer } from '../../../src-main/agent/server/agent-server.ts';
import type { CertificateManager } from '../../../src-main/agent/certificates/certificate-manager.ts';
import { servingCertificateManager } from '../../../src-main/agent/certificates/serving-certificate.ts';
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
  /** The test's folder (the state is its `state`). */
  dir: string;
  /** The test host's network namespace: the node's network, where pod IPs are reachable. */
  hostNetns: string;
  layout: CgroupLayout;
  /** Stops the kubelet and the endpoint, waits downMs, and starts them again. */
  restartAgent(downMs?: number): Promise<void>;
  /** What the node holds of pods now (none once every pod is deleted). */
  leftovers(): Promise<Leftovers>;
  /** Removes everything; resolves with what was left behind. */
  stop(): Promise<Leftovers>;
}

export interface Leftovers {
  containers: string[];
  mounts: string[];
  /** The network namespaces of the pods this node ran. */
  netns: string[];
  /** Pod cgroups under the node's parent. */
  cgroups: string[];
}

/** Removes a test node's cgroup tree, and /kubelab folders no other agent uses any more. */
async function removeTestCgroups(layout: CgroupLayout): Promise<void> {
  await removeCgroupTree(layout, layout.parent).catch(() => undefined);
  for (const d of await existingCgroupDirs(layout, '/kubelab')) try { rmdirSync(d); } catch { /* another agent's */ }
}

/** Deletes the host netns and the pods' (of these uids) still there; returns the pods' found. */
function removeTestNetns(uids: string[], hostNetns: string): string[] {
  const podNetns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter((n) => uids.some((u) => n === `kubelab-${u}`));
  for (const n of [...podNetns, hostNetns]) {
    try {
      execFileSync('ip', ['netns', 'delete', n], { stdio: 'ignore' });
    } catch { /* not made, or gone */ }
  }
  return podNetns;
}

export interface TestNodeSettings extends Partial<Omit<KubeletSettings, 'client' | 'nodeName' | 'stateDir'>> {
  /** The agent's kubeconfig (default: the cluster's admin client), e.g. one through a proxy. */
  agentKubeconfig?: (cluster: TestCluster) => Promise<string>;
  /** Mount a tmpfs of this many bytes as the image store (a small imagefs). */
  imagesTmpfsBytes?: number;
  cluster?: TestClusterOptions;
  agent?: Pick<NodeAgentOptions, 'evictionHard'>;
}

export async function startTestNode(prefix: string, { imagesTmpfsBytes, cluster: clusterOptions, agent: agentOptions, agentKubeconfig, ...settings }: TestNodeSettings = {}): Promise<TestNode> {
  const suffix = `${process.pid}`;
  const nodeName = `${prefix}-node`;
  const hostNetns = `${prefix}-host-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), `kubelab-${prefix}-`));
  const stateDir = join(dir, 'state');
  const imagesDir = join(stateDir, 'images');
  const runtime = new OciRuntime({ name: 'runc', root: join(dir, 'runc') });
  // What is started so far, for a teardown that also serves a start that failed half-way.
  const parts: { imagesMounted?: boolean; removeRoutes?: () => void; registry?: TestRegistry; cluster?: TestCluster; client?: KubeClient; watch?: WatchHandle; layout?: CgroupLayout; server?: AgentServer; serving?: CertificateManager; agent?: NodeAgent; kubelet?: Kubelet } = {};
  // Pod namespaces are named after pod uids: the uids this node ran tell which are its own.
  const uids = new Set<string>();
  const leftovers = async (): Promise<Leftovers> => {
    const podDirs = parts.layout ? await existingCgroupDirs(parts.layout, parts.layout.parent) : [];
    return {
      containers: (await runtime.list().catch(() => [])).map((c) => c.id),
      // The image store's tmpfs is the harness's own.
      mounts: mountsUnder(dir).filter((m) => !(parts.imagesMounted && m === imagesDir)),
      netns: execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!).filter((n) => [...uids].some((u) => n === `kubelab-${u}`)),
      cgroups: podDirs.flatMap((d) => readdirSync(d).filter((c) => c.startsWith('pod')).map((c) => join(d, c))),
    };
  };
  const teardown = async () => {
    parts.kubelet?.stop();
    await parts.kubelet?.stopAllPods().catch(() => undefined);
    // What the kubelet's own stop of every pod left behind.
    const left = await leftovers();
    parts.serving?.stop();
    await parts.server?.stop();
    parts.agent?.stop();
    if (parts.client !== parts.cluster?.client) parts.client?.close();
    parts.watch?.stop();
    const listed = parts.cluster ? (await parts.cluster.client.list(gvr.pods).catch(() => ({ items: [] }))).items.map((p) => p.metadata?.uid) : [];
    await parts.cluster?.stop();
    await parts.registry?.stop();
    if (parts.layout) await removeTestCgroups(parts.layout);
    removeTestNetns([...uids, ...listed.filter((u): u is string => !!u)], hostNetns);
    parts.removeRoutes?.();
    if (parts.imagesMounted) execFileSync('umount', [imagesDir]);
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
    // Every pod bound to the node, for the namespace check (a deleted pod's uid is gone from the API).
    parts.watch = cluster.client.watch<Pod>(gvr.pods, { fieldSelector: `spec.nodeName=${nodeName}` }, (e) => {
      if (e.type !== 'ERROR' && e.type !== 'BOOKMARK' && e.object.metadata?.uid) uids.add(e.object.metadata.uid);
    }, () => undefined);
    const client = (parts.client = agentKubeconfig ? KubeClient.fromKubeconfigFile(await agentKubeconfig(cluster)) : cluster.client);
    const layout = (parts.layout = await cgroupLayout(`/kubelab/${nodeName}-${suffix}`));
    execFileSync('ip', ['netns', 'add', hostNetns]);
    const log = (l: string) => cluster.logs.push(l);
    // The serving certificate the API server verifies, from the cluster CA through a CSR (kept
    // in stateDir, so a restarted agent serves it again at once).
    const startServer = async (port: number) => {
      const serving = (parts.serving = servingCertificateManager({ client, caPem: cluster.cp.caPem, stateDir, nodeName, ips: ['127.0.0.1'], rotated: (pair) => server.setServingCertificate(pair), log }));
      const server = new AgentServer({ caPem: cluster.cp.caPem, nodeName, certificate: serving.current(), port, address: '127.0.0.1', log });
      await server.start();
      return server;
    };
    const startNodeKubelet = () => startKubelet({
      client, nodeName, stateDir, runtime: 'runc', hostIP: '127.0.0.1', runtimeRoot: join(dir, 'runc'), cgroupParent: layout.parent,
      cniNetns: hostNetns, allocatable: { cpu: '2', memory: '4Gi' }, log, ...settings,
    });
    parts.server = await startServer(0);
    parts.agent = new NodeAgent({ client, nodeName, stateDir, runtime: 'runc', nodeIP: '127.0.0.1', kubeletPort: parts.server.port, ...agentOptions });
    await parts.agent.start();
    parts.serving!.start();
    await parts.serving!.ready();
    parts.kubelet = await startNodeKubelet();
    addAgentRoutes(parts.server, parts.kubelet);
    await waitFor('the node gets its podCIDR', async () => (await cluster.client.get<Node>(gvr.nodes, undefined, nodeName)).spec?.podCIDR);
    const node: TestNode = {
      cluster, registry, image: `${registry.host}/test/busybox:1`, nodeName, stateDir, runtime, kubelet: parts.kubelet, server: parts.server,
      dir, hostNetns, layout, leftovers,
      async restartAgent(downMs = 0) {
        const port = parts.server!.port;
        parts.kubelet!.stop();
        parts.serving!.stop();
        await parts.server!.stop();
        await new Promise((r) => setTimeout(r, downMs));
        node.server = parts.server = await startServer(port);
        parts.serving!.start();
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
