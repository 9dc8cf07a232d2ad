// Mounts of a container: containerd's default set (/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue,
// /sys, no /run) plus the CRI's /sys/fs/cgroup, read-only unless privileged; then the caller's
// bind mounts (the pod's /etc/hosts, /etc/hostname, /etc/resolv.conf and volumes), which replace a
// default at the same destination; sorted parents first as containerd does.
import type { OciMount } from './oci-types.ts';

export type MountPropagation = 'None' | 'HostToContainer' | 'Bidirectional';

export interface BindMount {
  source: string;
  destination: string;
  readOnly?: boolean;
  propagation?: MountPropagation;
}

/** The kubelet's default masked and read-only /proc and /sys paths (securitycontext). */
export const defaultMaskedPaths: readonly string[] = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
export const defaultReadonlyPaths: readonly string[] = [
  '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger',
];

export function defaultMounts(privileged: boolean): OciMount[] {
  const ro = privileged ? [] : ['ro'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...ro] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', ...ro] },
  ];
}

const propagationOption: Record<MountPropagation, string> = {
  None: 'rprivate',
  HostToContainer: 'rslave',
  Bidirectional: 'rshared',
};

export function bindMount(m: BindMount): OciMount {
  return {
    destination: m.destination,
    type: 'bind',
    source: m.source,
    options: ['rbind', propagationOption[m.propagation ?? 'None'], m.readOnly ? 'ro' : 'rw'],
  };
}

const clean = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
const depth = (p: string) => clean(p).split('/').filter(Boolean).length;

/** Defaults, then binds; a bind replaces a default with its destination; parents mount first. */
export function containerMounts(privileged: boolean, binds: readonly BindMount[]): OciMount[] {
  const user = binds.map(bindMount);
  const taken = new Set(user.map((m) => clean(m.destination)));
  const all = [...defaultMounts(privileged).filter((m) => !taken.has(m.destination)), ...user];
  // Array.prototype.sort is stable: equal depths keep their order, as containerd's sort.Stable.
  return all.sort((a, b) => depth(a.destination) - depth(b.destination));
}
