// The safety net before a lab (or a test) creates pods or services: blackhole routes on the
// machine for the pod (10.42/16) and service (10.43/16) ranges, so that a packet for a cluster
// address that no rule catches dies here instead of leaving by the default route. The more
// specific routes to nodes still win. Removes only what it added.
import { execFileSync } from 'node:child_process';

export const CLUSTER_RANGES = ['10.42.0.0/16', '10.43.0.0/16'];

/** Adds the routes that are missing; returns the ranges it added. */
export function ensureBlackholeRoutes(ranges = CLUSTER_RANGES): string[] {
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
export function addBlackholeRoutes(ranges = CLUSTER_RANGES): () => void {
  const added = ensureBlackholeRoutes(ranges);
  return () => removeBlackholeRoutes(added);
}
