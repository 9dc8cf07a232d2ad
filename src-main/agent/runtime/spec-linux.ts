// The linux part of a container's spec: namespaces (pid, ipc, uts, mount of its own; the pod's
// network namespace joined by path), the devices cgroup (containerd's default allow list) and
// resources from the container's requests and limits as the kubelet converts them.
import type { ResourceRequirements } from 'kubernetes-types/core/v1';
import { milliValue, parseQuantity, value } from '../../util/quantity.ts';
import type { OciDeviceRule, OciNamespace, OciNamespaceType, OciResources } from './oci-types.ts';
import type { LimitController } from './cgroups.ts';

/**
 * Namespaces to join instead of creating; network undefined and hostNetwork false → a new one,
 * hostNetwork with a path → that one (the node's), hostNetwork without → the runtime's own.
 */
export interface NamespacePaths {
  network?: string;
  ipc?: string;
  uts?: string;
  pid?: string;
}

export interface HostNamespaces {
  network?: boolean;
  pid?: boolean;
  ipc?: boolean;
}

export function namespaces(paths: NamespacePaths, host: HostNamespaces): OciNamespace[] {
  const ns = (type: OciNamespaceType, path: string | undefined): OciNamespace => (path ? { type, path } : { type });
  const out: OciNamespace[] = [];
  if (!host.pid) out.push(ns('pid', paths.pid));
  // A host-network pod joins the node's namespace by path when the node is a test host's.
  if (!host.network || paths.network) out.push(ns('network', paths.network));
  if (!host.ipc) out.push(ns('ipc', paths.ipc));
  // A host-network pod keeps the node's hostname, as upstream (UTS follows the network).
  if (!host.network) out.push(ns('uts', paths.uts));
  out.push({ type: 'mount' });
  return out;
}

/** containerd's default device rules: deny all, mknod anything, use the standard char devices. */
export function deviceRules(privileged: boolean): OciDeviceRule[] {
  if (privileged) return [{ allow: true, access: 'rwm' }];
  const c = (major: number | undefined, minor: number | undefined, access = 'rwm'): OciDeviceRule => ({
    allow: true, type: 'c', ...(major === undefined ? {} : { major }), ...(minor === undefined ? {} : { minor }), access,
  });
  return [
    { allow: false, access: 'rwm' },
    c(undefined, undefined, 'm'),
    { allow: true, type: 'b', access: 'm' },
    c(1, 3), c(1, 8), c(1, 7), c(5, 0), c(1, 5), c(1, 9), c(5, 1), c(136, undefined), c(5, 2), c(10, 200),
  ];
}

export const cpuPeriod = 100_000;
const minShares = 2;
const maxShares = 262_144;
const minQuota = 1000;

/** The kubelet's MilliCPUToShares: 1 CPU = 1024 shares, no request → 2, clamped to [2, 262144]. */
export function milliCpuToShares(milliCpu: number): number {
  if (milliCpu <= 0) return minShares;
  return Math.min(maxShares, Math.max(minShares, Math.floor((milliCpu * 1024) / 1000)));
}

/** The kubelet's MilliCPUToQuota: 0 → no quota; at least 1 ms per period. */
export function milliCpuToQuota(milliCpu: number, period = cpuPeriod): number {
  if (milliCpu <= 0) return 0;
  return Math.max(minQuota, Math.floor((milliCpu * period) / 1000));
}

export interface ResourceOptions {
  /** pids.max for the container; undefined leaves it unlimited. */
  pidsLimit?: number;
  /**
   * Set swap equal to the memory limit so the container cannot swap, as containerd does when the
   * swap controller exists (v1 memory.memsw.*, v2 memory.swap.max). runc fails without it.
   */
  limitSwap?: boolean;
  /** Controllers the machine lacks: their limits are left out, or the runtime would fail to write them. */
  missingControllers?: readonly LimitController[];
}

export function resources(req: ResourceRequirements | undefined, privileged: boolean, opts: ResourceOptions): OciResources {
  const limits = req?.limits ?? {};
  const requests = req?.requests ?? {};
  const out: OciResources = { devices: deviceRules(privileged) };
  if (limits.memory !== undefined) {
    const limit = value(parseQuantity(limits.memory));
    out.memory = opts.limitSwap ? { limit, swap: limit } : { limit };
  }
  // A limit without a request means request = limit: the API's defaulting, repeated here so that
  // a pod that skipped it still gets the shares it would have had.
  const cpuRequest = requests.cpu ?? limits.cpu;
  const shares = milliCpuToShares(cpuRequest === undefined ? 0 : milliValue(parseQuantity(cpuRequest)));
  out.cpu = { shares };
  if (limits.cpu !== undefined) {
    const quota = milliCpuToQuota(milliValue(parseQuantity(limits.cpu)));
    if (quota > 0) out.cpu = { shares, quota, period: cpuPeriod };
  }
  if (opts.pidsLimit !== undefined) out.pids = { limit: opts.pidsLimit };
  for (const c of opts.missingControllers ?? []) delete out[c];
  return out;
}
