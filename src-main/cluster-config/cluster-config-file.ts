// <dataDir>/cluster-config.json: the settings a cluster is created with and keeps for life (its
// address ranges). Pods, services and node routes already carry addresses of these ranges, so
// starting the cluster again with other ones is refused instead of half-applied.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/files.ts';
import { formatIPv4CIDR } from './ipv4-cidr.ts';
import { checkClusterNetwork, ClusterNetworkError, parseCIDRFlag, defaultClusterNetwork, type ClusterNetwork } from './cluster-network.ts';

const fileName = 'cluster-config.json';

const flags: Record<keyof ClusterNetwork, string> = {
  clusterCIDR: '--cluster-cidr',
  serviceCIDR: '--service-cidr',
  nodeCIDRMaskSize: '--node-cidr-mask-size',
};

/**
 * What the data folder records; undefined for a cluster not created yet. A cluster made before
 * ranges were recorded has a store but no file: it was made on the defaults.
 */
export function recordedClusterNetwork(dataDir: string): ClusterNetwork | undefined {
  const path = join(dataDir, fileName);
  if (existsSync(path)) {
    let parsed: Partial<ClusterNetwork>;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ClusterNetwork>;
    } catch (e) {
      throw new ClusterNetworkError(`${path} is not valid JSON (${(e as Error).message}); restore it or create the cluster again`);
    }
    try {
      return checkClusterNetwork({ ...defaultClusterNetwork, ...parsed });
    } catch (e) {
      throw new ClusterNetworkError(`${path}: ${(e as Error).message}`);
    }
  }
  return existsSync(join(dataDir, 'store')) ? { ...defaultClusterNetwork } : undefined;
}

/**
 * The ranges to run with: the recorded ones, or for a new cluster the requested ones over the
 * defaults. A requested value that differs from the record is refused, naming the record.
 * Reads only: recordClusterNetwork writes, once the data folder is ours.
 */
export function resolveClusterNetwork(dataDir: string, requested: Partial<ClusterNetwork> = {}): ClusterNetwork {
  const recorded = recordedClusterNetwork(dataDir);
  if (!recorded) return checkClusterNetwork({ ...defaultClusterNetwork, ...definedOnly(requested) });
  for (const key of Object.keys(flags) as (keyof ClusterNetwork)[]) {
    const wanted = requested[key];
    if (wanted === undefined) continue;
    // Compare canonical forms: 10.42.1.0/16 asks for the same range as 10.42.0.0/16.
    if (canonicalValue(key, wanted) !== recorded[key]) {
      throw new ClusterNetworkError(`${flags[key]} ${wanted} differs from the cluster's ${recorded[key]} (recorded in ${join(dataDir, fileName)}): ranges cannot change after the cluster is created`);
    }
  }
  return recorded;
}

/** Writes the record when the data folder has none (a new cluster, or one from before records). */
export function recordClusterNetwork(dataDir: string, network: ClusterNetwork): void {
  const path = join(dataDir, fileName);
  if (existsSync(path)) return;
  writeFileAtomic(path, `${JSON.stringify(network, null, 2)}\n`, 0o600);
}

function canonicalValue(key: keyof ClusterNetwork, value: string | number): string | number {
  if (key === 'nodeCIDRMaskSize') return value;
  return formatIPv4CIDR(parseCIDRFlag(flags[key], String(value)));
}

function definedOnly(requested: Partial<ClusterNetwork>): Partial<ClusterNetwork> {
  return Object.fromEntries(Object.entries(requested).filter(([, v]) => v !== undefined)) as Partial<ClusterNetwork>;
}
