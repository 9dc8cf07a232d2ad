// The agent's parts composed into one pod, as the kubelet will drive them: the image pulled from a
// real registry, each container on an overlay of its layers, the pod's network namespace from
// the CNI plugins on a test host, a configMap volume and an emptyDir shared by the containers,
// env from a ConfigMap and the downward API, and the seed's definition of a pod: two containers
// that talk over localhost. Everything is removed afterwards.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfigMap, Container, Pod } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageStore } from '../../src-main/agent/images/image-store.ts';
import { resolveEnv } from '../../src-main/agent/kubelet/env.ts';
import { etcHosts, podHostname, resolvConf } from '../../src-main/agent/kubelet/pod-files.ts';
import { PodNetwork, type PodSandboxNetwork } from '../../src-main/agent/network/pod-network.ts';
import { cgroupLayout, containerCgroup, existingCgroupDirs, removeCgroupTree, type CgroupLayout } from '../../src-main/agent/runtime/cgroups.ts';
import { hostCapabilities } from '../../src-main/agent/runtime/host-capabilities.ts';
import { buildSpec } from '../../src-main/agent/runtime/oci-spec.ts';
import { OciRuntime } from '../../src-main/agent/runtime/oci-runtime.ts';
import { mountRootfs, removeRootfs } from '../../src-main/agent/runtime/rootfs.ts';
import { readUserDb } from '../../src-main/agent/runtime/user-db.ts';
import { mountsUnder, PodVolumes, type VolumeSources } from '../../src-main/agent/volumes/pod-volumes.ts';
import { buildBusyboxImage, pushImage } from '../fixtures/images/busybox-image.ts';
import { startTestRegistry, type TestRegistry } from '../fixtures/images/test-registry.ts';
import { addBlackholeRoutes } from './harness/blackhole.ts';

const suffix = `${process.pid}`;
const nodeNetns = `klc-node-${suffix}`;
const uid = `compose-${suffix}`;
let base: string;
let registry: TestRegistry;
let images: ImageStore;
let network: PodNetwork;
let volumes: PodVolumes;
let runtime: OciRuntime;
let layout: CgroupLayout;
let removeRoutes: () => void = () => undefined;
const containers: { id: string; dir: string }[] = [];

const configMap: ConfigMap = { metadata: { name: 'site', namespace: 'shop' }, data: { 'index.html': 'served from a configMap\n', GREETING: 'hello' } };
const sources: VolumeSources = {
  configMap: async (ns, name) => (ns === 'shop' && name === 'site' ? configMap : undefined),
  secret: async () => undefined,
  allocatable: { cpu: '2', memory: '4Gi' },
};

beforeAll(async () => {
  removeRoutes = addBlackholeRoutes();
  base = await mkdtemp(path.join(tmpdir(), 'kubelab-compose-'));
  registry = await startTestRegistry();
  await pushImage({ url: registry.url }, 'test/busybox', '1', buildBusyboxImage());
  images = new ImageStore(path.join(base, 'images'));
  execFileSync('ip', ['netns', 'add', nodeNetns]);
  network = new PodNetwork({ podCIDR: '10.42.88.0/24', stateDir: path.join(base, 'cni'), bridge: 'klcompose0', cni: { binDirs: ['/usr/lib/cni'], hostNetns: nodeNetns } });
  volumes = new PodVolumes(path.join(base, 'pods'));
  runtime = new OciRuntime({ name: 'runc', root: path.join(base, 'runc') });
  layout = await cgroupLayout(`/kubelab/compose-${suffix}`);
});

afterAll(async () => {
  for (const c of containers) {
    await runtime.kill(c.id, 'KILL').catch(() => undefined);
    await runtime.delete(c.id, true).catch(() => undefined);
    await removeRootfs(c.dir).catch(() => undefined);
  }
  await removeCgroupTree(layout, layout.parent).catch(() => undefined);
  for (const dir of await existingCgroupDirs(layout, '/kubelab')) await rmdir(dir).catch(() => undefined);
  await network?.tearDown(uid).catch(() => undefined);
  await volumes?.tearDown(uid).catch(() => undefined);
  try {
    execFileSync('ip', ['netns', 'delete', nodeNetns], { stdio: 'ignore' });
  } catch { /* not made */ }
  await registry?.stop();
  removeRoutes();
  const left = { containers: await runtime.list(), mounts: mountsUnder(base), netns: execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }) };
  await rm(base, { recursive: true, force: true });
  expect(left.containers).toEqual([]);
  expect(left.mounts).toEqual([]);
  expect(left.netns).not.toContain(suffix);
});

