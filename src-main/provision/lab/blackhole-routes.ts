// The safety net before a lab (or a test) creates pods or services: blackhole routes on the
// machine for the cluster's pod and service ranges (10.42/16 and 10.43/16 by default), so that a
// packet for a cluster address that no rule catches dies here instead of leaving by the default
// route. The more specific routes to nodes still win. Removes only what it added.
import { execFileSync } from 'node:child_process';
import { defaultClusterNetwork, type ClusterNetwork } from '../../cluster-config/cluster-network.ts';

/** The ranges of a cluster that must never leave the machine. */
export function clusterRanges(network: ClusterNetwork = defaultClusterNetwork): string[] {
  return [network.clusterCIDR, network.serviceCIDR];
}

/** Adds the routes that are missing; returns the ranges it added. */
export function ensureBlackholeRoutes(ranges = clusterRanges()): string[] {
  const added: string[] = [];
  for (const range of ranges) {
    const present = execFileSync('ip', ['route', 'show', 'type', 'blackhole', range], { encoding: 'utf8' }).trim() !== '';
    if (present) continue;
    execFileSync('ip', ['route', 'add', 'blackhole', range]);
    added.push(range);
  }
  return added;
}

export function removeBlackholeRoutes(ranges: string[]): void {
  for (const range of ranges) execFileSync('ip', ['route', 'del', 'blackhole', range], { stdio: 'ignore' });
}

/** For tests: adds what is missing; the function returned removes what it added. */
export function addBlackholeRoutes(ranges = clusterRanges()): () => void {
  const added = ensureBlackholeRoutes(ranges);
  return () => removeBlackholeRoutes(added);
}
