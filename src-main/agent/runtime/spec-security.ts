// Capabilities and privilege settings: Docker's (and containerd's) default capability set, with
// securityContext.capabilities applied in containerd's order — add ALL, drop ALL, then each named
// add, then each named drop — so that `add: [ALL], drop: [CHOWN]` is everything but CHOWN.
import type { SecurityContext } from 'kubernetes-types/core/v1';
import type { OciCapabilities } from './oci-types.ts';

export const defaultCapabilities: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Every capability Linux defines up to CAP_CHECKPOINT_RESTORE (40), in number order. */
export const allCapabilities: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/**
 * Kubernetes names capabilities without the prefix ("NET_ADMIN"); a "CAP_" some users write is
 * accepted too (containerd would turn it into CAP_CAP_NET_ADMIN, which runc rejects).
 */
function capName(c: string): string {
  const upper = c.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/**
 * The container's capabilities. "All" means all the agent itself holds (`host`, its bounding
 * set), as containerd's cap.Current(): runc cannot grant one it lacks ("unable to apply caps").
 */
export function capabilitySet(sc: SecurityContext | undefined, host: readonly string[] = allCapabilities): string[] {
  if (sc?.privileged) return [...host];
  const add = sc?.capabilities?.add ?? [];
  const drop = sc?.capabilities?.drop ?? [];
  const isAll = (c: string) => c.toUpperCase() === 'ALL';
  const caps = new Set(defaultCapabilities);
  if (add.some(isAll)) host.forEach((c) => caps.add(c));
  if (drop.some(isAll)) caps.clear();
  add.filter((c) => !isAll(c)).forEach((c) => caps.add(capName(c)));
  drop.filter((c) => !isAll(c)).forEach((c) => caps.delete(capName(c)));
  return [...caps];
}

/**
 * containerd sets the effective, permitted and bounding sets; inheritable stays empty (since the
 * 2023 fix for CVE-2022-24769) and ambient too, so a non-root process has no effective caps.
 */
export function ociCapabilities(sc: SecurityContext | undefined, host?: readonly string[]): OciCapabilities {
  const caps = capabilitySet(sc, host);
  return { bounding: caps, effective: [...caps], permitted: [...caps] };
}

/** The capabilities in a /proc/<pid>/status Cap* mask ("000001fffeffffff"). */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim()}`);
  return allCapabilities.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/**
 * no_new_privs, so that a setuid binary in an image cannot raise its rights. The pod's
 * allowPrivilegeEscalation decides when set, as the kubelet's AddNoNewPrivileges; unset, it is on
 * unless the container could gain privileges anyway — privileged or holding CAP_SYS_ADMIN, the
 * cases where upstream takes allowPrivilegeEscalation as true. (Upstream's kubelet leaves it off
 * when unset; the issue asks for no new privileges unless the pod asks.) A privileged container
 * never has it: the API rejects allowPrivilegeEscalation false with privileged true.
 */
export function noNewPrivileges(sc: SecurityContext | undefined, capabilities: readonly string[] = capabilitySet(sc)): boolean {
  if (sc?.privileged) return false;
  if (sc?.allowPrivilegeEscalation !== undefined && sc.allowPrivilegeEscalation !== null) return !sc.allowPrivilegeEscalation;
  return !capabilities.includes('CAP_SYS_ADMIN');
}
