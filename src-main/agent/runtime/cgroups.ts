// The cgroup layout of an agent's containers and what the kubelet reads back from it.
//   <parent>/pod<uid>/<containerID>   e.g. /kubelab/<agent>/pod<uid>/<id>
// given to runc as a cgroupfs-style cgroupsPath (absolute: from each hierarchy's root, not from
// the agent's own cgroup), so several agents on one machine keep disjoint trees. runc creates the
// dirs in every hierarchy it manages: each v1 controller, name=systemd and, on a hybrid machine,
// the unified (v2) tree; removing a pod removes its dir in all of them.
import { readdir, readFile, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';

export type CgroupMode = 'v1' | 'hybrid' | 'v2';

export interface CgroupLayout {
  mode: CgroupMode;
  /** The cgroupfs mount point, normally /sys/fs/cgroup. */
  mountRoot: string;
  /** The agent's parent cgroup path, e.g. /kubelab/node-a. */
  parent: string;
  /** Of the controllers pod limits need (cpu, memory, pids), those this machine lacks. */
  missingControllers: LimitController[];
}

/** The controllers pod limits are written to: cpu shares and quota, the memory limit, pids.max. */
export const LIMIT_CONTROLLERS = ['cpu', 'memory', 'pids'] as const;
export type LimitController = (typeof LIMIT_CONTROLLERS)[number];

const cgroup2Magic = 'cgroup.controllers';

/** v2 when the root is cgroup2, hybrid when v1 sits beside a unified/ cgroup2 mount, else v1. */
export async function detectCgroupMode(mountRoot = '/sys/fs/cgroup'): Promise<CgroupMode> {
  if (await exists(path.join(mountRoot, cgroup2Magic))) return 'v2';
  if (await exists(path.join(mountRoot, 'unified', cgroup2Magic))) return 'hybrid';
  return 'v1';
}

/** Each agent's own tree, so several agents on one machine never share a cgroup. */
export const defaultCgroupParent = (nodeName: string): string => `/kubelab/${nodeName}`;

export async function cgroupLayout(parent: string, mountRoot = '/sys/fs/cgroup'): Promise<CgroupLayout> {
  const clean = path.posix.normalize(`/${parent}`).replace(/\/+$/, '');
  // The agent owns (and on cleanup removes) everything under its parent: never the root.
  if (clean === '') throw new Error('the agent cgroup parent must not be the cgroup root');
  const mode = await detectCgroupMode(mountRoot);
  return { mode, mountRoot, parent: clean, missingControllers: await missingControllers(mode, mountRoot) };
}

/**
 * v2 lists what its root can hand down in cgroup.controllers (a controller still bound to a v1
 * hierarchy is absent); v1 and hybrid mount one hierarchy per controller. A kernel booted without
 * the memory controller (the Raspberry Pi's missing cgroup_enable=memory) shows up here.
 */
async function missingControllers(mode: CgroupMode, mountRoot: string): Promise<LimitController[]> {
  if (mode === 'v2') {
    const available = new Set((await readText(mountRoot, cgroup2Magic)).split(/\s+/));
    return LIMIT_CONTROLLERS.filter((c) => !available.has(c));
  }
  const mounted = await Promise.all(LIMIT_CONTROLLERS.map((c) => exists(path.join(mountRoot, c))));
  return LIMIT_CONTROLLERS.filter((_, i) => !mounted[i]);
}

/**
 * The kubelet refuses to start without these controllers; so does the agent, unless told that
 * pod limits may go unenforced (a test host, or a machine kept as it is on purpose).
 */
export function checkLimitControllers(layout: CgroupLayout, allowMissing: boolean, log: (line: string) => void): void {
  const missing = layout.missingControllers.join(', ');
  if (missing === '') return;
  if (!allowMissing) {
    throw new Error(`cgroup ${layout.mode} at ${layout.mountRoot} has no ${missing} controllers: enable them on the kernel command line (cgroup_enable=memory on a Raspberry Pi), or pass --allow-missing-cgroup-controllers to run pods without those limits`);
  }
  log(`agent: cgroup ${layout.mode} without the ${missing} controllers: pod limits are not enforced`);
}

export function podCgroup(layout: CgroupLayout, podUid: string): string {
  return path.posix.join(layout.parent, `pod${podUid}`);
}

/** The cgroupsPath for runc. */
export function containerCgroup(layout: CgroupLayout, podUid: string, containerId: string): string {
  return path.posix.join(podCgroup(layout, podUid), containerId);
}

/** Where a controller's files for `cgroup` live: v2 has one tree, v1 one per controller. */
export function controllerDir(layout: CgroupLayout, controller: string, cgroup: string): string {
  return layout.mode === 'v2' ? path.join(layout.mountRoot, cgroup) : path.join(layout.mountRoot, controller, cgroup);
}

/** Every hierarchy's dir for `cgroup` (v1 controllers, named ones, unified). */
async function hierarchyDirs(layout: CgroupLayout, cgroup: string): Promise<string[]> {
  if (layout.mode === 'v2') return [path.join(layout.mountRoot, cgroup)];
  const entries = await readdir(layout.mountRoot, { withFileTypes: true });
  // Skip the cpu,cpuacct style symlinks: their targets are listed themselves.
  return entries.filter((e) => e.isDirectory()).map((e) => path.join(layout.mountRoot, e.name, cgroup));
}

export interface MemoryStats {
  usageBytes: number;
  /** undefined when unlimited. */
  limitBytes?: number;
  /** How many times the kernel's OOM killer killed a process of this cgroup. */
  oomKills: number;
}

// v1 reports "no limit" as the page-rounded largest signed 64-bit value.
const v1Unlimited = 2 ** 62;

export async function memoryStats(layout: CgroupLayout, cgroup: string): Promise<MemoryStats> {
  const dir = controllerDir(layout, 'memory', cgroup);
  if (layout.mode === 'v2') {
    const [usage, max, events] = await Promise.all(['memory.current', 'memory.max', 'memory.events'].map((f) => readText(dir, f)));
    return { usageBytes: Number(usage), limitBytes: max === 'max' ? undefined : Number(max), oomKills: keyed(events).oom_kill ?? 0 };
  }
  const [usage, limit, control] = await Promise.all(['memory.usage_in_bytes', 'memory.limit_in_bytes', 'memory.oom_control'].map((f) => readText(dir, f)));
  const limitBytes = Number(limit) >= v1Unlimited ? undefined : Number(limit);
  return { usageBytes: Number(usage), limitBytes, oomKills: keyed(control).oom_kill ?? 0 };
}

/** Whether the OOM killer struck in the container's cgroup: the kubelet's OOMKilled reason. */
export async function wasOomKilled(layout: CgroupLayout, cgroup: string): Promise<boolean> {
  return (await memoryStats(layout, cgroup)).oomKills > 0;
}

/**
 * Removes the pod's cgroup (and any container dirs runc left) in every hierarchy. A cgroup still
 * holding processes refuses (EBUSY) and the error says so; one already gone is fine.
 */
export async function removePodCgroup(layout: CgroupLayout, podUid: string): Promise<void> {
  await removeCgroupTree(layout, podCgroup(layout, podUid));
}

export async function removeCgroupTree(layout: CgroupLayout, cgroup: string): Promise<void> {
  for (const dir of await hierarchyDirs(layout, cgroup)) await removeDirTree(dir);
}

async function removeDirTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (!entries) return;
  // Children first: a cgroup dir with sub-cgroups cannot be removed; its files go with rmdir.
  for (const e of entries) if (e.isDirectory()) await removeDirTree(path.join(dir, e.name));
  await rmdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw new Error(`removing cgroup ${dir}: ${e.code ?? e.message}`);
  });
}

/** The cgroup dirs of `cgroup` that exist (for leak checks). */
export async function existingCgroupDirs(layout: CgroupLayout, cgroup: string): Promise<string[]> {
  const dirs = await hierarchyDirs(layout, cgroup);
  const present = await Promise.all(dirs.map(exists));
  return dirs.filter((_, i) => present[i]);
}

/** A flat keyed file (memory.stat, cpu.stat, memory.events): "key value" per line. */
export function keyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out[k] = Number(v);
  }
  return out;
}

export async function readText(dir: string, file: string): Promise<string> {
  return (await readFile(path.join(dir, file), 'utf8')).trim();
}

function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}
