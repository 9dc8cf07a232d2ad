// One real node for the kubelet's tests: a control plane, a registry with the busybox image, a
// NodeAgent that registers the node, and the kubelet running pods as runc containers in a CNI
// network inside a test network namespace (the node's, as cniNetns), with blackhole routes as
// the safety net. Names (netns, cgroup parent, runc root) carry the process id so test files
// running at the same time never meet. stop() removes everything and returns what was left.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event as CoreEvent, Node, Pod } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../../src-main/client/api-error.ts';
import { gvr } from '../../../src-main/client/resources.ts';
import type { Kubelet } from '../../../src-main/agent/kubelet/kubelet.ts';
import { startKubelet } from '../../../src-main/agent/kubelet/start-kubelet.ts';
import { mountsUnder } from '../../../src-main/agent/volumes/pod-volumes.ts';
import { NodeAgent } from '../../../src-main/agent/node-agent.ts';
import { cgroupLayout, existingCgroupDirs, removeCgroupTree, type CgroupLayout } from '../../../src-main/agent/runtime/cgroups.ts';
import { OciRuntime } from '../../../src-main/agent/runtime/oci-runtime.ts';
import { buildBusyboxImage, pushImage } from '../../fixtures/images/busybox-image.ts';
import { startTestRegistry, type TestRegistry } from '../../fixtures/images/test-registry.ts';
import { addBlackholeRoutes } from './blackhole.ts';
import { startTestCluster, waitFor, type TestCluster } from './cluster.ts';
import { Kubectl } from './kubectl.ts';

export interface KubeletNode {
  /** The test's folder; the node's state is in <dir>/state. */
  dir: string;
  cluster: TestCluster;
  kubectl: Kubectl;
  registry: TestRegistry;
  /** The busybox image's reference in the registry. */
  image: string;
  kubelet: Kubelet;
  /** The kubelet's runc root, for looking at its containers. */
  runtime: OciRuntime;
  /** The node's network namespace (where pod IPs are reachable). */
  nodeNetns: string;
  /** A pod by name (undefined once gone); its uid is remembered for the clean-up's checks. */
  getPod(name: string): Promise<Pod | undefined>;
  /** The events about a pod, oldest first. */
  events(podName: string): Promise<CoreEvent[]>;
  /** Stops and removes everything; returns what was left on the machine (all empty when clean). */
  stop(): Promise<{ containers: string[]; mounts: string[]; podNetns: string[] }>;
}

const orUndefined = <T>(p: Promise<T>): Promise<T | undefined> => p.catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));

/** prefix names the netns and the temp folder: short, unique per test file. */
export async function startKubeletNode(prefix: string, nodeName: string): Promise<KubeletNode> {
  const suffix = `${process.pid}`;
  const nodeNetns = `${prefix}-node-${suffix}`;
  const removeRoutes = addBlackholeRoutes();
  const dir = mkdtempSync(join(tmpdir(), `kubelab-${prefix}-`));
  const uids: string[] = [];
  // Set as each part starts, so that stop() undoes exactly what a failed start got to.
  const parts: { registry?: TestRegistry; cluster?: TestCluster; kubectl?: Kubectl; agent?: NodeAgent; kubelet?: Kubelet; layout?: CgroupLayout; netns?: boolean } = {};
  const runtime = new OciRuntime({ name: 'runc', root: join(dir, 'runc') });

  const stop = async () => {
    parts.kubelet?.stop();
    await parts.kubelet?.stopAllPods().catch(() => undefined);
    parts.agent?.stop();
    await parts.kubectl?.cleanup();
    await parts.cluster?.stop();
    await parts.registry?.stop();
    if (parts.layout) {
      await removeCgroupTree(parts.layout, parts.layout.parent).catch(() => undefined);
      for (const d of await existingCgroupDirs(parts.layout, '/kubelab')) try { rmdirSync(d); } catch { /* another agent's */ }
    }
    const podNetns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter((n) => uids.some((u) => n === `kubelab-${u}`));
    for (const n of [...podNetns, ...(parts.netns ? [nodeNetns] : [])]) {
      try {
        execFileSync('ip', ['netns', 'delete', n], { stdio: 'ignore' });
      } catch { /* not made, or gone */ }
    }
    removeRoutes();
    const left = { containers: (await runtime.list().catch(() => [])).map((c) => c.id), mounts: mountsUnder(dir), podNetns };
    rmSync(dir, { recursive: true, force: true });
    return left;
  };

  try {
    const registry = (parts.registry = await startTestRegistry());
    await pushImage({ url: registry.url }, 'test/busybox', '1', buildBusyboxImage());
    const cluster = (parts.cluster = await startTestCluster());
    const kubectl = (parts.kubectl = new Kubectl('1.35', cluster.kubeconfigPath));
    parts.agent = new NodeAgent({ client: cluster.client, nodeName, stateDir: join(dir, 'state'), runtime: 'runc', nodeIP: '127.0.0.1' });
    await parts.agent.start();
    execFileSync('ip', ['netns', 'add', nodeNetns]);
    parts.netns = true;
    const layout = (parts.layout = await cgroupLayout(`/kubelab/${nodeName}-${suffix}`));
    const kubelet = (parts.kubelet = await startKubelet({
      client: cluster.client, nodeName, stateDir: join(dir, 'state'), runtime: 'runc', hostIP: '127.0.0.1',
      runtimeRoot: join(dir, 'runc'), cgroupParent: layout.parent, cniNetns: nodeNetns, allocatable: { cpu: '2', memory: '4Gi' },
      log: (l) => cluster.logs.push(l),
    }));
    await waitFor('the node gets its podCIDR', async () => (await cluster.client.get<Node>(gvr.nodes, undefined, nodeName)).spec?.podCIDR);
    return {
      dir, cluster, kubectl, registry, image: `${registry.host}/test/busybox:1`, kubelet, runtime, nodeNetns, stop,
      getPod: (name) => orUndefined(cluster.client.get<Pod>(gvr.pods, 'default', name)).then((p) => {
        const uid = p?.metadata?.uid;
        if (uid && !uids.includes(uid)) uids.push(uid);
        return p;
      }),
      events: async (podName) => {
        const list = await cluster.client.list<CoreEvent>({ group: '', version: 'v1', resource: 'events' }, { namespace: 'default' });
        return list.items.filter((e) => e.involvedObject?.name === podName);
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
