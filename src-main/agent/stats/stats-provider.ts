// The node's stats (the kubelet's summary provider over cAdvisor): for every running container,
// pod and the node itself, CPU (cumulative and as a rate) and memory from the cgroups runc made,
// and disk from the dirs the kubelet owns — writable layers, logs, volumes, the image store. One
// reading is taken on demand; a housekeeping reading every 10 s keeps a base for the CPU rates.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import { containerCgroup, podCgroup, type CgroupLayout } from '../runtime/cgroups.ts';
import { rootfsPaths } from '../runtime/rootfs.ts';
import type { ContainerRecord } from '../kubelet/pod-status.ts';
import { readPressure } from '../kubelet/machine.ts';
import { rfc3339 } from '../../util/rfc3339.ts';
import { bootTime, readCgroup, readNode, type CgroupSample, type MemorySample } from './cgroup-stats.ts';
import { CpuRates } from './cpu-rates.ts';
import { deviceOf, dirUsage, fsStats, type DirUsage, type FsStats } from './fs-usage.ts';
import type { ContainerStats, CPUStats, MemoryStats, PodStats, Summary, VolumeStats } from './summary-types.ts';

/** What the provider needs of a pod the kubelet runs (PodWorker has it). */
export interface RunningPod {
  pod: Pod;
  worker: { uid: string; startTime?: string; containers: Map<string, ContainerRecord> };
}

export interface StatsDeps {
  nodeName: string;
  cgroups: CgroupLayout;
  pods: () => RunningPod[];
  /** The state dir: its file system is nodefs. */
  stateDir: string;
  containersDir: string;
  podsDir: string;
  /** The image store's root: its file system is imagefs. */
  imagesDir: string;
  memoryCapacityBytes: number;
  /** Where a container's log is (a file, or a dir of its runs' rotated files). */
  containerLog: (pod: Pod, container: ContainerRecord) => string;
  now?: () => number;
}

const HOUSEKEEPING_MS = 10_000;
const DU_TTL_MS = 10_000;

interface FsContext {
  nodefs: FsStats;
  imagefs: FsStats;
  imageUse: DirUsage;
  nodeDev: number;
}

export class StatsProvider {
  private readonly rates = new CpuRates();
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private booted?: Promise<number>;
  private readonly duCache = new Map<string, { at: number; usage: DirUsage }>();

