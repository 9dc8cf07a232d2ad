// One real node for the agent's integration tests: a control plane, a registry with the busybox
// image, the agent's HTTPS endpoint, a NodeAgent and an in-process kubelet running pods as runc
// containers, with the CNI network inside a test netns and blackhole routes on the host. Names carry the caller's prefix
// and the pid, so test files running at the same time never meet. stop() removes everything and
// returns what was left behind (containers, mounts, pod netns) for the test to assert empty.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../../src-main/client/api-error.ts';
import { gvr } from '../../../src-main/client/resources.ts';
import type { Kubelet } from '../../../src-main/agent/kubelet/kubelet.ts';
import { startKubelet, type KubeletSettings } from '../../../src-main/agent/kubelet/start-kubelet.ts';
import { mountsUnder } from '../../../src-main/agent/volumes/pod-volumes.ts';
import { NodeAgent, type NodeAgentOptions } from '../../../src-main/agent/node-agent.ts';
import { AgentServer } from '../../../src-main/agent/server/agent-server.ts';
import { addAgentRoutes } from '../../../src-main/agent/server/agent-routes.ts';
import { cgroupLayout, existingCgroupDirs, removeCgroupTree, type CgroupLayout } from '../../../src-main/agent/runtime/cgroups.ts';
import { OciRuntime } from '../../../src-main/agent/runtime/oci-runtime.ts';
import { buildBusyboxImage, pushImage } from '../../fixtures/images/busybox-image.ts';
import { startTestRegistry, type TestRegistry } from '../../fixtures/images/test-registry.ts';
import { addBlackholeRoutes } from './blackhole.ts';
import { startTestCluster, waitFor, type TestCluster, type TestClusterOptions } from './cluster.ts';
import { Kubectl } from './kubectl.ts';

export interface AgentNodeOptions {
  /** A short prefix for the netns, cgroup and temp dir names. */
  prefix: string;
  nodeName: string;
  /** Mount a tmpfs of this many bytes as the image store (a small imagefs). */
  imagesTmpfsBytes?: number;
  cluster?: TestClusterOptions;
  agent?: Partial<NodeAgentOptions>;
  kubelet?: Partial<KubeletSettings>;
}

export interface AgentNode {
  dir: string;
  stateDir: string;
  cluster: TestCluster;
  kubectl: Kubectl;
  registry: TestRegistry;
  agent: NodeAgent;
  /** The agent's HTTPS endpoint on 127.0.0.1, with the kubelet's routes. */
  server: AgentServer;
  kubelet: Kubelet;
  runtime: OciRuntime;
  layout: CgroupLayout;
  /** The busybox image in the registry. */
  image: string;
  /** The pod by name in namespace default (its uid is remembered for cleanup). */
  getPod(name: string): Promise<Pod | undefined>;
  /** Waits until the pod is Running with every container ready. */
  waitRunning(name: string, timeoutMs?: number): Promise<Pod>;
  stop(): Promise<{ containers: string[]; mounts: string[]; podNetns: string[] }>;
}

export async function startAgentNode(opts: AgentNodeOptions): Promise<AgentNode> {
  const suffix = `${process.pid}`;
  const nodeNetns = `${opts.prefix}-node-${suffix}`;
  const uids: string[] = [];
  const removeRoutes = addBlackholeRoutes();
  const dir = mkdtempSync(join(tmpdir(), `kubelab-${opts.prefix}-`));
  const stateDir = join(dir, 'state');
  const imagesDir = join(stateDir, 'images');
  let imagesMounted = false;
  const parts: Partial<AgentNode> = { dir, stateDir };
  const stop = async (): Promise<{ containers: string[]; mounts: string[]; podNetns: string[] }> => {
    const { kubelet, agent, server, kubectl, cluster, registry, layout, runtime } = parts;
    await server?.stop();
    kubelet?.stop();
    await kubelet?.stopAllPods().catch(() => undefined);
    agent?.stop();
    await kubectl?.cleanup();
    await cluster?.stop();
    await registry?.stop();
    if (layout) {
      await removeCgroupTree(layout, layout.parent).catch(() => undefined);
      for (const d of await existingCgroupDirs(layout, '/kubelab')) try { rmdirSync(d); } catch { /* another agent's */ }
    }
    const podNetns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter((n) => uids.some((u) => n === `kubelab-${u}`));
    for (const n of [...podNetns, nodeNetns]) {
      try {
        execFileSync('ip', ['netns', 'delete', n], { stdio: 'ignore' });
      } catch { /* not made, or gone */ }
    }
    removeRoutes();
    if (imagesMounted) execFileSync('umount', [imagesDir]);
    const left = { containers: runtime ? (await runtime.list()).map((c) => c.id) : [], mounts: mountsUnder(dir), podNetns };
    rmSync(dir, { recursive: true, force: true });
    return left;
  };
  try {
    const registry = (parts.registry = await startTestRegistry());
    await pushImage({ url: registry.url }, 'test/busybox', '1', buildBusyboxImage());
    parts.image = `${registry.host}/test/busybox:1`;
    if (opts.imagesTmpfsBytes) {
      mkdirSync(imagesDir, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${opts.imagesTmpfsBytes}`, 'tmpfs', imagesDir]);
      imagesMounted = true;
    }
    const cluster = (parts.cluster = await startTestCluster(opts.cluster));
    parts.kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
    parts.server = new AgentServer({ caPem: cluster.cp.caPem, stateDir, nodeName: opts.nodeName, port: 0, address: '127.0.0.1' });
    const kubeletPort = await parts.server.start();
    parts.agent = new NodeAgent({ client: cluster.client, nodeName: opts.nodeName, stateDir, runtime: 'runc', nodeIP: '127.0.0.1', kubeletPort, ...opts.agent });
    await parts.agent.start();
    execFileSync('ip', ['netns', 'add', nodeNetns]);
    parts.runtime = new OciRuntime({ name: 'runc', root: join(dir, 'runc') });
    const layout = (parts.layout = await cgroupLayout(`/kubelab/${opts.nodeName}-${suffix}`));
    parts.kubelet = await startKubelet({
      client: cluster.client, nodeName: opts.nodeName, stateDir, runtime: 'runc', hostIP: '127.0.0.1',
      runtimeRoot: join(dir, 'runc'), cgroupParent: layout.parent, cniNetns: nodeNetns, allocatable: { cpu: '2', memory: '4Gi' },
      log: (l) => cluster.logs.push(l), ...opts.kubelet,
    });
    addAgentRoutes(parts.server, parts.kubelet);
    await waitFor('the node gets its podCIDR', async () => (await cluster.client.get<Node>(gvr.nodes, undefined, opts.nodeName)).spec?.podCIDR);
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  const getPod = async (name: string): Promise<Pod | undefined> => {
    const p = await parts.cluster!.client.get<Pod>(gvr.pods, 'default', name).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
    const uid = p?.metadata?.uid;
    if (uid && !uids.includes(uid)) uids.push(uid);
    return p;
  };
  const waitRunning = (name: string, timeoutMs = 60_000): Promise<Pod> => waitFor(`${name} Running\n${parts.cluster!.logs.slice(-5).join('\n')}`, async () => {
    const p = await getPod(name);
    return p?.status?.phase === 'Running' && p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && p;
  }, timeoutMs);
  return { ...(parts as Required<typeof parts>), getPod, waitRunning, stop } as AgentNode;
}
