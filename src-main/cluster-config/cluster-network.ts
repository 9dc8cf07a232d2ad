// The cluster's address ranges, fixed when the cluster is created: the pod range nodes get their
// podCIDR blocks from (kube-controller-manager --cluster-cidr, --node-cidr-mask-size) and the
// service range cluster IPs come from (kube-apiserver --service-cluster-ip-range; k3s names it
// --service-cidr). The checks are the ones upstream makes when those components start.
import { cidrsOverlap, formatIPv4CIDR, parseIPv4CIDR, type IPv4CIDR } from './ipv4-cidr.ts';

export interface ClusterNetwork {
  /** The pod range, e.g. 10.42.0.0/16. */
  clusterCIDR: string;
  /** The service range, e.g. 10.43.0.0/16. */
  serviceCIDR: string;
  /** The prefix length of each node's podCIDR, e.g. 24. */
  nodeCIDRMaskSize: number;
}

export const defaultClusterNetwork: Readonly<ClusterNetwork> = Object.freeze({
  clusterCIDR: '10.42.0.0/16',
  serviceCIDR: '10.43.0.0/16',
  nodeCIDRMaskSize: 24,
});

/** A range setting the user must change: the message is one line that says which and why. */
export class ClusterNetworkError extends Error {}

/** Upstream refuses a service range of more than 20 host bits (a /12 for IPv4). */
const maxServiceHostBits = 20;
/** A node block needs room for the bridge, pods, network and broadcast addresses. */
const maxNodeMaskSize = 30;

/** The value of a range flag, parsed; one line naming the flag when it is no IPv4 CIDR. */
export function parseCIDRFlag(flag: string, value: string): IPv4CIDR {
  const cidr = parseIPv4CIDR(value);
  if (!cidr) throw new ClusterNetworkError(`${flag} must be an IPv4 CIDR such as 10.42.0.0/16, not "${value}"`);
  return cidr;
}

/**
 * The ranges, checked and in canonical form (host bits cleared); throws ClusterNetworkError
 * with the first problem.
 */
export function checkClusterNetwork(network: ClusterNetwork): ClusterNetwork {
  const pods = parseCIDRFlag('--cluster-cidr', network.clusterCIDR);
  const services = parseCIDRFlag('--service-cidr', network.serviceCIDR);
  const mask = network.nodeCIDRMaskSize;
  if (!Number.isInteger(mask) || mask <= pods.prefix || mask > maxNodeMaskSize) {
    throw new ClusterNetworkError(`--node-cidr-mask-size must be a whole number from ${pods.prefix + 1} (larger than the prefix of --cluster-cidr ${formatIPv4CIDR(pods)}) to ${maxNodeMaskSize}, not "${mask}"`);
  }
  // The node IPAM controller keeps one bit per block: 2^24 blocks is its limit.
  if (mask - pods.prefix > 24) throw new ClusterNetworkError(`--node-cidr-mask-size ${mask} splits --cluster-cidr ${formatIPv4CIDR(pods)} into more than 2^24 node blocks; use a smaller mask size or a smaller range`);
  if (32 - services.prefix > maxServiceHostBits) {
    throw new ClusterNetworkError(`--service-cidr ${formatIPv4CIDR(services)} is too large: the mask must be >= ${32 - maxServiceHostBits} (at most 2^${maxServiceHostBits} service addresses, as kube-apiserver allows)`);
  }
  // A /31 or /32 has no address for a service once the network address and the `kubernetes`
  // service's are taken (the allocator never hands out the network or broadcast address).
  if (services.prefix > 30) throw new ClusterNetworkError(`--service-cidr ${formatIPv4CIDR(services)} is too small: the mask must be <= 30`);
  if (cidrsOverlap(pods, services)) {
    throw new ClusterNetworkError(`--cluster-cidr ${formatIPv4CIDR(pods)} and --service-cidr ${formatIPv4CIDR(services)} overlap: pods and services need separate ranges`);
  }
  return { clusterCIDR: formatIPv4CIDR(pods), serviceCIDR: formatIPv4CIDR(services), nodeCIDRMaskSize: mask };
}
