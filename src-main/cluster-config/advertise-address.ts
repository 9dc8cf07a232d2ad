// The address the API server tells the cluster to reach it at (kube-apiserver
// --advertise-address): what the `kubernetes` service's endpoints carry, so pods find the API.
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { parseIPv4 } from '../api/allocator.ts';
import { validateNonSpecialIP } from '../api/resources/shared-endpoints.ts';
import { FieldPath } from '../api/field-errors.ts';
import { ClusterNetworkError } from './cluster-network.ts';

/** An --advertise-address the endpoints can carry: IPv4, not loopback, link-local or unspecified. */
export function checkAdvertiseAddress(ip: string): string {
  if (parseIPv4(ip) === undefined) throw new ClusterNetworkError(`--advertise-address must be an IPv4 address such as 192.168.1.10, not "${ip}"`);
  const [problem] = validateNonSpecialIP(ip, FieldPath.root('advertise-address'));
  // Endpoints refuse such addresses, and no pod could reach the API server through one.
  if (problem) throw new ClusterNetworkError(`--advertise-address ${ip} ${problem.detail}`);
  return ip;
}

/**
 * As kube-apiserver: the listen address when it is a specific one a pod can reach, else the
 * address of the interface with the default route, else any non-loopback IPv4 address.
 * Undefined on a machine with none (the endpoints are then left unwritten).
 */
export function defaultAdvertiseAddress(listenAddress: string): string | undefined {
  if (parseIPv4(listenAddress) !== undefined && reachable(listenAddress)) return listenAddress;
  const viaDefaultRoute = defaultRouteInterface();
  const candidates = Object.entries(networkInterfaces())
    .sort(([a], [b]) => Number(b === viaDefaultRoute) - Number(a === viaDefaultRoute))
    .flatMap(([, addrs]) => (addrs ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address));
  return candidates.find(reachable);
}

const reachable = (ip: string): boolean => validateNonSpecialIP(ip, FieldPath.root()).length === 0;

/** The interface of the IPv4 default route with the lowest metric (Linux); undefined elsewhere. */
function defaultRouteInterface(): string | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/net/route', 'utf8');
  } catch {
    return undefined;
  }
  let best: { iface: string; metric: number } | undefined;
  for (const line of table.split('\n').slice(1)) {
    const [iface, destination, , flags, , , metric, mask] = line.trim().split(/\s+/);
    const up = (parseInt(flags ?? '0', 16) & 1) === 1;
    if (!iface || destination !== '00000000' || mask !== '00000000' || !up) continue;
    if (!best || Number(metric) < best.metric) best = { iface, metric: Number(metric) };
  }
  return best?.iface;
}