  constructor(private readonly deps: StatsDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Starts the housekeeping readings (the process is not held by them). */
  start(): void {
    const housekeeping = () => void this.reading({ disk: false }).catch(() => undefined);
    this.timer ??= setInterval(housekeeping, HOUSEKEEPING_MS);
    this.timer.unref();
    housekeeping();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A fresh reading of everything (GET /stats/summary). */
  async summary(): Promise<Summary> {
    return (await this.reading()).summary;
  }

  /**
   * The summary and the exact time (ms) it was read, which the summary's RFC 3339 times round.
   * `disk: false` reads CPU and memory only (what /metrics/resource and the CPU rates need).
   */
  async reading({ disk = true }: { disk?: boolean } = {}): Promise<{ at: number; summary: Summary }> {
    const at = this.now();
    const time = rfc3339(at);
    const live = new Set<string>(['node', 'pods']);
    const [node, podsCgroup] = await Promise.all([readNode(this.deps.cgroups), readCgroup(this.deps.cgroups, this.deps.cgroups.parent).catch(() => undefined)]);
    const fs = disk ? await this.fsContext() : undefined;
    const pods = await Promise.all(this.deps.pods().map((p) => this.podStats(p, at, live, fs)));
    this.booted ??= bootTime();
    const pressure = readPressure(this.deps.stateDir);
    const imageFs = fs && { time, ...fs.imagefs, usedBytes: fs.imageUse.bytes, inodesUsed: fs.imageUse.inodes };
    const summary: Summary = {
      node: {
        nodeName: this.deps.nodeName,
        systemContainers: podsCgroup ? [{ name: 'pods', startTime: rfc3339(await this.booted), ...this.usage('pods', podsCgroup, at) }] : [],
        startTime: rfc3339(await this.booted),
        cpu: this.cpu('node', node, at),
        memory: { ...this.memory(node.memory, at), availableBytes: Math.max(0, this.deps.memoryCapacityBytes - node.memory.workingSetBytes) },
        ...(fs && imageFs ? { fs: { time, ...fs.nodefs }, runtime: { imageFs, containerFs: imageFs } } : {}),
        rlimit: { time, maxpid: pressure.pidMax, curproc: pressure.processes },
      },
      pods: pods.filter((p): p is PodStats => p !== undefined),
    };
    this.rates.retain(live);
    for (const [dir, { at: measured }] of this.duCache) if (Date.now() - measured > 6 * DU_TTL_MS) this.duCache.delete(dir);
    return { at, summary };
  }

  private async fsContext(): Promise<FsContext> {
    const [nodefs, imagefs, imageUse, nodeDev] = await Promise.all([
      fsStats(this.deps.stateDir), fsStats(this.deps.imagesDir).catch(() => fsStats(this.deps.stateDir)),
      this.du(this.deps.imagesDir), deviceOf(this.deps.stateDir),
    ]);
    return { nodefs, imagefs, imageUse, nodeDev };
  }

  /**
   * A tree's use, measured at most every 10 s: walking the image store and every writable
   * layer at each scrape would cost more than the figures are worth (cAdvisor caches its du too).
   */
  private async du(dir: string): Promise<DirUsage> {
    const now = Date.now();
    const hit = this.duCache.get(dir);
    if (hit && now - hit.at < DU_TTL_MS) return hit.usage;
    const usage = await dirUsage(dir);
    this.duCache.set(dir, { at: now, usage });
    return usage;
  }

  /** One pod's stats, or undefined when the pod has nothing running. */
  async podStats({ pod, worker }: RunningPod, at: number, live: Set<string>, fs?: FsContext): Promise<PodStats | undefined> {
    const time = rfc3339(at);
    const { cgroups } = this.deps;
    const running = [...worker.containers.values()].filter((c) => c.id && !c.terminated);
    const containers = (await Promise.all(running.map(async (c): Promise<ContainerStats | undefined> => {
      const sample = await readCgroup(cgroups, containerCgroup(cgroups, worker.uid, c.id!)).catch(() => undefined);
      if (!sample) return undefined;
      live.add(c.id!);
      const base = { name: c.name, startTime: c.startedAt ?? time, ...this.usage(c.id!, sample, at) };
      if (!fs) return base;
      const [rootfs, logs] = await Promise.all([this.du(rootfsPaths(join(this.deps.containersDir, c.id!)).upperdir), this.du(this.deps.containerLog(pod, c))]);
      return {
        ...base,
        rootfs: { time, ...fs.imagefs, usedBytes: rootfs.bytes, inodesUsed: rootfs.inodes },
        logs: { time, ...fs.nodefs, usedBytes: logs.bytes, inodesUsed: logs.inodes },
      };
    }))).filter((c): c is ContainerStats => c !== undefined);
    if (containers.length === 0) return undefined;
    const podSample = await readCgroup(cgroups, podCgroup(cgroups, worker.uid)).catch(() => undefined);
    if (podSample) live.add(worker.uid);
    const podRef = { name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, uid: worker.uid };
    const usage = podSample ? this.usage(worker.uid, podSample, at) : {};
    if (!fs) return { podRef, startTime: worker.startTime ?? time, containers, ...usage };
    const volume = await this.volumes(worker.uid, time);
    // Ephemeral storage: writable layers, logs, and the volumes that live on the node's disk.
    const onDisk = volume.filter((v) => v.dev === fs.nodeDev);
    const used = (k: 'usedBytes' | 'inodesUsed') => containers.reduce((n, c) => n + c.rootfs![k] + c.logs![k], 0) + onDisk.reduce((n, v) => n + v.stats[k], 0);
    return {
      podRef,
      startTime: worker.startTime ?? time,
      containers,
      ...usage,
      volume: volume.map((v) => v.stats),
      'ephemeral-storage': { time, ...fs.nodefs, usedBytes: used('usedBytes'), inodesUsed: used('inodesUsed') },
      ...(podSample?.processes !== undefined ? { process_stats: { process_count: podSample.processes } } : {}),
    };
  }

  /** Every volume dir of the pod (<podsDir>/<uid>/volumes/<plugin>/<name>) with what it takes. */
  private async volumes(uid: string, time: string): Promise<{ dev: number; stats: VolumeStats }[]> {
    const root = join(this.deps.podsDir, uid, 'volumes');
    const plugins = await readdir(root).catch(() => [] as string[]);
    const dirs = (await Promise.all(plugins.map(async (p) => (await readdir(join(root, p)).catch(() => [] as string[])).map((name) => ({ name, dir: join(root, p, name) }))))).flat();
    return Promise.all(dirs.map(async ({ name, dir }) => {
      const [use, fs, dev] = await Promise.all([this.du(dir), fsStats(dir), deviceOf(dir)]);
      return { dev, stats: { time, ...fs, usedBytes: use.bytes, inodesUsed: use.inodes, name } };
    }));
  }

  private usage(key: string, sample: CgroupSample, at: number): { cpu: CPUStats; memory?: MemoryStats } {
    return { cpu: this.cpu(key, sample, at), ...(sample.memory ? { memory: this.memory(sample.memory, at) } : {}) };
  }

  private cpu(key: string, sample: CgroupSample, at: number): CPUStats {
    const rate = this.rates.observe(key, at, sample.cpuUsageNanos);
    return { time: rfc3339(at), ...(rate !== undefined ? { usageNanoCores: rate } : {}), usageCoreNanoSeconds: sample.cpuUsageNanos };
  }

  private memory(memory: MemorySample, at: number): MemoryStats {
    return { time: rfc3339(at), ...memory };
  }
}

