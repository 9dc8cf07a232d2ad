// CPU and memory of one cgroup as cAdvisor reads them, for the three layouts: v1 (one hierarchy
// per controller), hybrid (v1 controllers; the unified tree holds no controllers, so v1 is read)
// and v2. The working set is usage minus inactive file pages: the memory the kernel cannot simply
// drop, which is what the eviction manager and `kubectl top` count. The node's own figures come
// from the root cgroup, or /proc where v2's root has no memory files.
import { readFile } from 'node:fs/promises';
import { meminfo } from '../kubelet/machine.ts';
import { controllerDir, keyed, readText, type CgroupLayout } from '../runtime/cgroups.ts';

export interface CgroupSample<M = MemorySample | undefined> {
  /** Cumulative CPU time of every task ever in the cgroup, in nanoseconds. */
  cpuUsageNanos: number;
  /** undefined where the machine has no memory controller (its cgroups count no memory). */
  memory: M;
  /** Tasks in the cgroup now (undefined where the pids controller does not say). */
  processes?: number;
}

export interface MemorySample {
  usageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
  pageFaults: number;
  majorPageFaults: number;
}

/** Reads one cgroup; throws when it does not exist (the container is gone). */
export async function readCgroup(layout: CgroupLayout, cgroup: string): Promise<CgroupSample> {
  const memory = layout.missingControllers.includes('memory') ? undefined : memorySample(layout, cgroup);
  const [cpuUsageNanos, memorySampled, processes] = await Promise.all([cpuNanos(layout, cgroup), memory, pids(layout, cgroup)]);
  return { cpuUsageNanos, memory: memorySampled, processes };
}

async function cpuNanos(layout: CgroupLayout, cgroup: string): Promise<number> {
  if (layout.mode === 'v2') return (keyed(await readText(controllerDir(layout, 'cpu', cgroup), 'cpu.stat')).usage_usec ?? 0) * 1000;
  return Number(await readText(controllerDir(layout, 'cpuacct', cgroup), 'cpuacct.usage'));
}

async function memorySample(layout: CgroupLayout, cgroup: string): Promise<MemorySample> {
  const dir = controllerDir(layout, 'memory', cgroup);
  const v2 = layout.mode === 'v2';
  const [usage, statText] = await Promise.all([readText(dir, v2 ? 'memory.current' : 'memory.usage_in_bytes'), readText(dir, 'memory.stat')]);
  const stat = keyed(statText);
  // v1's hierarchical totals carry a total_ prefix; v2's counters are hierarchical already.
  const get = (v1: string, v2name: string): number => (v2 ? stat[v2name] : stat[`total_${v1}`] ?? stat[v1]) ?? 0;
  return workingSet(Number(usage), get('inactive_file', 'inactive_file'), get('rss', 'anon'), get('pgfault', 'pgfault'), get('pgmajfault', 'pgmajfault'));
}

function workingSet(usageBytes: number, inactiveFile: number, rssBytes: number, pageFaults: number, majorPageFaults: number): MemorySample {
  return { usageBytes, workingSetBytes: Math.max(0, usageBytes - inactiveFile), rssBytes, pageFaults, majorPageFaults };
}

async function pids(layout: CgroupLayout, cgroup: string): Promise<number | undefined> {
  const text = await readText(controllerDir(layout, 'pids', cgroup), 'pids.current').catch(() => undefined);
  return text === undefined ? undefined : Number(text);
}

/** The whole machine: the root cgroup's counters, /proc where the root lacks them. */
export async function readNode(layout: CgroupLayout): Promise<CgroupSample<MemorySample>> {
  const [cpuUsageNanos, memory] = await Promise.all([
    cpuNanos(layout, '/').catch(procStatNanos),
    layout.mode === 'v2' || layout.missingControllers.includes('memory') ? meminfoSample() : memorySample(layout, '/').catch(() => meminfoSample()),
  ]);
  return { cpuUsageNanos, memory };
}

/** /proc/stat's busy jiffies (everything but idle and iowait), in nanoseconds at USER_HZ 100. */
async function procStatNanos(): Promise<number> {
  const cpu = (await readFile('/proc/stat', 'utf8')).split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return (user + nice + system + irq + softirq + (steal ?? 0)) * 10_000_000;
}

/** As runc does for a v2 root: used = total - free, and inactive file pages from meminfo. */
function meminfoSample(): MemorySample {
  const info = meminfo();
  const usage = (info.get('MemTotal') ?? 0) - (info.get('MemFree') ?? 0);
  return workingSet(usage, info.get('Inactive(file)') ?? 0, info.get('AnonPages') ?? 0, 0, 0);
}

/** When the machine booted (the node's startTime), from /proc/stat's btime. */
export async function bootTime(): Promise<number> {
  const m = /^btime\s+(\d+)$/m.exec(await readFile('/proc/stat', 'utf8'));
  return m ? Number(m[1]) * 1000 : 0;
}
