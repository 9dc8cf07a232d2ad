// The kubelet's parts beside the pod loop, put together: the stats provider (cgroups and disks),
// image garbage collection and the eviction manager, all stopped with the kubelet. The image
// store's file system is imagefs; when it is the state dir's too, freeing nodefs removes images.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { podRef } from '../logs/container-logs.ts';
import { readMachine, readPressure } from './machine.ts';
import { EvictionManager } from './eviction/eviction-manager.ts';
import { defaultEvictionHard, type Threshold } from './eviction/thresholds.ts';
import { ImageGC, defaultImageGCPolicy, type ImageGCPolicy } from '../images/image-gc.ts';
import type { ImageStore } from '../images/image-store.ts';
import type { CgroupLayout } from '../runtime/cgroups.ts';
import { StatsProvider } from '../stats/stats-provider.ts';
import type { Kubelet } from './kubelet.ts';

export interface HousekeepingSettings {
  evictionHard?: readonly Threshold[];
  /** How often the eviction manager looks (10 s). */
  evictionPeriodMs?: number;
  imageGC?: Partial<ImageGCPolicy>;
  /** How often image GC runs (5 min). */
  imageGCPeriodMs?: number;
}

export interface NodeDirs {
  nodeName: string;
  stateDir: string;
  images: ImageStore;
  cgroups: CgroupLayout;
  containersDir: string;
  podsDir: string;
}

export async function startHousekeeping(kubelet: Kubelet, d: NodeDirs, settings: HousekeepingSettings = {}): Promise<void> {
  mkdirSync(d.images.root, { recursive: true });
  const log = (line: string): void => kubelet.log(line);
  const stats = new StatsProvider({
    nodeName: d.nodeName, cgroups: d.cgroups, pods: () => kubelet.runningPods(), stateDir: d.stateDir,
    containersDir: d.containersDir, podsDir: d.podsDir, imagesDir: d.images.root, memoryCapacityBytes: readMachine().memoryBytes,
    // Every run's log files and their rotations, as the kubelet counts a container's logs.
    containerLog: (pod, c) => join(kubelet.logs.podDir(podRef(pod)), c.name),
  });
  const pressure = () => readPressure(d.stateDir, d.images.root);
  const imageGC = new ImageGC({
    images: d.images,
    imagesInUse: () => kubelet.podsOnNode().flatMap((p) => [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])].map((c) => c.image ?? '')),
    imageFs: async () => pressure().imagefs,
    event: (type, reason, message) => kubelet.nodeEvent(type, reason, message),
    policy: { ...defaultImageGCPolicy, ...settings.imageGC },
    periodMs: settings.imageGCPeriodMs,
    log,
  });
  const eviction = new EvictionManager({
    thresholds: settings.evictionHard ?? defaultEvictionHard,
    pressure,
    stats,
    activePods: () => kubelet.runningPods().map((p) => p.pod).filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'),
    imageGC,
    imagesOnNodefs: statSync(d.images.root).dev === statSync(d.stateDir).dev,
    evict: (pod, message) => kubelet.evict(pod, message),
    event: (pod, type, reason, message) => kubelet.podEvent(pod, type, reason, message),
    periodMs: settings.evictionPeriodMs,
    log,
  });
  Object.assign(kubelet, { stats, imageGC, eviction });
  stats.start();
  imageGC.start();
  eviction.start();
  kubelet.onStop(() => {
    stats.stop();
    imageGC.stop();
    eviction.stop();
  });
}
