// The kubelet with its parts put together from the agent's settings: images, volumes, the pod
// network on the node's podCIDR (read from the Node once the control plane assigned it), runc
// with its own root, and a cgroup parent of its own, so several agents can share one machine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../client/api-error.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { ArchiveImporter } from '../images/archive-importer.ts';
import { ImageStore } from '../images/image-store.ts';
import { readRegistriesFile } from '../images/registries-file.ts';
import type { PodNetworkSettings } from '../network/cluster-network.ts';
import { PodNetwork } from '../network/pod-network.ts';
import { cgroupLayout, defaultCgroupParent, type CgroupLayout } from '../runtime/cgroups.ts';
import { hostCapabilities } from '../runtime/host-capabilities.ts';
import { OciRuntime } from '../runtime/oci-runtime.ts';
import type { RuntimeName } from '../runtime/runtime-version.ts';
import { PodVolumes } from '../volumes/pod-volumes.ts';
import { ServiceAccountTokenManager } from '../volumes/token-manager.ts';
import { Kubelet } from './kubelet.ts';
import { startHousekeeping, type HousekeepingSettings } from './housekeeping.ts';
import { ContainerLogs } from '../logs/container-logs.ts';

export interface KubeletSettings {
  client: KubeClient;
  nodeName: string;
  stateDir: string;
  runtime: RuntimeName;
  hostIP?: string;
  /** runc's --root (default <stateDir>/runtime). */
  runtimeRoot?: string;
  /** The cgroup every pod goes under (default /kubelab/<nodeName>), or the layout read already. */
  cgroupParent?: string;
  cgroups?: CgroupLayout;
  /** CNI_PATH (default /usr/lib/cni and /opt/cni/bin). */
  cniBinDirs?: string[];
  /** The node's podCIDR and DNS once known (the node network's); else the podCIDR read from the Node at the first pod. */
  podNetwork?: () => Promise<PodNetworkSettings>;
  /** Run the CNI plugins in this named network namespace (a test host's). */
  cniNetns?: string;
  /** The node's registries.yaml (default <stateDir>/registries.yaml when it exists). */
  registryConfigFile?: string;
  /** How often a long image pull reports its progress in an event (default 10 s). */
  pullProgressEveryMs?: number;
  /** Log rotation (the kubelet's containerLogMaxSize, 10 MiB, and containerLogMaxFiles, 5). */
  containerLogMaxSize?: number;
  containerLogMaxFiles?: number;
  /** The node's allocatable, for resourceFieldRef without a limit. */
  allocatable: Record<string, string>;
  /** Stats, eviction (--eviction-hard) and image GC settings; upstream's defaults otherwise. */
  housekeeping?: HousekeepingSettings;
  log?: (line: string) => void;
}

const secrets = { group: '', version: 'v1', resource: 'secrets' };
const orUndefined = <T>(p: Promise<T>): Promise<T | undefined> => p.catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
const readOr = (path: string, fallback: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
};

export async function startKubelet(s: KubeletSettings): Promise<Kubelet> {
  const { client, nodeName, stateDir } = s;
  let network: Promise<PodNetwork> | undefined;
  // Known with the pod network, which every pod's resolv.conf is written after.
  let clusterDNS: string[] = [];
  const podNetwork = s.podNetwork ?? (async () => ({ podCIDR: await Kubelet.podCIDR(client, nodeName), clusterDNS: [] }));
  const images = new ImageStore(join(stateDir, 'images'));
  const tokens = new ServiceAccountTokenManager(client);
  const cgroups = s.cgroups ?? (await cgroupLayout(s.cgroupParent ?? defaultCgroupParent(nodeName)));
  const kubelet = new Kubelet({
    client, nodeName, hostIP: s.hostIP, nodeNetns: s.cniNetns, log: s.log,
    runtime: new OciRuntime({ name: s.runtime, root: s.runtimeRoot ?? join(stateDir, 'runtime') }),
    images,
    progressEveryMs: s.pullProgressEveryMs,
    registryConfig: readRegistriesFile(s.registryConfigFile ?? join(stateDir, 'registries.yaml'), s.registryConfigFile !== undefined),
    network: () => (network ??= podNetwork().then(
      (settings) => {
        clusterDNS = settings.clusterDNS;
        return new PodNetwork({ podCIDR: settings.podCIDR, stateDir: join(stateDir, 'cni'), cni: { binDirs: s.cniBinDirs ?? ['/usr/lib/cni', '/opt/cni/bin'], hostNetns: s.cniNetns }, log: s.log });
      },
      (e: unknown) => {
        network = undefined; // asked again at the next pod
        throw e;
      },
    )),
    volumes: new PodVolumes(join(stateDir, 'pods')),
    sources: {
      configMap: (ns, name) => orUndefined(client.get<ConfigMap>(gvr.configMaps, ns, name)),
      secret: (ns, name) => orUndefined(client.get<Secret>(secrets, ns, name)),
      serviceAccountToken: (pod, projection) => tokens.token(pod, projection),
      tokenRefreshDue: (uid) => tokens.refreshDue(uid),
      allocatable: s.allocatable,
    },
    cgroups,
    hostCapabilities: await hostCapabilities(),
    seccompRoot: join(stateDir, 'seccomp'),
    dns: { get clusterDNS() { return clusterDNS; }, clusterDomain: 'cluster.local', hostResolvConf: readOr('/etc/resolv.conf', '') },
    containersDir: join(stateDir, 'containers'),
    logs: new ContainerLogs(join(stateDir, 'logs'), { maxSize: s.containerLogMaxSize, maxFiles: s.containerLogMaxFiles }),
    podsDir: join(stateDir, 'pods'),
    now: () => Date.now(),
  });
  await kubelet.start();
  // Archives in <state-dir>/images/import/: images for a lab without a registry.
  const importer = new ArchiveImporter({ images, dir: join(stateDir, 'images'), log: s.log });
  await importer.start();
  kubelet.onStop(() => importer.stop());
  await startHousekeeping(kubelet, { nodeName, stateDir, images, cgroups, containersDir: join(stateDir, 'containers'), podsDir: join(stateDir, 'pods') }, s.housekeeping);
  return kubelet;
}