/** What the kubelet will do for one container: image, env, rootfs, spec, run. */
async function startContainer(pod: Pod, container: Container, sandbox: PodSandboxNetwork, podDir: string, mounts: Awaited<ReturnType<PodVolumes['setUp']>>) {
  const image = `${registry.host}/test/busybox:1`;
  await images.pull(image);
  const id = `${uid}-${container.name}`;
  const dir = path.join(base, 'containers', id);
  containers.push({ id, dir });
  const { rootfs } = await mountRootfs(dir, (await images.layerDirs(image))!);
  const env = await resolveEnv(pod, container, sources);
  const byName = new Map(mounts.map((m) => [m.name, m]));
  const spec = buildSpec({
    pod, container, image: (await images.imageConfig(image)) ?? {}, env: env.env, userDb: await readUserDb(rootfs), rootfs,
    hostname: podHostname(pod), namespacePaths: { network: sandbox.netnsPath },
    etcFiles: { hosts: path.join(podDir, 'etc-hosts'), resolvConf: path.join(podDir, 'resolv.conf') },
    volumes: (container.volumeMounts ?? []).map((m) => ({ source: byName.get(m.name)!.hostPath, destination: m.mountPath, readOnly: m.readOnly ?? byName.get(m.name)!.readOnly })),
    cgroupsPath: containerCgroup(layout, uid, id), hostCapabilities: await hostCapabilities(),
  });
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(spec));
  const log = path.join(dir, 'output.log');
  const { exited } = await runtime.run(id, dir, { stdout: log, stderr: log });
  return { id, exited, log };
}

describe('one pod from the agent parts', () => {
  it('runs two containers from a registry image that share the network namespace and an emptyDir', async () => {
    const pod: Pod = {
      metadata: { name: 'web', namespace: 'shop', uid },
      spec: {
        nodeName: 'node-1',
        volumes: [{ name: 'site', configMap: { name: 'site', items: [{ key: 'index.html', path: 'index.html' }] } }, { name: 'shared', emptyDir: {} }],
        containers: [
          { name: 'server', image: `${registry.host}/test/busybox:1`, command: ['httpd', '-f', '-p', '8080', '-h', '/www'], volumeMounts: [{ name: 'site', mountPath: '/www' }] },
          {
            name: 'client', image: `${registry.host}/test/busybox:1`,
            command: ['sh', '-c', 'for i in $(seq 1 50); do wget -qO /out/page http://127.0.0.1:8080/ && break; sleep 0.1; done; echo "$GREETING from $POD_NAME at $(hostname)" >> /out/page'],
            env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'site', key: 'GREETING' } } }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            volumeMounts: [{ name: 'shared', mountPath: '/out' }],
          },
        ],
      },
    };
    const sandbox = await network.setUp(uid);
    const podDir = path.join(base, 'pods', uid);
    const mounts = await volumes.setUp(pod, sources);
    await writeFile(path.join(podDir, 'etc-hosts'), etcHosts(pod, [sandbox.ip], 'cluster.local'));
    await writeFile(path.join(podDir, 'resolv.conf'), resolvConf(pod, { clusterDNS: [], clusterDomain: 'cluster.local', hostResolvConf: 'nameserver 192.0.2.53\n' }));
    const server = await startContainer(pod, pod.spec!.containers[0], sandbox, podDir, mounts);
    const client = await startContainer(pod, pod.spec!.containers[1], sandbox, podDir, mounts);
    expect(await client.exited).toBe(0);
    const shared = mounts.find((m) => m.name === 'shared')!.hostPath;
    expect(await readFile(path.join(shared, 'page'), 'utf8')).toBe('served from a configMap\nhello from web at web\n');
    // The pod answers on its own address from the node, through the CNI bridge.
    expect(execFileSync('ip', ['netns', 'exec', nodeNetns, 'busybox', 'wget', '-qO-', `http://${sandbox.ip}:8080/`], { encoding: 'utf8' })).toBe('served from a configMap\n');
    await runtime.kill(server.id, 'KILL');
    expect(await server.exited).toBe(137);
  });
});
