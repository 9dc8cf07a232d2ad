// What the kubelet reports about its machine, read from /proc, /sys and the cgroup the agent runs
// in (cAdvisor's MachineInfo): CPUs and memory as the machine offers them to this agent (a cgroup
// limit wins over the hardware), identity (machine-id, boot id), OS and kernel, and addresses.
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { arch, cpus, hostname, networkInterfaces, release } from 'node:os';

export interface MachineInfo {
  /** CPUs available to the agent, in millicores (a cgroup quota can make this fractional). */
  milliCPU: number;
  memoryBytes: number;
  machineID: string;
  bootID: string;
  systemUUID: string;
  kernelVersion: string;
  osImage: string;
  /** GOARCH-style: amd64, arm64, arm. */
  architecture: string;
  hostname: string;
}

/** Usage that decides the pressure conditions. */
export interface MachinePressure {
  memoryAvailableBytes: number;
  memoryCapacityBytes: number;
  /** The file system that holds the state folder (pods, logs, writable layers). */
  nodefs: FsAvailability;
  /** The file system that holds the image store (the same as nodefs unless mounted apart). */
  imagefs: FsAvailability;
  /** Their inodes: free and total. */
  nodefsInodes: FsAvailability;
  imagefsInodes: FsAvailability;
  processes: number;
  pidMax: number;
}

export interface FsAvailability {
  available: number;
  capacity: number;
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** /proc/meminfo values in bytes, by name. */
export function meminfo(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (readText('/proc/meminfo') ?? '').split('\n')) {
    const m = /^([\w()]+):\s+(\d+)(?: kB)?$/.exec(line);
    if (m) out.set(m[1], Number(m[2]) * (line.endsWith('kB') ? 1024 : 1));
  }
  return out;
}

/** The cgroup (v2 path or v1 memory/cpu controller paths) of this process. */
function ownCgroups(): { unified?: string; memory?: string; cpu?: string } {
  const out: { unified?: string; memory?: string; cpu?: string } = {};
  for (const line of (readText('/proc/self/cgroup') ?? '').split('\n')) {
    const [id, controllers, path] = line.split(':');
    if (id === '0' && controllers === '') out.unified = path;
    if (controllers?.split(',').includes('memory')) out.memory = path;
    if (controllers?.split(',').includes('cpu')) out.cpu = path;
  }
  return out;
}

// A limit of "max", or v1's "no limit" (a page-aligned huge number), means none.
const NO_LIMIT = 2 ** 62;

function cgroupMemoryLimit(): number | undefined {
  const cg = ownCgroups();
  const v2 = cg.unified !== undefined ? readText(`/sys/fs/cgroup${cg.unified}/memory.max`) : undefined;
  const v1 = cg.memory !== undefined ? readText(`/sys/fs/cgroup/memory${cg.memory}/memory.limit_in_bytes`) : undefined;
  const value = Number(v2 ?? v1);
  return Number.isFinite(value) && value > 0 && value < NO_LIMIT ? value : undefined;
}

function cgroupMilliCPU(): number | undefined {
  const cg = ownCgroups();
  const v2 = cg.unified !== undefined ? readText(`/sys/fs/cgroup${cg.unified}/cpu.max`) : undefined;
  if (v2) {
    const [quota, period] = v2.split(' ');
    if (quota !== 'max' && Number(period) > 0) return Math.round((Number(quota) / Number(period)) * 1000);
  }
  if (cg.cpu === undefined) return undefined;
  const quota = Number(readText(`/sys/fs/cgroup/cpu${cg.cpu}/cpu.cfs_quota_us`));
  const period = Number(readText(`/sys/fs/cgroup/cpu${cg.cpu}/cpu.cfs_period_us`));
  return quota > 0 && period > 0 ? Math.round((quota / period) * 1000) : undefined;
}

/** Node's arch names to Go's, which nodeInfo.architecture uses. */
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

function osImage(): string {
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readText('/etc/os-release') ?? '');
  return pretty?.[1] ?? 'Linux';
}

export function readMachine(): MachineInfo {
  const hardwareMilli = cpus().length * 1000;
  const cgroupMilli = cgroupMilliCPU();
  const total = meminfo().get('MemTotal') ?? 0;
  const limit = cgroupMemoryLimit();
  const machineID = readText('/etc/machine-id') ?? readText('/var/lib/dbus/machine-id') ?? '';
  return {
    milliCPU: cgroupMilli !== undefined ? Math.min(cgroupMilli, hardwareMilli) : hardwareMilli,
    memoryBytes: limit !== undefined ? Math.min(limit, total) : total,
    machineID,
    bootID: readText('/proc/sys/kernel/random/boot_id') ?? '',
    // Readable by root only on most machines; upstream falls back the same way.
    systemUUID: (readText('/sys/class/dmi/id/product_uuid') ?? machineID).toLowerCase(),
    kernelVersion: release(),
    osImage: osImage(),
    architecture: GOARCH[arch()] ?? arch(),
    hostname: hostname(),
  };
}

/** The node's pressure; the image store is <stateDir>/images unless told otherwise. */
export function readPressure(stateDir: string, imagesDir = join(stateDir, 'images')): MachinePressure {
  const mem = meminfo();
  return {
    memoryAvailableBytes: mem.get('MemAvailable') ?? mem.get('MemFree') ?? 0,
    memoryCapacityBytes: mem.get('MemTotal') ?? 0,
    nodefs: availability(stateDir),
    imagefs: availability(existsSync(imagesDir) ? imagesDir : stateDir),
    nodefsInodes: inodes(stateDir),
    imagefsInodes: inodes(existsSync(imagesDir) ? imagesDir : stateDir),
    processes: countProcesses(),
    pidMax: Number(readText('/proc/sys/kernel/pid_max') ?? 32768),
  };
}

function availability(dir: string): FsAvailability {
  const fs = statfsSync(dir);
  return { available: fs.bavail * fs.bsize, capacity: fs.blocks * fs.bsize };
}

function inodes(dir: string): FsAvailability {
  const fs = statfsSync(dir);
  return { available: fs.ffree, capacity: fs.files };
}

/** Threads count against pid_max, as upstream's pid.available does (/proc/loadavg's total). */
function countProcesses(): number {
  const fields = (readText('/proc/loadavg') ?? '').split(' ');
  const total = Number(fields[3]?.split('/')[1]);
  return Number.isFinite(total) ? total : 0;
}

/** The node's InternalIP: the one asked for, or the first IPv4 address that is not loopback. */
export function internalIP(wanted?: string): string | undefined {
  if (wanted) return wanted;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
