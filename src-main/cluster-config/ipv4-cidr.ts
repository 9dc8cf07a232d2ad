// IPv4 CIDRs as numbers: what the cluster's range checks need (parse, overlap, first address).
import { formatIPv4, parseIPv4 } from '../api/allocator.ts';

export interface IPv4CIDR {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

/**
 * "10.42.0.0/16" → its network; undefined when it is not an IPv4 CIDR. Host bits are cleared,
 * as Go's net.ParseCIDR (which kube-controller-manager uses) does.
 */
export function parseIPv4CIDR(text: string): IPv4CIDR | undefined {
  const m = /^([0-9.]+)\/(0|[1-9][0-9]?)$/.exec(text);
  if (!m) return undefined;
  const addr = parseIPv4(m[1]);
  const prefix = Number(m[2]);
  if (addr === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { base: addr - (addr % size), prefix };
}

export function formatIPv4CIDR(cidr: IPv4CIDR): string {
  return `${formatIPv4(cidr.base)}/${cidr.prefix}`;
}

function lastAddress(cidr: IPv4CIDR): number {
  return cidr.base + 2 ** (32 - cidr.prefix) - 1;
}

/** True when the two ranges share an address (one inside the other, as CIDRs never cross). */
export function cidrsOverlap(a: IPv4CIDR, b: IPv4CIDR): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

/** The first usable address: the `kubernetes` service's IP in the service range. */
export function firstAddress(cidr: IPv4CIDR): string {
  return formatIPv4(cidr.base + 1);
}
